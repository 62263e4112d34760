import assert from 'node:assert/strict';
import { beforeEach, describe, test } from 'node:test';
import { noopLogger } from '@contiv/runtime';
import { FakeControl, FakeLinks, FakeVswitch, EP1, type Journal } from '../testing/fakes';
import { EndpointManager, type NetworkTarget } from './endpoint-manager';
import { vethNames } from './naming';

const target: NetworkTarget = {
  tenantName: 'default',
  networkName: 'contiv-net',
  groupName: '',
  encap: 'vxlan',
  pktTag: 7,
  gateway: '100.1.1.100',
  dockerNetworkId: 'd'.repeat(64),
};

void describe('EndpointManager', () => {
  let journal: Journal;
  let vs: FakeVswitch;
  let links: FakeLinks;
  let control: FakeControl;
  let mgr: EndpointManager;
  const names = vethNames(EP1);

  beforeEach(() => {
    journal = [];
    vs = new FakeVswitch(journal);
    links = new FakeLinks(journal);
    control = new FakeControl(journal);
    mgr = new EndpointManager({
      vswitch: vs,
      links,
      control,
      bridge: 'contivbr',
      disableTxOffload: true,
      hostName: 'h1',
      vtepIp: '192.168.0.1',
      uplinkMtu: () => Promise.resolve(1500),
      log: noopLogger,
    });
  });

  void test('create: veth, then tx off + tagged port with external_ids, then ofport + record', async () => {
    const res = await mgr.create({ endpointId: EP1, target, address: '100.1.1.3/24', macAddress: '' });
    assert.deepEqual(journal, [`veth add ${names.host}`, `ethtool tx off ${names.peer}`, `ovs add ${names.host}`, 'control CreateEndpoint', `ovs ofport ${names.host}`]);
    assert.equal(res.macAddress, '02:02:64:01:01:03');
    assert.equal(res.containerInterface, names.peer);
    assert.deepEqual(links.links.get(names.peer), { mtu: 1450, peer: names.host, mac: '02:02:64:01:01:03' });
    const port = vs.getPort(names.host);
    assert.equal(port?.tag, 7);
    assert.deepEqual(port?.externalIds, {
      'contiv-endpoint-id': EP1,
      'contiv-tenant': 'default',
      'contiv-network': 'contiv-net',
      'contiv-group': '',
      'contiv-docker-network-id': target.dockerNetworkId,
      'attached-mac': '02:02:64:01:01:03',
      'ip-address': '100.1.1.3',
    });
    const rec = control.records.get(EP1);
    assert.equal(rec?.ipAddress, '100.1.1.3');
    assert.equal(rec?.homingHost, 'h1');
    assert.equal(rec?.intfName, names.host);
  });

  void test('a MAC from Docker is used and not returned; vlan networks keep the uplink MTU', async () => {
    const res = await mgr.create({ endpointId: EP1, target: { ...target, encap: 'vlan' }, address: '100.1.1.3/24', macAddress: '02:42:ac:11:00:02' });
    assert.equal(res.macAddress, '');
    assert.deepEqual(links.links.get(names.peer), { mtu: 1500, peer: names.host, mac: '02:42:ac:11:00:02' });
  });

  void test('no TX offload change on the kernel datapath', async () => {
    mgr = new EndpointManager({ vswitch: vs, links, control, bridge: 'contivbr', disableTxOffload: false, hostName: 'h1', vtepIp: '', uplinkMtu: () => Promise.resolve(1500), log: noopLogger });
    await mgr.create({ endpointId: EP1, target, address: '100.1.1.3/24', macAddress: '' });
    assert.ok(!journal.some((j) => j.startsWith('ethtool')));
  });

  void test('rollback when the record fails: record, port, veth undone newest first', async () => {
    control.fail('CreateEndpoint', 'INVALID_ARGUMENT', 'address 100.1.1.3 is not allocated');
    await assert.rejects(mgr.create({ endpointId: EP1, target, address: '100.1.1.3/24', macAddress: '' }), /not allocated/);
    assert.deepEqual(journal.slice(5), ['control DeleteEndpoint', `ovs del ${names.host}`, `veth del ${names.host}`]);
    assert.equal(vs.ports.size, 0);
    assert.equal(links.links.has(names.host), false);
    assert.equal(links.links.has(names.peer), false);
    assert.equal(mgr.inFlight.size, 0);
  });

  void test('rollback when the ofport never comes: record, port, veth', async () => {
    vs.failOfport = new Error('could not open network device');
    await assert.rejects(mgr.create({ endpointId: EP1, target, address: '100.1.1.3/24', macAddress: '' }), /could not open/);
    assert.deepEqual(journal.slice(5), ['control DeleteEndpoint', `ovs del ${names.host}`, `veth del ${names.host}`]);
    assert.equal(control.records.size, 0);
    assert.equal(vs.ports.size, 0);
  });

  void test('rollback when the port cannot be added: the port (in case it was written) and the veth', async () => {
    vs.failAddPort = new Error('Port cvh already exists on bridge other');
    await assert.rejects(mgr.create({ endpointId: EP1, target, address: '100.1.1.3/24', macAddress: '' }), /already exists/);
    assert.deepEqual(journal, [`veth add ${names.host}`, `ethtool tx off ${names.peer}`, `ovs add ${names.host}`, `ovs del ${names.host}`, `veth del ${names.host}`]);
    assert.equal(control.calls.length, 0);
  });

  void test('rollback when ethtool fails: the port added meanwhile, then the veth', async () => {
    links.failEthtool = new Error('ethtool: Operation not supported');
    await assert.rejects(mgr.create({ endpointId: EP1, target, address: '100.1.1.3/24', macAddress: '' }), /ethtool/);
    assert.deepEqual(journal, [`veth add ${names.host}`, `ethtool tx off ${names.peer}`, `ovs add ${names.host}`, `ovs del ${names.host}`, `veth del ${names.host}`]);
    assert.equal(vs.ports.size, 0);
  });

  void test('a veth left by an earlier attempt is replaced', async () => {
    links.links.set(names.host, { mtu: 1500, peer: names.peer });
    links.links.set(names.peer, { mtu: 1500, peer: names.host });
    await mgr.create({ endpointId: EP1, target, address: '100.1.1.3/24', macAddress: '' });
    assert.deepEqual(journal.slice(0, 3), [`veth add ${names.host}`, `veth del ${names.host}`, `veth add ${names.host}`]);
    assert.equal(links.links.get(names.peer)?.mtu, 1450);
  });

  void test('an endpoint without an IPv4 address is refused before anything is done', async () => {
    await assert.rejects(mgr.create({ endpointId: EP1, target, address: '', macAddress: '' }), /has no IPv4 address/);
    assert.deepEqual(journal, []);
  });

  void test('delete: port, veth, record; repeatable', async () => {
    await mgr.create({ endpointId: EP1, target, address: '100.1.1.3/24', macAddress: '' });
    journal.length = 0;
    await mgr.delete(EP1);
    assert.deepEqual(journal, ['control DeleteEndpoint', `ovs del ${names.host}`, `veth del ${names.host}`]);
    assert.deepEqual(control.calls.at(-1)?.req, { endpointId: EP1, releaseAddress: false });
    journal.length = 0;
    await mgr.delete(EP1);
    assert.deepEqual(journal, ['control DeleteEndpoint']);
  });

  void test('delete succeeds locally while netmaster is away, and retries the record', async () => {
    mgr = new EndpointManager({ vswitch: vs, links, control, bridge: 'contivbr', disableTxOffload: true, hostName: 'h1', vtepIp: '', uplinkMtu: () => Promise.resolve(1500), log: noopLogger, recordRetryMs: 10 });
    await mgr.create({ endpointId: EP1, target, address: '100.1.1.3/24', macAddress: '' });
    control.fail('DeleteEndpoint', 'NETMASTER_UNAVAILABLE', 'netmaster is unreachable');
    await mgr.delete(EP1);
    assert.equal(vs.ports.size, 0);
    control.failures.clear();
    const deadline = Date.now() + 2_000;
    while (control.records.has(EP1) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    assert.equal(control.records.has(EP1), false);
    mgr.stop();
  });
});
