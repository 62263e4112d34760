/**
 * deploy/local-cluster/cluster, the way a user runs it: `up` three hosts, the
 * underlay between them (ping and TCP host to host, through br-phy), `exec`
 * (environment, netctl on PATH, exit status), the seed's legacy commands,
 * `status`, and `down` leaving nothing behind; Docker engines with
 * --cluster-store sharing one network; and `up` after a crash (of `up` itself,
 * then of daemons) cleaning up first.
 *
 * Cross-host container traffic is tested in multihost.e2e.ts; here only once,
 * on the engines' shared network.
 */
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import type { ClusterLeftovers } from '../harness/cluster/client';
import { LocalCluster, useCluster } from '../harness/cluster/client';
import { eventually } from '../harness/eventually';
import { run, startDaemon } from '../harness/exec';
import { pidAlive } from '../harness/processes';
import { describeOnStore, DOCKERD_CLUSTER_STORE_ETCD_ONLY, e2eStore } from '../harness/store-kind';
import { inSubnet } from './support';

const SEED_NETWORK = ['network', 'create', 'contiv-net', '-s', '100.1.1.1/24', '-g', '100.1.1.100'];

function assertNothingLeft(l: ClusterLeftovers): void {
  assert.deepEqual(l, { netns: [], pids: [], cgroups: [], dirExists: false });
}

/** Addresses of a container, one per network. */
async function containerIps(c: LocalCluster, host: string, name: string): Promise<string[]> {
  const r = await c.docker(host, 'inspect', '-f', '{{range .NetworkSettings.Networks}}{{.IPAddress}} {{end}}', name);
  return r.stdout.trim().split(/\s+/).filter(Boolean);
}

/** `docker network ls` of our driver on one host: "<name> <scope> <id>" lines. */
async function netpluginNetworks(c: LocalCluster, host: string): Promise<string[]> {
  const r = await c.docker(host, 'network', 'ls', '--filter', 'driver=netplugin', '--format', '{{.Name}} {{.Scope}} {{.ID}}');
  return r.stdout.trim().split('\n').filter(Boolean);
}

/** How many times the agents of `hosts` logged `message` for the Docker network `name`. */
function agentLogCount(c: LocalCluster, hosts: readonly string[], message: string, name: string): number {
  let n = 0;
  for (const h of hosts) {
    const file = path.join(c.hostState(h).logDir, 'netplugin.log');
    for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
      if (!line.startsWith('{')) continue;
      const rec = JSON.parse(line) as { message?: string; name?: string };
      if (rec.message === message && rec.name === name) n++;
    }
  }
  return n;
}

