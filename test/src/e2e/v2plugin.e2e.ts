/**
 * The Contiv v2plugin (docker managed plugin) built by deploy/v2plugin/build.sh:
 *
 * 1. On a harness host (its own OVS, etcd through the stack): create, set the
 *    guide's args, enable; the guide's legacy workflow with the plugin (netctl
 *    against the plugin's netmaster, docker run, ping by name); disable and
 *    enable keep it working; bad args make enable fail and the boot log says why.
 * 2. On a bare engine (no OVS on the host, no store): the plugin starts its own
 *    OVS, becomes enabled without the store, and stays enabled across a dockerd
 *    restart (Contiv #974, #975), stopping its children on SIGTERM.
 *
 * The bundle is built once per file; each engine gets its own `plugin create`.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Dockerd, DockerdOptions } from '../harness/dockerd';
import { startDockerd } from '../harness/dockerd';
import { eventually } from '../harness/eventually';
import { onExitCleanup, randomSuffix, run, runSyncQuiet } from '../harness/exec';
import type { Host } from '../harness/host';
import { useStack } from '../harness/stack';
import { e2eStore } from '../harness/store-kind';
import { makeTempDir, type TempDir } from '../harness/tmp';
import { bootLog, defaultPluginName, enablePlugin, lastBoot, pluginEnabled, pluginEnv, pluginLogTails, runPluginBuild } from '../harness/v2plugin';
import { allocatedIps, containerIp, inspectNetwork, inSubnet, networkNames } from './support';

const PLUGIN = defaultPluginName();
/** The store of this run at its default port, where nothing listens in a bare namespace. */
const DOWN_STORE = e2eStore() === 'consul' ? 'consul://127.0.0.1:8500' : 'etcd://127.0.0.1:2379';

let buildDir: TempDir | undefined;
const bundle = (): string => {
  if (!buildDir) throw new Error('no build dir (see the before hook error)');
  return path.join(buildDir.path, 'bundle');
};
before(async () => {
  buildDir = await makeTempDir('contiv-v2plugin-');
});
after(async () => {
  await buildDir?.cleanup();
});

/** Runs fn; a failure carries the tails of the plugin's logs on that engine. */
async function withPluginLogs<T>(engine: Pick<Dockerd, 'contivLogDir'>, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    const msg = err instanceof Error ? err.message : String(err);
    const wrapped = new Error(`${msg}\n${pluginLogTails(engine)}`);
    if (err instanceof Error && err.stack) wrapped.stack = `${wrapped.message}\n${err.stack.split('\n').slice(1).join('\n')}`;
    throw wrapped;
  }
}

function lineIndex(lines: readonly string[], pattern: RegExp): number {
  return lines.findIndex((l) => pattern.test(l));
}

