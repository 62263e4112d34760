/**
 * The v2plugin guide's legacy-mode section on three hosts: the managed plugin
 * installed from the hosts' registries with plugin_mode=docker (h1 master, the
 * others workers), no swarm. A network made once with netctl is usable from
 * `docker run` on every engine and containers talk across hosts; disabling and
 * enabling the plugin on the worker keeps its containers reachable.
 *
 * The store is Consul unless CONTIV_E2E_STORE says otherwise: every plugin gets
 * `cluster_store=consul://192.168.250.11:8500`, as a guide user with Consul
 * sets it, so each CI run covers the guide on Consul (docs/testing.md).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { LocalCluster } from '../harness/cluster/client';
import { useCluster } from '../harness/cluster/client';
import { storeUrl } from '../harness/cluster/store';
import { eventually } from '../harness/eventually';
import { e2eStore } from '../harness/store-kind';
import { underlayIp } from '../harness/underlay';
import { defaultPluginName } from '../harness/v2plugin';

const PLUGIN = defaultPluginName();
const STORE = e2eStore('consul');

async function ipOf(c: LocalCluster, host: string, name: string): Promise<string> {
  return (await c.docker(host, 'inspect', '-f', '{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}', name)).stdout.trim();
}

void describe('local cluster --mode legacy --plugin v2: the guide legacy-mode workflow on 3 hosts', { timeout: 900_000 }, () => {
  const cluster = useCluster({ hosts: 3, mode: 'legacy', plugin: 'v2', store: STORE });
  const c = (): LocalCluster => cluster();

  void test(`every plugin runs on the cluster's ${STORE} (cluster_store=${storeUrl(STORE, underlayIp(1))})`, async () => {
    for (const h of ['h1', 'h2', 'h3']) {
      const boot = (await c().exec(h, ['cat', '/var/log/contiv/plugin_bootup.log'])).stdout;
      assert.ok(boot.includes(`cluster_store=${storeUrl(STORE, underlayIp(1))}`), `${h}: ${boot}`);
    }
    // Every agent registered its node there (the records are leased: they come and stay while it runs).
    await eventually(
      async () => assert.deepEqual(await c().storeKeys('/contiv.io/v1/nodes/'), ['h1', 'h2', 'h3'].map((h) => `/contiv.io/v1/nodes/${c().hostState(h).netns}`)),
      { timeoutMs: 30_000, intervalMs: 500, what: `the three node records in ${STORE}` },
    );
  });

  void test('the plugin is enabled on every host; netctl network create makes the network on every engine', async () => {
    for (const h of ['h1', 'h2', 'h3']) {
      const r = await c().docker(h, 'plugin', 'ls', '--format', '{{.Name}} {{.Enabled}}');
      assert.match(r.stdout, new RegExp(`^${PLUGIN.replace(/[.:/]/g, '\\$&')} true$`, 'm'), `${h}: ${r.stdout}`);
    }
    await c().netctl('h1', 'network', 'create', 'contiv-net', '-s', '100.1.1.1/24', '-g', '100.1.1.100');
    for (const h of ['h1', 'h2', 'h3']) {
      const r = await c().docker(h, 'network', 'ls', '--format', '{{.Name}} {{.Driver}}');
      assert.match(r.stdout, new RegExp(`^contiv-net ${PLUGIN.replace(/[.:/]/g, '\\$&')}$`, 'm'), `${h}: ${r.stdout}`);
    }
    assert.deepEqual(await c().storeKeys('/contiv.io/v1/state/networks/default/contiv-net'), ['/contiv.io/v1/state/networks/default/contiv-net']);
  });

  void test('c1 on h1, then a container on h2 pings it by name', async () => {
    await c().docker('h1', 'run', '-itd', '--net=contiv-net', '--name=c1', 'busybox', '/bin/sh');
    const r = await c().docker('h2', 'run', '--rm', '--net=contiv-net', 'busybox', 'ping', '-c2', 'c1');
    assert.match(r.stdout, /2 packets transmitted, 2 packets received/, r.stdout);
  });

  void test('plugin disable and enable on the worker: its container comes back and still reaches c1', async () => {
    await c().docker('h2', 'run', '-itd', '--net=contiv-net', '--name=w2', 'busybox', '/bin/sh');
    const c1 = await ipOf(c(), 'h1', 'c1');
    await c().docker('h2', 'plugin', 'disable', '-f', PLUGIN);
    await c().docker('h2', 'plugin', 'enable', PLUGIN);
    await eventually(
      async () => {
        const r = await c().docker('h2', 'exec', 'w2', 'ping', '-c', '2', '-W', '2', c1);
        assert.match(r.stdout, /2 packets received/);
      },
      { timeoutMs: 30_000, intervalMs: 1_000, what: 'w2 on h2 to reach c1 after the plugin came back' },
    );
    const w2 = await ipOf(c(), 'h2', 'w2');
    assert.match((await c().docker('h1', 'exec', 'c1', 'ping', '-c', '2', '-W', '2', w2)).stdout, /2 packets received/);
  });
});
