/**
 * Consul as the cluster store, end to end: a 2-host local cluster with
 * `up --store consul` (a Consul dev agent on h1, netmaster and both agents on
 * consul://192.168.250.11:8500), the legacy workflow across hosts, and the
 * state it leaves in Consul's KV while it runs and after `netctl network rm`.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { LocalCluster } from '../harness/cluster/client';
import { eventually } from '../harness/eventually';

const HOSTS = ['h1', 'h2'];
const NETWORK_KEY = 'contiv.io/v1/state/networks/default/contiv-net';

/** Consul's KV on h1, asked with Consul's own CLI: keys without the store's leading "/". */
async function consulKeys(c: LocalCluster, prefix: string): Promise<string[]> {
  const r = await c.exec('h1', ['consul', 'kv', 'get', '-keys', '-separator=', prefix]);
  return r.stdout.split('\n').filter(Boolean);
}

async function netpluginNetworks(c: LocalCluster, host: string): Promise<string[]> {
  const r = await c.docker(host, 'network', 'ls', '--filter', 'driver=netplugin', '--format', '{{.Name}}');
  return r.stdout.split('\n').filter(Boolean);
}

void describe('Consul cluster store: 2 hosts with up --store consul', { timeout: 600_000 }, () => {
  let cluster: LocalCluster | undefined;
  const c = (): LocalCluster => {
    if (cluster === undefined) throw new Error('the cluster did not start (see the before hook error)');
    return cluster;
  };
  before(
    async () => {
      const made = LocalCluster.create();
      cluster = made;
      const r = await made.tool(['up', '--hosts', '2', '--store', 'consul', '--debug']);
      assert.equal(r.code, 0, `up --store consul failed:\n${r.stdout}\n${r.stderr}`);
    },
    { timeout: 300_000 },
  );
  after(() => cluster?.destroy(), { timeout: 300_000 });

  void test('status: Consul runs on h1 and everyone uses it', async () => {
    const { code, status } = await c().status();
    assert.equal(code, 0, JSON.stringify(status, null, 2));
    assert.equal(status.options?.store, 'consul');
    assert.equal(status.clusterStore, 'consul://192.168.250.11:8500');
    assert.ok(status.storeHealthy && status.netmasterLeader);
    assert.equal(status.hosts[0]?.processes['consul'], true);
    // The agents registered their nodes through Consul.
    assert.deepEqual(await consulKeys(c(), 'contiv.io/v1/nodes/'), HOSTS.map((h) => `contiv.io/v1/nodes/${c().name}-${h}`));
  });

  void test('netctl network create, c1 on h1, ping by name and by address from h2 over VXLAN', async () => {
    await c().netctl('h1', 'network', 'create', 'contiv-net', '-s', '100.1.1.1/24', '-g', '100.1.1.100');
    for (const h of HOSTS) assert.deepEqual(await netpluginNetworks(c(), h), ['contiv-net'], `Docker on ${h} has contiv-net`);
    assert.deepEqual(await consulKeys(c(), NETWORK_KEY), [NETWORK_KEY]);
    await c().docker('h1', 'run', '-itd', '--net=contiv-net', '--name=c1', 'busybox', '/bin/sh');
    const ip = (await c().docker('h1', 'inspect', '-f', '{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}', 'c1')).stdout.trim();
    assert.match(ip, /^100\.1\.1\.\d+$/);
    const r = await c().docker('h2', 'run', '--rm', '--net=contiv-net', 'busybox', 'sh', '-c', `ping -c2 -W2 c1 && ping -c2 -W2 ${ip}`);
    // Both pings answered (the && chain); the second one, on a path already used, with no loss. (That the very
    // first packet is answered is multihost.e2e's check; on this loaded CI machine the Consul-backed cluster lost it once.)
    assert.match(r.stdout, /2 packets transmitted, [12] packets received[\s\S]*2 packets transmitted, 2 packets received/, r.stdout);
  });

  void test('netctl network rm after the containers go: gone from both engines and from Consul', async () => {
    await c().docker('h1', 'rm', '-f', 'c1');
    // The endpoints are released in the background: rm may need a moment.
    await eventually(() => c().netctl('h1', 'network', 'rm', 'contiv-net'), { timeoutMs: 30_000, intervalMs: 500, what: 'netctl network rm' });
    await eventually(
      async () => {
        for (const h of HOSTS) assert.deepEqual(await netpluginNetworks(c(), h), [], `${h} still has contiv-net`);
      },
      { timeoutMs: 30_000, intervalMs: 250, what: 'contiv-net gone from both engines' },
    );
    assert.deepEqual(await consulKeys(c(), NETWORK_KEY), []);
    assert.deepEqual(await consulKeys(c(), 'contiv.io/v1/ipam/default/contiv-net/'), []);
  });
});

void describe('Consul cluster store: refused with dockerd --cluster-store', () => {
  const c = LocalCluster.create();
  after(() => c.destroy(), { timeout: 300_000 });

  void test('up --store consul --cluster-store says why and starts nothing', async () => {
    const r = await c.tool(['up', '--hosts', '1', '--store', 'consul', '--cluster-store']);
    assert.equal(r.code, 2, r.stdout + r.stderr);
    assert.match(r.stderr, /--cluster-store needs --store etcd/);
    assert.deepEqual(await c.leftovers(), { netns: [], pids: [], cgroups: [], dirExists: false });
  });
});
