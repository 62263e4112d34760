import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError, loadConfig, parseListenUrl, type NetmasterConfig } from './options';

const load = (argv: string[], env: Record<string, string> = {}) => loadConfig(argv, env) as NetmasterConfig;

void describe('options', () => {
  void it('has Contiv’s defaults', () => {
    const c = load([]);
    assert.equal(c.clusterStore, 'etcd://127.0.0.1:2379');
    assert.equal(c.listenHost, '');
    assert.equal(c.listenPort, 9999);
    assert.equal(c.pluginMode, 'docker');
    assert.equal(c.debug, false);
    assert.equal(c.logDir, '/var/log/contiv');
    assert.match(c.advertiseAddress, /:9999$/);
  });

  void it('takes env (plugin args) and lets flags win', () => {
    const env = { cluster_store: 'etcd://10.0.0.1:2379', listen_url: '127.0.0.1:9998', plugin_mode: 'docker', dbg_flag: '-debug', CONTIV_LOG_DIR: '/tmp/x' };
    const c = load(['--listen-url', ':7000', '--control-url=10.0.0.5:7000'], env);
    assert.equal(c.clusterStore, 'etcd://10.0.0.1:2379');
    assert.equal(c.listenPort, 7000);
    assert.equal(c.advertiseAddress, '10.0.0.5:7000');
    assert.equal(c.pluginMode, 'docker');
    assert.equal(c.debug, true);
    assert.equal(c.logDir, '/tmp/x');
    assert.equal(load(['--listen-url', '127.0.0.1:0']).advertiseAddress, '127.0.0.1:0');
    // The v2plugin's default control_url ":9999": this host's address on that port.
    assert.match(load([], { control_url: ':9999' }).advertiseAddress, /^[^:]+:9999$/);
    assert.throws(() => load(['--control-url', 'nope']), /--control-url "nope" is not \[host\]:port/);
  });

  void it('reports every problem at once', () => {
    try {
      load(['--listen-url', 'nope', '--plugin-mode', 'k8s', '--bogus', '--cluster-store', 'zk://x']);
      assert.fail('expected ConfigError');
    } catch (err) {
      assert.ok(err instanceof ConfigError);
      assert.equal(err.problems.length, 4, err.message);
    }
    assert.equal(loadConfig(['--help'], {}), 'help');
  });

  void it('parses listen addresses', () => {
    assert.deepEqual(parseListenUrl(':9999'), { host: '', port: 9999 });
    assert.deepEqual(parseListenUrl('0.0.0.0:9999'), { host: '0.0.0.0', port: 9999 });
    assert.deepEqual(parseListenUrl('http://127.0.0.1:9999/'), { host: '127.0.0.1', port: 9999 });
    assert.deepEqual(parseListenUrl('[::1]:9999'), { host: '::1', port: 9999 });
    assert.equal(parseListenUrl('9999'), undefined);
    assert.equal(parseListenUrl(':99999'), undefined);
  });
});
