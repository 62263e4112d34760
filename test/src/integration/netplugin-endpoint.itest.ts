/**
 * netplugin + driver shim against real OVS, real etcd and a real netmaster,
 * driven with Docker's exact call sequence on the plugin socket
 * (PROTOCOLS.md §1–2, ENVIRONMENT.md §4.2): the endpoint's veth and tagged OVS
 * port appear, traffic (ping and TCP) flows between two endpoints, and
 * deleting releases everything; a failing step leaves nothing behind; an agent
 * restart does not disturb existing endpoints.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { endpointKey, ipAllocKey, networkStateCodec, networkStateKey } from '@contiv/model';
import { eventually } from '../harness/eventually';
import { run } from '../harness/exec';
import { BRIDGE, startAgentRig, type AgentRig } from './netplugin-rig';

const NID = 'c0ffee'.padEnd(64, '1');
const ep = (n: number): string => `${String(n).repeat(12)}`.padEnd(64, 'a');
const host = (id: string): string => `cvh${id.slice(0, 12)}`;
const peer = (id: string): string => `cvc${id.slice(0, 12)}`;
const POOL_ID = 'default/contiv-net|100.1.1.0/24';

void describe('netplugin endpoints on real OVS, etcd and netmaster', { timeout: 240_000 }, () => {
  let rig: AgentRig;
  let pktTag = 0;

  before(async () => {
    rig = await startAgentRig();
    await rig.startNetplugin();
    await rig.startShim();
    await rig.netctlPost('/api/v1/networks/default:contiv-net/', {
      key: 'default:contiv-net',
      tenantName: 'default',
      networkName: 'contiv-net',
      subnet: '100.1.1.1/24',
      gateway: '100.1.1.100',
      encap: 'vxlan',
      nwType: 'data',
    });
    const state = await eventually(async () => {
      const e = await rig.store.get(networkStateKey('default', 'contiv-net'));
      if (!e) throw new Error('no network state yet');
      return networkStateCodec.decode(e.value);
    }, { what: 'the network state' });
    pktTag = state.pktTag;
    assert.ok(pktTag > 0);
  });
  after(async () => {
    await rig?.stop();
  });

  /** What dockerd does for `docker network create` of a network the agent made (legacy mode). */
  async function createDockerNetwork(): Promise<void> {
    assert.deepEqual(await rig.ok('/Plugin.Activate'), { Implements: ['NetworkDriver', 'IpamDriver'] });
    const caps = await rig.ok('/NetworkDriver.GetCapabilities');
    assert.equal(caps.Scope, 'local');
    await rig.ok('/IpamDriver.GetCapabilities');
    assert.deepEqual(await rig.ok('/IpamDriver.GetDefaultAddressSpaces'), { LocalDefaultAddressSpace: 'contiv-local', GlobalDefaultAddressSpace: 'contiv-global' });
    const pool = await rig.ok('/IpamDriver.RequestPool', { AddressSpace: 'contiv-local', Pool: '100.1.1.0/24', SubPool: '', Options: { tenant: 'default', network: 'contiv-net' }, V6: false });
    assert.deepEqual(pool, { PoolID: POOL_ID, Pool: '100.1.1.0/24', Data: {} });
    const gw = await rig.ok('/IpamDriver.RequestAddress', { PoolID: POOL_ID, Address: '', Options: { RequestAddressType: 'com.docker.network.gateway' } });
    assert.equal(gw.Address, '100.1.1.100/24');
    await rig.ok('/NetworkDriver.CreateNetwork', {
      NetworkID: NID,
      Options: { 'com.docker.network.enable_ipv6': false, 'com.docker.network.generic': { tenant: 'default', network: 'contiv-net', encap: 'vxlan', 'pkt-tag': String(pktTag) } },
      IPv4Data: [{ AddressSpace: 'contiv-local', Gateway: '100.1.1.100/24', Pool: '100.1.1.0/24' }],
      IPv6Data: [],
    });
  }

  /** What dockerd does for `docker run --net`: address, endpoint, join. Returns the CIDR address. */
  async function attach(id: string): Promise<string> {
    const addr = String((await rig.ok('/IpamDriver.RequestAddress', { PoolID: POOL_ID, Address: '', Options: null })).Address);
    assert.match(addr, /^100\.1\.1\.\d+\/24$/);
    const ip = addr.split('/')[0] as string;
    const mac = `02:02:${ip.split('.').map((o) => Number(o).toString(16).padStart(2, '0')).join(':')}`;
    const created = await rig.ok('/NetworkDriver.CreateEndpoint', {
      NetworkID: NID,
      EndpointID: id,
      Interface: { Address: addr, AddressIPv6: '', MacAddress: '' },
      Options: { 'com.docker.network.endpoint.exposedports': [], 'com.docker.network.portmap': [] },
    });
    assert.deepEqual(created, { Interface: { MacAddress: mac } });
    const joined = await rig.ok('/NetworkDriver.Join', { NetworkID: NID, EndpointID: id, SandboxKey: '/var/run/docker/netns/0f6f1a539d0b', Options: {} });
    assert.deepEqual(joined, { InterfaceName: { SrcName: peer(id), DstPrefix: 'eth' }, Gateway: '100.1.1.100', GatewayIPv6: '', StaticRoutes: [], DisableGatewayService: false });
    await rig.ok('/NetworkDriver.EndpointOperInfo', { NetworkID: NID, EndpointID: id });
    return addr;
  }

  /** What dockerd does when the container goes: leave, delete, release. */
  async function detach(id: string, addr: string): Promise<void> {
    await rig.ok('/NetworkDriver.Leave', { NetworkID: NID, EndpointID: id });
    await rig.ok('/NetworkDriver.DeleteEndpoint', { NetworkID: NID, EndpointID: id });
    await rig.ok('/IpamDriver.ReleaseAddress', { PoolID: POOL_ID, Address: addr.split('/')[0] });
  }

  async function ports(): Promise<string[]> {
    return (await rig.ovs.vsctl('list-ports', BRIDGE)).split('\n').filter(Boolean);
  }

  async function linkExists(name: string): Promise<boolean> {
    return (await run('ip', ['-n', rig.netns, 'link', 'show', name], { allowFail: true })).code === 0;
  }

  void test('endpoint create: veth (MTU, MAC, tx off) and a tagged OVS port with external_ids; delete releases everything', async () => {
    await createDockerNetwork();
    const id = ep(1);
    const addr = await attach(id);
    const ip = addr.split('/')[0] as string;

    assert.deepEqual(await ports(), [host(id)]);
    assert.equal(await rig.ovs.vsctl('get', 'port', host(id), 'tag'), String(pktTag));
    const ext = (await rig.ovs.vsctl('get', 'port', host(id), 'external_ids')).replaceAll('"', '');
    for (const kv of [`contiv-endpoint-id=${id}`, 'contiv-tenant=default', 'contiv-network=contiv-net', `ip-address=${ip}`]) assert.ok(ext.includes(kv), `${kv} in ${ext}`);
    assert.ok(Number(await rig.ovs.vsctl('get', 'interface', host(id), 'ofport')) > 0);
    const link = JSON.parse(await rig.inNetns('ip', '-j', 'link', 'show', peer(id))) as Array<{ mtu: number; address: string }>;
    assert.equal(link[0]?.mtu, 1450);
    assert.equal(link[0]?.address, `02:02:${ip.split('.').map((o) => Number(o).toString(16).padStart(2, '0')).join(':')}`);
    assert.match(await rig.inNetns('ethtool', '-k', peer(id)), /^tx-checksumming: off/m);

    const record = await rig.store.get(endpointKey(id));
    assert.ok(record, 'endpoint record written by netmaster');
    assert.equal((JSON.parse(record.value) as { ipAddress: string; homingHost: string }).ipAddress, ip);
    assert.ok(await rig.store.get(ipAllocKey('default', 'contiv-net', ip)), 'address allocated');

    await detach(id, addr);
    // Docker is answered once the port is gone; the veth, the record and the address follow in the background.
    assert.deepEqual(await ports(), []);
    await eventually(
      async () => {
        assert.equal(await linkExists(host(id)), false);
        assert.equal(await linkExists(peer(id)), false);
        assert.equal(await rig.store.get(endpointKey(id)), undefined);
        assert.equal(await rig.store.get(ipAllocKey('default', 'contiv-net', ip)), undefined, 'address released');
      },
      { timeoutMs: 10_000, what: 'the veth, the endpoint record and the address to be released' },
    );
  });

  void test('two endpoints on the bridge talk: ping and TCP', async () => {
    const ids = [ep(2), ep(3)];
    const addrs: string[] = [];
    const sandboxes = ids.map((_, i) => `${rig.netns}c${i}`);
    try {
      for (const [i, id] of ids.entries()) {
        addrs.push(await attach(id));
        // What Docker does with SrcName: into the sandbox, renamed eth0, address set, up.
        const sb = sandboxes[i] as string;
        await run('ip', ['netns', 'add', sb]);
        await run('ip', ['-n', rig.netns, 'link', 'set', peer(id), 'netns', sb]);
        await run('ip', ['-n', sb, 'link', 'set', peer(id), 'name', 'eth0']);
        await run('ip', ['-n', sb, 'addr', 'add', addrs[i] as string, 'dev', 'eth0']);
        await run('ip', ['-n', sb, 'link', 'set', 'eth0', 'up']);
        await run('ip', ['-n', sb, 'link', 'set', 'lo', 'up']);
      }
      const [a, b] = addrs.map((x) => x.split('/')[0] as string) as [string, string];
      await eventually(async () => (await run('ip', ['netns', 'exec', sandboxes[0] as string, 'ping', '-c1', '-W1', b], { allowFail: true })).code === 0, {
        timeoutMs: 20_000,
        what: `ping ${a} -> ${b}`,
      });
      // TCP needs TX checksum offload off on the container side (netdev datapath).
      // (busybox wget crashes under `ip netns exec` here; curl and busybox httpd are fine.)
      const www = `${rig.dir}/www`;
      await run('mkdir', ['-p', www]);
      await run('sh', ['-c', `echo hello-contiv > ${www}/index.html`]);
      const httpd = run('ip', ['netns', 'exec', sandboxes[1] as string, 'timeout', '20', 'busybox', 'httpd', '-f', '-p', '8080', '-h', www], { allowFail: true });
      const page = await eventually(async () => {
        const r = await run('ip', ['netns', 'exec', sandboxes[0] as string, 'curl', '-sS', '-m', '3', `http://${b}:8080/`], { allowFail: true });
        if (r.code !== 0) throw new Error(`curl: ${r.stderr}`);
        return r.stdout;
      }, { timeoutMs: 15_000, what: 'an HTTP answer over TCP' });
      assert.equal(page.trim(), 'hello-contiv');
      await run('pkill', ['-f', `httpd -f -p 8080 -h ${www}`], { allowFail: true });
      await httpd;
    } finally {
      for (const sb of sandboxes) await run('ip', ['netns', 'del', sb], { allowFail: true });
    }
    for (const [i, id] of ids.entries()) await detach(id, addrs[i] as string);
    assert.deepEqual(await ports(), []);
  });

  void test('a failing step rolls back: no veth, no port of ours, no endpoint record', async () => {
    const id = ep(4);
    // A port of that name on another bridge makes our add-port fail after the veth exists.
    await rig.ovs.vsctl('add-br', 'other', '--', 'set', 'bridge', 'other', 'datapath_type=netdev', '--', 'add-port', 'other', host(id));
    const addr = String((await rig.ok('/IpamDriver.RequestAddress', { PoolID: POOL_ID, Address: '', Options: null })).Address);
    const r = await rig.call('/NetworkDriver.CreateEndpoint', { NetworkID: NID, EndpointID: id, Interface: { Address: addr, AddressIPv6: '', MacAddress: '' }, Options: {} });
    assert.equal(r.status, 200);
    assert.match(String(r.json.Err), /already exists on bridge other/);
    assert.equal(await linkExists(host(id)), false);
    assert.equal(await linkExists(peer(id)), false);
    assert.deepEqual(await ports(), []);
    assert.equal(await rig.store.get(endpointKey(id)), undefined);
    // Docker releases the address after a failed CreateEndpoint (netmaster frees it right after the answer).
    await rig.ok('/IpamDriver.ReleaseAddress', { PoolID: POOL_ID, Address: addr.split('/')[0] });
    await eventually(async () => assert.equal(await rig.store.get(ipAllocKey('default', 'contiv-net', addr.split('/')[0] as string)), undefined), {
      timeoutMs: 10_000,
      what: 'the address to be released',
    });
    await rig.ovs.vsctl('del-br', 'other');
  });

  void test('bad input: clear errors with Docker error shapes, nothing changed', async () => {
    const m = await rig.call('/NetworkDriver.CreateNetwork', '{"NetworkID": "x", ');
    assert.equal(m.status, 400);
    assert.match(String(m.json.Err), /^malformed JSON in \/NetworkDriver\.CreateNetwork: /);
    const overlap = await rig.call('/IpamDriver.RequestPool', { AddressSpace: 'contiv-local', Pool: '100.1.0.0/16', SubPool: '', Options: {}, V6: false });
    assert.equal(overlap.status, 500);
    assert.match(String(overlap.json.Error), /overlaps the subnet 100\.1\.1\.0\/24 of Contiv network "contiv-net"/);
    assert.equal(overlap.json.Err, overlap.json.Error);
    const none = await rig.call('/IpamDriver.RequestPool', { AddressSpace: 'contiv-local', Pool: '', SubPool: '', Options: {}, V6: false });
    assert.match(String(none.json.Err), /--subnet is required/);
    const invalid = await rig.call('/IpamDriver.RequestPool', { AddressSpace: 'contiv-local', Pool: '10.1.2.3/40', SubPool: '', Options: {}, V6: false });
    assert.match(String(invalid.json.Err), /invalid --subnet "10\.1\.2\.3\/40"/);
    const unknown = await rig.call('/NetworkDriver.Nope', {});
    assert.equal(unknown.status, 404);
    assert.deepEqual(await ports(), []);
  });

  void test('an agent restart leaves existing endpoints alone', async () => {
    const id = ep(5);
    const addr = await attach(id);
    const uuid = await rig.ovs.vsctl('get', 'port', host(id), '_uuid');
    await rig.stopNetplugin();
    // Agent gone: the shim says so at once, in Docker's error shape.
    const down = await rig.call('/NetworkDriver.EndpointOperInfo', { NetworkID: NID, EndpointID: id });
    assert.match(String(down.json.Err), /^netplugin agent is not reachable at unix:/);
    await rig.startNetplugin();
    await rig.ok('/NetworkDriver.EndpointOperInfo', { NetworkID: NID, EndpointID: id });
    assert.equal(await rig.ovs.vsctl('get', 'port', host(id), '_uuid'), uuid, 'same OVS port');
    assert.ok(await linkExists(host(id)));
    assert.ok(await rig.store.get(endpointKey(id)));
    await detach(id, addr);
    assert.deepEqual(await ports(), []);
  });
});
