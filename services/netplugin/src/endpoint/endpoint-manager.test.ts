import assert from 'node:assert/strict';
import { beforeEach, describe, test } from 'node:test';
import { noopLogger } from '@contiv/runtime';
import { FakeControl, FakeLinks, FakeVswitch, EP1, type Journal } from '../testing/fakes';
import { EndpointManager, type NetworkTarget } from './endpoint-manager';
import { vethNames } from './naming';
import { TeardownQueue } from './teardown-queue';

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
  let teardown: TeardownQueue;
  let mgr: EndpointManager;
  const names = vethNames(EP1);

  beforeEach(() => {
    journal = [];
    vs = new FakeVswitch(journal);
    links = new FakeLinks(journal);
    control = new FakeControl(journal);
    teardown = new TeardownQueue({ control, log: noopLogger, mergeWaitMs: 20, retryFirstMs: 10 });
    mgr = new EndpointManager({
      vswitch: vs,
      links,
      control,
      teardown,
      bridge: 'contivbr',
      disableTxOffload: true,
      hostName: 'h1',
      vtepIp: '192.168.0.1',
      uplinkMtu: () => Promise.resolve(1500),
      log: noopLogger,
    });
  });

  void test('create: the record at once, meanwhile veth, then tx off + tagged port with external_ids, then ofport', async () => {
    const res = await mgr.create({ endpointId: EP1, target, address: '100.1.1.3/24', macAddress: '' });
    assert.deepEqual(journal, ['control CreateEndpoint', `veth add ${names.host}`, `ethtool tx off ${names.peer}`, `ovs add ${names.host}`, `ovs ofport ${names.host}`]);
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
    mgr = new EndpointManager({ vswitch: vs, links, control, teardown, bridge: 'contivbr', disableTxOffload: false, hostName: 'h1', vtepIp: '', uplinkMtu: () => Promise.resolve(1500), log: noopLogger });
    await mgr.create({ endpointId: EP1, target, address: '100.1.1.3/24', macAddress: '' });
    assert.ok(!journal.some((j) => j.startsWith('ethtool')));
  });

  const nothingLeft = (): void => {
    assert.equal(vs.ports.size, 0);
    assert.equal(links.links.has(names.host), false);
    assert.equal(links.links.has(names.peer), false);
    assert.equal(control.records.size, 0);
    assert.equal(mgr.inFlight.size, 0);
  };

  void test('rollback when the record fails: local steps stop, everything started is undone', async () => {
    control.fail('CreateEndpoint', 'INVALID_ARGUMENT', 'address 100.1.1.3 is not allocated');
    await assert.rejects(mgr.create({ endpointId: EP1, target, address: '100.1.1.3/24', macAddress: '' }), /not allocated/);
    // The record may have been written before the failure was reported: its undo runs too.
    assert.ok(journal.includes('control DeleteEndpoint'), journal.join(', '));
    assert.ok(!journal.includes(`ovs ofport ${names.host}`), `no wait for an ofport after the refusal: ${journal.join(', ')}`);
    nothingLeft();
  });

  void test('rollback when the ofport never comes: port, veth and record, newest first', async () => {
    vs.failOfport = new Error('could not open network device');
    await assert.rejects(mgr.create({ endpointId: EP1, target, address: '100.1.1.3/24', macAddress: '' }), /could not open/);
    assert.deepEqual(journal.slice(5), [`ovs del ${names.host}`, `veth del ${names.host}`, 'control DeleteEndpoint']);
    nothingLeft();
  });

  void test('rollback when the port cannot be added: the port (in case it was written), the veth, the record', async () => {
    vs.failAddPort = new Error('Port cvh already exists on bridge other');
    await assert.rejects(mgr.create({ endpointId: EP1, target, address: '100.1.1.3/24', macAddress: '' }), /already exists/);
    assert.deepEqual(journal, ['control CreateEndpoint', `veth add ${names.host}`, `ethtool tx off ${names.peer}`, `ovs add ${names.host}`, `ovs del ${names.host}`, `veth del ${names.host}`, 'control DeleteEndpoint']);
    nothingLeft();
  });

  void test('rollback when ethtool fails: the port added meanwhile, the veth, the record', async () => {
    links.failEthtool = new Error('ethtool: Operation not supported');
    await assert.rejects(mgr.create({ endpointId: EP1, target, address: '100.1.1.3/24', macAddress: '' }), /ethtool/);
    assert.deepEqual(journal.slice(4), [`ovs del ${names.host}`, `veth del ${names.host}`, 'control DeleteEndpoint']);
    nothingLeft();
  });

  void test('netmaster unreachable during create: the local steps are undone, the record delete is retried in the background', async () => {
    control.fail('CreateEndpoint', 'NETMASTER_UNAVAILABLE', 'netmaster is unreachable');
    control.fail('DeleteEndpoint', 'NETMASTER_UNAVAILABLE', 'netmaster is unreachable');
    await assert.rejects(mgr.create({ endpointId: EP1, target, address: '100.1.1.3/24', macAddress: '' }), /unreachable/);
    assert.equal(vs.ports.size, 0);
    assert.equal(links.links.has(names.host), false);
    assert.ok(teardown.hasEndpoint(EP1));
    control.failures.clear();
    await teardown.idle();
    assert.deepEqual(control.calls.at(-1), { method: 'DeleteEndpoint', req: { endpointId: EP1, releaseAddress: false } });
  });

  void test('a veth left by an earlier attempt is replaced', async () => {
    links.links.set(names.host, { mtu: 1500, peer: names.peer });
    links.links.set(names.peer, { mtu: 1500, peer: names.host });
    await mgr.create({ endpointId: EP1, target, address: '100.1.1.3/24', macAddress: '' });
    assert.deepEqual(journal.slice(1, 4), [`veth add ${names.host}`, `veth del ${names.host}`, `veth add ${names.host}`]);
    assert.equal(links.links.get(names.peer)?.mtu, 1450);
  });

  void test('an endpoint without an IPv4 address is refused before anything is done', async () => {
    await assert.rejects(mgr.create({ endpointId: EP1, target, address: '', macAddress: '' }), /has no IPv4 address/);
    assert.deepEqual(journal, []);
  });

  void test('delete: the port at once; veth and record (merged with Docker\'s ReleaseAddress) after; repeatable', async () => {
    await mgr.create({ endpointId: EP1, target, address: '100.1.1.3/24', macAddress: '' });
    journal.length = 0;
    control.calls.length = 0;
    await mgr.delete(EP1);
    assert.equal(journal[0], `ovs del ${names.host}`);
    assert.equal(vs.ports.size, 0);
    assert.ok(teardown.hasEndpoint(EP1));
    assert.ok(teardown.hasAddress({ tenantName: 'default', networkName: 'contiv-net', ip: '100.1.1.3' }));
    // Docker's ReleaseAddress of the endpoint's address comes right after: one call does both.
    teardown.releaseAddress({ tenantName: 'default', networkName: 'contiv-net', ip: '100.1.1.3' });
    await teardown.idle();
    await mgr.settle(1_000);
    assert.deepEqual(control.calls, [{ method: 'DeleteEndpoint', req: { endpointId: EP1, releaseAddress: true } }]);
    assert.equal(links.links.has(names.host), false);
    assert.equal(control.records.has(EP1), false);
    journal.length = 0;
    await mgr.delete(EP1);
    await teardown.idle();
    assert.deepEqual(journal, ['control DeleteEndpoint']);
  });

  void test('delete succeeds locally while netmaster is away, and retries the record', async () => {
    await mgr.create({ endpointId: EP1, target, address: '100.1.1.3/24', macAddress: '' });
    control.fail('DeleteEndpoint', 'NETMASTER_UNAVAILABLE', 'netmaster is unreachable');
    await mgr.delete(EP1);
    assert.equal(vs.ports.size, 0);
    await new Promise((r) => setTimeout(r, 50));
    assert.ok(control.records.has(EP1));
    control.failures.clear();
    await teardown.idle();
    assert.equal(control.records.has(EP1), false);
  });
});