void describe('v2plugin: the guide legacy workflow on a host with its own OVS and the cluster store', { timeout: 600_000 }, () => {
  const stack = useStack({ services: false });
  const h = (): Host => stack().host;
  const engine = (): Dockerd => h().dockerd;

  void test('make plugin: build.sh assembles the bundle and creates the plugin, disabled', { timeout: 300_000 }, async (t) => {
    const b = await runPluginBuild({ buildDir: bundle(), engine: engine() });
    t.diagnostic(`build.sh (bundle + plugin create) took ${b.ms} ms:\n${b.output.trim()}`);
    assert.match(b.output, /bundle .* ready in \d+ ms: rootfs \S+/);
    assert.ok(fs.existsSync(path.join(bundle(), 'config.json')) && fs.existsSync(path.join(bundle(), 'rootfs', 'contiv', 'entrypoint.sh')));
    assert.equal(await pluginEnabled(engine(), PLUGIN), false, `${PLUGIN} should exist, disabled`);
  });

  void test('build.sh again replaces the disabled plugin (idempotent)', { timeout: 300_000 }, async (t) => {
    const before = (await engine().docker(['plugin', 'inspect', '--format', '{{.Id}}', PLUGIN])).stdout.trim();
    const b = await runPluginBuild({ buildDir: bundle(), engine: engine() });
    t.diagnostic(`second build.sh took ${b.ms} ms`);
    assert.match(b.output, /removing the existing/);
    const after = (await engine().docker(['plugin', 'inspect', '--format', '{{.Id}}', PLUGIN])).stdout.trim();
    assert.notEqual(after, before, 'a new plugin (new content, new id)');
    assert.equal(await pluginEnabled(engine(), PLUGIN), false);
  });

  void test('docker plugin set takes the args, the guide spelling plugin-mode included', async () => {
    const ip = h().ip ?? '';
    await engine().docker(['plugin', 'set', PLUGIN, `cluster_store=${stack().clusterStore}`, 'plugin_mode=docker', 'plugin_role=master', `ctrl_ip=${ip}`, `vtep_ip=${ip}`, 'dbg_flag=-debug']);
    await engine().docker(['plugin', 'set', PLUGIN, 'plugin-mode=docker']);
    const env = await pluginEnv(engine(), PLUGIN);
    for (const kv of [`cluster_store=${stack().clusterStore}`, 'plugin_mode=docker', 'plugin-mode=docker', 'plugin_role=master', `plugin_name=${PLUGIN}`]) {
      assert.ok(env.includes(kv), `${kv} in ${env.join(' ')}`);
    }
    const unknown = await engine().docker(['plugin', 'set', PLUGIN, 'no_such_arg=1'], { allowFail: true });
    assert.notEqual(unknown.code, 0);
    assert.match(unknown.stderr, /not found in the plugin configuration/);
  });

  void test('docker plugin enable: docker plugin ls shows it enabled', async (t) => {
    await withPluginLogs(engine(), async () => {
      const r = await enablePlugin(engine(), PLUGIN);
      t.diagnostic(`docker plugin enable took ${r.ms} ms`);
      assert.equal(r.code, 0, r.stderr);
      const ls = await engine().docker(['plugin', 'ls', '--format', '{{.Name}} {{.Enabled}}']);
      assert.match(ls.stdout, new RegExp(`^${PLUGIN.replace(/[.]/g, '\\.')} true$`, 'm'));
    });
  });

  void test('plugin_bootup.log says what started, the socket first', async () => {
    await withPluginLogs(engine(), async () => {
      const lines = await eventually(
        () => {
          const l = lastBoot(engine());
          assert.ok(l.some((x) => /all started/.test(x)), 'not all started yet');
          return l;
        },
        { timeoutMs: 20_000, intervalMs: 200, what: 'the boot log to say all started' },
      );
      const args = lines.find((l) => /args: /.test(l)) ?? '';
      assert.ok(args.includes(`plugin_role=master plugin_mode=docker cluster_store=${stack().clusterStore}`), args);
      assert.match(args, new RegExp(`driver name=${PLUGIN.replace(/[.]/g, '\\.')}`));
      const socket = lineIndex(lines, /plugin socket \/run\/docker\/plugins\/netplugin\.sock is bound/);
      const shim = lineIndex(lines, /started driver-shim/);
      const ovs = lineIndex(lines, /using the host's Open vSwitch/);
      const agent = lineIndex(lines, /started netplugin/);
      const master = lineIndex(lines, /started netmaster/);
      for (const [what, i] of Object.entries({ socket, shim, ovs, agent, master })) assert.ok(i >= 0, `${what} line in:\n${lines.join('\n')}`);
      assert.ok(shim < socket && socket < ovs && socket < agent && socket < master, `order in:\n${lines.join('\n')}`);
      // The services log into the engine's /var/log/contiv, one per engine; a service writes its first line a moment after it starts.
      for (const f of ['netplugin.log', 'netmaster.log', 'driver-shim.log']) {
        await eventually(() => assert.ok(fs.existsSync(path.join(engine().contivLogDir, f)), f), { timeoutMs: 20_000, intervalMs: 200, what: `${f} in the engine's /var/log/contiv` });
      }
    });
  });

  void test('netctl network create contiv-net -s 100.1.1.1/24 -g 100.1.1.100 (against the plugin netmaster)', async () => {
    await withPluginLogs(engine(), async () => {
      await eventually(async () => (await h().tryNetctl('network', 'ls')).code === 0, { timeoutMs: 30_000, intervalMs: 250, what: "the plugin's netmaster on :9999" });
      await h().netctl('network', 'create', 'contiv-net', '-s', '100.1.1.1/24', '-g', '100.1.1.100');
      assert.ok((await networkNames(stack())).includes('contiv-net'));
      // netplugin makes the Docker network, with the plugin (name:tag) as driver.
      await eventually(
        async () => assert.equal((await h().docker('network', 'inspect', '-f', '{{.Driver}} {{.IPAM.Driver}}', 'contiv-net')).stdout.trim(), `${PLUGIN} ${PLUGIN}`),
        { timeoutMs: 30_000, intervalMs: 200, what: 'docker network contiv-net with the plugin as driver' },
      );
    });
  });

  void test('docker run -itd --net=contiv-net --name=c1 busybox /bin/sh', async () => {
    await withPluginLogs(engine(), async () => {
      await h().docker('run', '-itd', '--net=contiv-net', '--name=c1', 'busybox', '/bin/sh');
      const ip = await containerIp(h(), 'c1');
      assert.ok(inSubnet(ip, '100.1.1.0/24'), `c1 got ${ip}`);
      assert.ok(allocatedIps(await inspectNetwork(stack(), 'contiv-net')).has(ip), `netmaster shows ${ip} as allocated`);
    });
  });

  void test('docker run --rm --net=contiv-net --name=c2 busybox ping -c2 c1', async () => {
    await withPluginLogs(engine(), async () => {
      const r = await h().docker('run', '--rm', '--net=contiv-net', '--name=c2', 'busybox', 'ping', '-c2', 'c1');
      assert.match(r.stdout, /2 packets transmitted, 2 packets received/);
    });
  });

  void test('docker plugin disable + enable keeps it working (plugin-mode=docker alone sets the mode)', async (t) => {
    await withPluginLogs(engine(), async () => {
      // -f: c1 still uses the network; its port stays on the host's OVS meanwhile.
      await engine().docker(['plugin', 'disable', '-f', PLUGIN]);
      assert.equal(await pluginEnabled(engine(), PLUGIN), false);
      const stopped = lastBoot(engine());
      for (const s of ['driver-shim', 'netplugin', 'netmaster']) assert.ok(stopped.some((l) => l.includes(`stopped ${s}`)), `stopped ${s} in:\n${stopped.join('\n')}`);
      // The guide's spelling wins over plugin_mode.
      await engine().docker(['plugin', 'set', PLUGIN, 'plugin_mode=swarm-mode', 'plugin-mode=docker']);
      const r = await enablePlugin(engine(), PLUGIN);
      t.diagnostic(`re-enable took ${r.ms} ms`);
      assert.equal(r.code, 0, r.stderr);
      assert.match(lastBoot(engine()).find((l) => /args: /.test(l)) ?? '', /plugin_mode=docker /);
      await eventually(
        async () => {
          const p = await h().docker('run', '--rm', '--net=contiv-net', '--name=c3', 'busybox', 'ping', '-c2', 'c1');
          assert.match(p.stdout, /2 packets transmitted, 2 packets received/);
        },
        { timeoutMs: 60_000, intervalMs: 1_000, what: 'c3 to ping c1 after the plugin restart' },
      );
    });
  });

  for (const bad of [
    { set: ['plugin_role=boss'], says: /ERROR: plugin_role=boss is not master or worker/ },
    { set: ['plugin_role=master', 'cluster_store=foo'], says: /ERROR: cluster_store=foo is not etcd:\/\/host:port or consul:\/\/host:port/ },
  ]) {
    void test(`bad args (${bad.set.join(' ')}): enable fails and plugin_bootup.log names the problem`, async (t) => {
      if (await pluginEnabled(engine(), PLUGIN)) await engine().docker(['plugin', 'disable', '-f', PLUGIN]);
      await engine().docker(['plugin', 'set', PLUGIN, ...bad.set]);
      const r = await enablePlugin(engine(), PLUGIN);
      t.diagnostic(`failing enable took ${r.ms} ms: ${r.stderr.trim()}`);
      assert.notEqual(r.code, 0, 'enable must fail');
      assert.match(r.stderr, /netplugin\.sock/, "Docker's own error (it never saw the socket), not our timeout");
      assert.equal(await pluginEnabled(engine(), PLUGIN), false);
      const boot = lastBoot(engine());
      assert.match(boot.join('\n'), bad.says);
      assert.equal(boot.filter((l) => /ERROR/.test(l)).length, 1, `one clear line:\n${boot.join('\n')}`);
      assert.ok(!boot.some((l) => /started /.test(l)), 'nothing started');
    });
  }

  void test('good args again: enable works', async () => {
    await withPluginLogs(engine(), async () => {
      await engine().docker(['plugin', 'set', PLUGIN, 'plugin_role=master', `cluster_store=${stack().clusterStore}`]);
      const r = await enablePlugin(engine(), PLUGIN);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(await pluginEnabled(engine(), PLUGIN), true);
    });
  });
});

void describe('v2plugin: bare engine, no OVS and no store on the host', { timeout: 600_000 }, () => {
  const name = `ctv${randomSuffix(5)}`;
  let dir: TempDir | undefined;
  let dockerd: Dockerd | undefined;
  let opts: DockerdOptions | undefined;
  const engine = (): Dockerd => {
    if (!dockerd) throw new Error('the engine did not start (see the before hook error)');
    return dockerd;
  };
  let unregister = (): void => undefined;

  before(async () => {
    dir = await makeTempDir(`${name}-`);
    await run('ip', ['netns', 'add', name]);
    unregister = onExitCleanup(() => runSyncQuiet('ip', ['netns', 'del', name]));
    await run('ip', ['-n', name, 'link', 'set', 'lo', 'up']);
    // No ovsDir: the engine's /run/openvswitch is an empty directory of its private /run.
    opts = { netns: name, hostName: name, dir: path.join(dir.path, 'docker') };
    dockerd = await startDockerd(opts);
  }, { timeout: 120_000 });
  after(async () => {
    await dockerd?.stop().catch(() => undefined);
    await run('ip', ['netns', 'del', name], { allowFail: true });
    unregister();
    await dir?.cleanup();
  }, { timeout: 120_000 });

  /** ovs-vsctl against the plugin's own OVS, whose socket is in the engine's mount namespace only. */
  const pluginOvs = (...args: string[]): Promise<{ code: number; stdout: string }> =>
    run('nsenter', ['-t', String(engine().pid()), '-m', '-n', 'ovs-vsctl', '--db=unix:/run/openvswitch/db.sock', '--timeout=5', ...args], { allowFail: true });

  void test('docker plugin create from the same bundle, enable with the store down: enabled, own OVS started', async (t) => {
    await withPluginLogs(engine(), async () => {
      // Built by the first describe; alone (--test-name-pattern) this file builds it here.
      if (!fs.existsSync(path.join(bundle(), 'config.json'))) await runPluginBuild({ buildDir: bundle() });
      const t0 = Date.now();
      await engine().docker(['plugin', 'create', PLUGIN, bundle()], { timeoutMs: 300_000 });
      t.diagnostic(`docker plugin create took ${Date.now() - t0} ms`);
      // Nothing listens on this port in the namespace: the store stays down throughout.
      await engine().docker(['plugin', 'set', PLUGIN, `cluster_store=${DOWN_STORE}`, 'plugin_mode=docker']);
      const r = await enablePlugin(engine(), PLUGIN);
      t.diagnostic(`docker plugin enable (own OVS, no store) took ${r.ms} ms`);
      assert.equal(r.code, 0, r.stderr);
      const lines = lastBoot(engine());
      assert.ok(lines.some((l) => /starting ovsdb-server and ovs-vswitchd in the plugin/.test(l)), lines.join('\n'));
      assert.ok(fs.existsSync(path.join(engine().contivLogDir, 'ovs-vswitchd.log')), 'OVS logs in /var/log/contiv');
      // netplugin made its bridge on the plugin's OVS.
      await eventually(async () => (await pluginOvs('br-exists', 'contivbr')).code === 0, { timeoutMs: 30_000, intervalMs: 250, what: 'contivbr on the plugin OVS' });
    });
  });

  void test('a dockerd restart leaves it enabled (Contiv #974, #975); SIGTERM stopped the children', async (t) => {
    await withPluginLogs(engine(), async () => {
      const starts = bootLog(engine()).filter((l) => l.includes('==== Contiv v2plugin starting')).length;
      await engine().stop();
      const stop = lastBoot(engine());
      for (const s of ['driver-shim', 'netplugin', 'netmaster', 'ovs-vswitchd', 'ovsdb-server']) {
        assert.ok(stop.some((l) => l.includes(`stopped ${s}`)), `stopped ${s} in:\n${stop.join('\n')}`);
      }
      assert.match(stop.at(-1) ?? '', /\] stopped$/);
      const t0 = Date.now();
      if (!opts) throw new Error('no engine options');
      dockerd = await startDockerd(opts);
      // Docker restarts an enabled plugin and marks it disabled if it cannot dial
      // the socket within ~12 s; bound, it stays enabled whatever the store does.
      const boot = await eventually(
        () => {
          const all = bootLog(engine());
          assert.equal(all.filter((l) => l.includes('==== Contiv v2plugin starting')).length, starts + 1, 'the engine starts the plugin again');
          const l = lastBoot(engine());
          assert.ok(l.some((x) => /plugin socket .* is bound/.test(x)), 'socket not bound yet');
          return l;
        },
        { timeoutMs: 30_000, intervalMs: 200, what: 'the plugin to start again and bind its socket' },
      );
      t.diagnostic(`dockerd restart to plugin socket bound: ${Date.now() - t0} ms`);
      assert.ok(!boot.some((l) => /ERROR/.test(l)), boot.join('\n'));
      assert.equal(await pluginEnabled(engine(), PLUGIN), true, 'enabled after the restart');
      await eventually(async () => (await pluginOvs('br-exists', 'contivbr')).code === 0, { timeoutMs: 30_000, intervalMs: 250, what: 'contivbr after the restart' });
    });
  });

  void test('a crashed child is restarted, with a line in plugin_bootup.log', async () => {
    await withPluginLogs(engine(), async () => {
      // The plugin's netplugin: the only one in this namespace (host network).
      const pids = (await run('ip', ['netns', 'pids', name])).stdout.split(/\s+/).filter(Boolean);
      const agent = pids.filter((p) => {
        try {
          return fs.readFileSync(`/proc/${p}/cmdline`, 'utf8').split('\0').includes('/contiv/services/netplugin/lib/main.js');
        } catch {
          return false;
        }
      });
      assert.equal(agent.length, 1, `one netplugin in ${name}: ${agent.join(' ')}`);
      const started = (): number => lastBoot(engine()).filter((l) => /started netplugin/.test(l)).length;
      const before = started();
      process.kill(Number(agent[0]), 'SIGKILL');
      await eventually(
        () => {
          const lines = lastBoot(engine());
          assert.ok(lines.some((l) => /netplugin exited \(status 137 after \d+s\), restarting in \d+s/.test(l)), 'no exit line yet');
          assert.equal(started(), before + 1, 'not started again yet');
        },
        { timeoutMs: 30_000, intervalMs: 200, what: 'the supervisor to restart netplugin' },
      );
      assert.equal(await pluginEnabled(engine(), PLUGIN), true);
    });
  });
});