void describe('local cluster: up 3 hosts, exec, status, down', { timeout: 600_000 }, () => {
  const cluster = useCluster({ hosts: 3 });
  const hosts = ['h1', 'h2', 'h3'];

  void test('status: every host, the store and netmaster up', async () => {
    const { code, status } = await cluster().status();
    assert.equal(code, 0, JSON.stringify(status, null, 2));
    assert.equal(status.state, 'up');
    assert.equal(status.options?.store, e2eStore());
    assert.equal(status.hosts[0]?.processes[e2eStore()], true);
    assert.deepEqual(
      status.hosts.map((h) => [h.key, h.ip]),
      [['h1', '192.168.250.11'], ['h2', '192.168.250.12'], ['h3', '192.168.250.13']],
    );
    assert.ok(status.netmasterLeader && status.storeHealthy);
    const text = await cluster().tool(['status']);
    assert.equal(text.code, 0);
    assert.match(text.stdout, /h3 +\S+-h3 +192\.168\.250\.13 +answers/);
  });

  void test('underlay: the address is on br-phy, eth1 is a bare uplink', async () => {
    for (const h of hosts) {
      const addr = await cluster().exec(h, ['ip', '-o', '-4', 'addr', 'show']);
      assert.match(addr.stdout, new RegExp(`br-phy\\s+inet ${cluster().hostState(h).ip.replace(/\./g, '\\.')}/24`));
      assert.doesNotMatch(addr.stdout, /\beth[01]\s+inet /);
      const ports = await cluster().vsctl(h, 'list-ports', 'br-phy');
      assert.equal(ports.stdout.trim(), 'eth0');
      const eth1 = await cluster().exec(h, ['ip', '-o', 'link', 'show', 'eth1']);
      assert.match(eth1.stdout, /state UP/);
    }
  });

  void test('underlay: every host pings every other host', async () => {
    for (const h of hosts) {
      for (const peer of hosts) {
        if (peer === h) continue;
        const r = await cluster().exec(h, ['ping', '-c', '1', '-W', '2', cluster().hostState(peer).ip]);
        assert.match(r.stdout, /1 packets transmitted, 1 (packets )?received/);
      }
    }
  });

  void test('underlay: TCP between host namespaces (2 MB over HTTP, h2 -> h1 and h3)', async () => {
    const www = fs.mkdtempSync(path.join(cluster().layout.dir, 'www-'));
    const data = crypto.randomBytes(2 * 1024 * 1024);
    fs.writeFileSync(path.join(www, 'blob'), data);
    const want = crypto.createHash('sha256').update(data).digest('hex');
    const { cmd, args, env } = cluster().toolCommand(['exec', 'h2', '--', 'busybox', 'httpd', '-f', '-p', '192.168.250.12:8080', '-h', www]);
    const httpd = startDaemon('httpd-h2', cmd, args, { env, logFile: path.join(www, '..', 'httpd.log') });
    try {
      for (const h of ['h1', 'h3']) {
        const got = await eventually(
          async () => {
            const r = await cluster().exec(h, ['sh', '-c', 'busybox wget -q -O - http://192.168.250.12:8080/blob | sha256sum']);
            const hash = r.stdout.split(/\s/)[0];
            // The pipeline's status is sha256sum's: a wget that got nothing (httpd not listening yet) hashes "".
            assert.notEqual(hash, crypto.createHash('sha256').digest('hex'), `wget from ${h} got nothing yet`);
            return hash;
          },
          { timeoutMs: 20_000, intervalMs: 200, what: `HTTP from ${h} to h2` },
        );
        assert.equal(got, want, `${h} got the file intact`);
      }
    } finally {
      await httpd.stop(5_000);
    }
  });

  void test('exec sets DOCKER_HOST and NETMASTER, puts netctl on PATH, and passes the exit status on', async () => {
    const r = await cluster().exec('h2', ['sh', '-c', 'echo "$DOCKER_HOST $NETMASTER"; command -v netctl; command -v docker']);
    const [envLine, netctl, docker] = r.stdout.trim().split('\n');
    assert.equal(envLine, `${cluster().hostState('h2').dockerHost} http://192.168.250.11:9999`);
    assert.equal(netctl, path.join(cluster().layout.binDir, 'netctl'));
    assert.ok(docker?.endsWith('/docker'));
    const exit = await cluster().exec('h1', ['sh', '-c', 'exit 7'], { allowFail: true });
    assert.equal(exit.code, 7);
    const bad = await cluster().tool(['exec', 'h9', '--', 'true']);
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /no host h9 \(hosts: h1 h2 h3/);
  });

  void test('netctl on every host reaches netmaster', async () => {
    for (const h of hosts) {
      const r = await cluster().netctl(h, 'network', 'ls');
      assert.match(r.stdout, /Tenant\s+Network/);
    }
  });

  void test('exec h1 -- netctl network create contiv-net -s 100.1.1.1/24 -g 100.1.1.100: the network appears in Docker on every host', async () => {
    await cluster().netctl('h1', ...SEED_NETWORK);
    const ids = new Set<string>();
    for (const h of hosts) {
      const id = await eventually(
        async () => {
          const r = await cluster().docker(h, 'network', 'inspect', '-f', '{{.Driver}} {{.Scope}} {{.Id}}', 'contiv-net');
          const [driver, scope, netId] = r.stdout.trim().split(' ');
          assert.equal(driver, 'netplugin');
          assert.equal(scope, 'local', 'a standalone engine gets a local-scope network');
          return netId;
        },
        { timeoutMs: 30_000, intervalMs: 200, what: `contiv-net in Docker on ${h}` },
      );
      ids.add(id ?? '');
    }
    assert.equal(ids.size, hosts.length, 'each agent created the network on its own engine');
    for (const h of hosts) {
      const names = (await netpluginNetworks(cluster(), h)).map((l) => l.split(' ')[0]);
      assert.deepEqual(names, ['contiv-net'], `${h}: exactly one contiv-net`);
    }
    assert.equal(agentLogCount(cluster(), hosts, 'Created Docker network', 'contiv-net'), hosts.length, 'one per engine');
  });

  void test('exec h1 -- docker run -itd --net=contiv-net --name=c1 busybox /bin/sh; a container on each host gets its own address', async () => {
    await cluster().docker('h1', 'run', '-itd', '--net=contiv-net', '--name=c1', 'busybox', '/bin/sh');
    await cluster().docker('h2', 'run', '-d', '--net=contiv-net', '--name=c2', 'busybox', 'sleep', '3600');
    await cluster().docker('h3', 'run', '-d', '--net=contiv-net', '--name=c3', 'busybox', 'sleep', '3600');
    const seen = new Set<string>();
    for (const [h, c] of [['h1', 'c1'], ['h2', 'c2'], ['h3', 'c3']] as const) {
      const ips = await containerIps(cluster(), h, c);
      assert.equal(ips.length, 1, `${c}: ${ips.join(' ')}`);
      const ip = ips[0] ?? '';
      assert.ok(inSubnet(ip, '100.1.1.0/24') && ip !== '100.1.1.100', `${c} got ${ip}`);
      seen.add(ip);
      const state = await cluster().docker(h, 'inspect', '-f', '{{.State.Running}}', c);
      assert.equal(state.stdout.trim(), 'true');
    }
    assert.equal(seen.size, 3, `three distinct addresses: ${[...seen].join(' ')}`);
  });

  void test('down removes everything it made (namespaces, processes, containers, cgroups, state) and keeps the logs', async () => {
    const before = await cluster().leftovers();
    assert.ok(before.netns.length === 4 && before.pids.length > 0 && before.dirExists, JSON.stringify(before));
    const r = await cluster().down();
    assert.match(r.stdout, /removed 1 container/);
    assertNothingLeft(await cluster().leftovers());
    assert.ok(fs.existsSync(path.join(cluster().layout.logDir, 'h1', 'netmaster.log')), 'logs stay');
    const st = await cluster().status();
    assert.equal(st.code, 3);
    assert.equal(st.status.state, 'down');
    const again = await cluster().down();
    assert.match(again.stdout, /not up: nothing to do/);
  });
});

describeOnStore(['etcd'], DOCKERD_CLUSTER_STORE_ETCD_ONLY, 'local cluster: up --cluster-store', { timeout: 600_000 }, () => {
  const cluster = useCluster({ hosts: 3, clusterStore: true, store: 'etcd' });
  const hosts = ['h1', 'h2', 'h3'];

  void test('every engine runs with --cluster-store on the cluster etcd', async () => {
    for (const h of hosts) {
      // The engine API: newer docker CLIs no longer know these fields.
      const sock = cluster().hostState(h).dockerHost.replace(/^unix:\/\//, '');
      const r = await run('curl', ['-fsS', '--unix-socket', sock, 'http://docker/info']);
      const info = JSON.parse(r.stdout) as { ClusterStore?: string; ClusterAdvertise?: string };
      assert.equal(info.ClusterStore, 'etcd://192.168.250.11:2379');
      assert.equal(info.ClusterAdvertise, `${cluster().hostState(h).ip}:2376`);
    }
  });

  void test('a network created once with netctl is created once in Docker: one global network every engine shows and runs containers on', async () => {
    await cluster().netctl('h1', ...SEED_NETWORK);
    const lists = await eventually(
      async () => {
        const all = await Promise.all(hosts.map((h) => netpluginNetworks(cluster(), h)));
        assert.equal(all[0]?.length, 1, `h1: ${JSON.stringify(all[0])}`);
        assert.match(all[0]?.[0] ?? '', /^contiv-net global \w+$/);
        for (const [i, l] of all.entries()) assert.deepEqual(l, all[0], `${hosts[i] ?? ''} shows the same single network`);
        return all;
      },
      { timeoutMs: 30_000, intervalMs: 250, what: 'one shared contiv-net' },
    );
    for (const h of hosts) await cluster().docker(h, 'run', '--rm', '--net=contiv-net', 'busybox', 'true');
    for (const h of hosts) assert.deepEqual(await netpluginNetworks(cluster(), h), lists[0], `${h}: still the one network`);
    assert.equal(agentLogCount(cluster(), hosts, 'Created Docker network', 'contiv-net'), 1, 'one agent created it');
  });

  void test('on the shared network, a container on h3 reaches c1 on h1 by name and address', async () => {
    await cluster().docker('h1', 'run', '-itd', '--net=contiv-net', '--name=c1', 'busybox', '/bin/sh');
    const [ip] = await containerIps(cluster(), 'h1', 'c1');
    const r = await cluster().docker('h3', 'run', '--rm', '--net=contiv-net', 'busybox', 'sh', '-c', `ping -c2 -W2 c1 && ping -c2 -W2 ${ip ?? ''}`);
    assert.match(r.stdout, /2 packets transmitted, 2 packets received[\s\S]*2 packets transmitted, 2 packets received/, r.stdout);
    await cluster().docker('h1', 'rm', '-f', 'c1');
  });

  void test('netctl network rm: the Docker network goes from every engine, removed once', async () => {
    // The runs' endpoints are released in the background: rm may need a moment.
    await eventually(() => cluster().netctl('h2', 'network', 'rm', 'contiv-net'), { timeoutMs: 30_000, intervalMs: 500, what: 'netctl network rm contiv-net' });
    await eventually(
      async () => {
        for (const h of hosts) assert.deepEqual(await netpluginNetworks(cluster(), h), [], `${h} still has it`);
      },
      { timeoutMs: 30_000, intervalMs: 250, what: 'contiv-net gone from every engine' },
    );
    assert.equal(agentLogCount(cluster(), hosts, 'Removed Docker network', 'contiv-net'), 1);
  });
});

void describe('local cluster: up after a crash cleans up first', { timeout: 600_000 }, () => {
  const c = LocalCluster.create();
  after(() => c.destroy(), { timeout: 300_000 });

  void test('up killed half way: status says degraded, the next up cleans up and succeeds', async () => {
    const { cmd, args, env } = c.toolCommand(['up', '--hosts', '2', '--store', e2eStore(), '--debug']);
    const upProcess = startDaemon('cluster-up', cmd, args, { env, logFile: path.join(path.dirname(c.baseDir), 'crashed-up.log') });
    // Crash once host 2's engine is being started: the cluster is half made.
    const sock = path.join(c.layout.dir, 'h2', 'docker', 'docker.sock');
    await eventually(() => fs.existsSync(sock) || !upProcess.isRunning(), { timeoutMs: 120_000, intervalMs: 20, what: 'h2 dockerd socket' });
    assert.ok(upProcess.isRunning(), 'up was still running when h2 started');
    await upProcess.kill();
    const crashed = await c.status();
    assert.equal(crashed.code, 1, JSON.stringify(crashed.status));
    assert.equal(crashed.status.state, 'degraded');

    const r = await c.up({ hosts: 2 });
    assert.match(r.stdout, /cleaning up what an earlier run/);
    assert.equal((await c.status()).code, 0);
  });

  void test('daemons killed: up rebuilds the cluster; up on a healthy cluster changes nothing', async () => {
    const state = c.state();
    const h1 = state?.hosts[0];
    const h2 = state?.hosts[1];
    assert.ok(h1?.pids.netmaster !== undefined && h2?.pids.dockerd !== undefined);
    process.kill(h1.pids.netmaster, 'SIGKILL');
    process.kill(h2.pids.dockerd, 'SIGKILL');
    await eventually(() => !pidAlive(h1.pids.netmaster ?? 0) && !pidAlive(h2.pids.dockerd ?? 0), { timeoutMs: 10_000, what: 'killed daemons gone' });
    assert.equal((await c.status()).code, 1);

    await c.up({ hosts: 2 });
    const st = await c.status();
    assert.equal(st.code, 0, JSON.stringify(st.status));
    const fresh = c.state();
    assert.notEqual(fresh?.hosts[0]?.pids.netmaster, h1.pids.netmaster);

    const again = await c.up({ hosts: 2 });
    assert.match(again.stdout, /already up/);
    assert.deepEqual(c.state(), fresh, 'nothing was restarted');
  });

  void test('down leaves nothing', async () => {
    await c.down();
    assertNothingLeft(await c.leftovers());
  });
});
