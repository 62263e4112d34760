import assert from 'node:assert/strict';
import { test } from 'node:test';
import { endpointKey, endpointStateCodec, ipAllocationCodec, ipAllocKey, type EndpointState } from '@contiv/model';
import { noopLogger } from '@contiv/runtime';
import { MemoryStore } from '@contiv/store';
import { EndpointManager } from '../endpoint/endpoint-manager';
import { vethNames } from '../endpoint/naming';
import { TeardownQueue } from '../endpoint/teardown-queue';
import { StateCache } from '../network/state-cache';
import { endpointPortSpec } from '../ovs/endpoint-ports';
import { FakeControl, FakeEngine, FakeLinks, FakeVswitch } from '../testing/fakes';
import { networkState, putNetwork } from '../testing/state';
import { reconcileEndpoints } from './endpoint-reconciler';

const id = (c: string): string => c.repeat(64);

function record(endpointId: string, host = 'h1'): EndpointState {
  return {
    endpointId, tenantName: 'default', networkName: 'contiv-net', groupName: '', ipAddress: '100.1.1.3', ipv6Address: '', macAddress: '02:02:64:01:01:03',
    homingHost: host, intfName: vethNames(endpointId).host, vtepIp: '', containerId: '', containerName: '', createdAt: new Date().toISOString(),
  };
}

async function port(vs: FakeVswitch, endpointId: string): Promise<void> {
  await vs.addPort('contivbr', endpointPortSpec({ name: vethNames(endpointId).host, tag: 1, endpointId, tenantName: 'default', networkName: 'contiv-net', groupName: '', dockerNetworkId: '', mac: '', ip: '' }));
}

type ReconcileDeps = Parameters<typeof reconcileEndpoints>[0];

/** A host with one network (contiv-net, VLAN 9) in a memory store, fakes for OVS, links, netmaster and Docker, and the agent's endpoint manager. */
async function rig() {
  const store = new MemoryStore();
  await putNetwork(store, networkState({ networkName: 'contiv-net', subnet: '100.1.1.0/24', pktTag: 9 }));
  const cache = new StateCache(store, noopLogger);
  cache.start();
  await cache.waitSynced(2_000);
  const vs = new FakeVswitch();
  const links = new FakeLinks();
  const control = new FakeControl();
  const engine = new FakeEngine();
  const teardown = new TeardownQueue({ control, log: noopLogger });
  const endpoints = new EndpointManager({ vswitch: vs, links, control, teardown, bridge: 'contivbr', disableTxOffload: true, hostName: 'h1', vtepIp: '', uplinkMtu: () => Promise.resolve(1500), log: noopLogger });
  return {
    store, vs, links, control, engine, endpoints,
    /** An address of contiv-net allocated to `owner` on `host`. */
    alloc: async (ip: string, owner: string, host = 'h1'): Promise<void> => {
      await store.put(ipAllocKey('default', 'contiv-net', ip), ipAllocationCodec.encode({ owner, host, allocatedAt: new Date().toISOString() }));
    },
    /** What reconcileEndpoints needs on h1 (nothing issued by this run unless `issuedHere` says so). */
    deps: (extra: Partial<ReconcileDeps> = {}): ReconcileDeps => ({
      store, engine, vswitch: vs, links, endpoints, control, teardown, issuedHere: () => false, cache, bridge: 'contivbr', driverName: 'netplugin', hostName: 'h1', log: noopLogger, ...extra,
    }),
    close: async (): Promise<void> => {
      await cache.stop();
      await store.close();
    },
  };
}

void test('restart reconcile: keeps live endpoints, removes orphans, deletes dead records, restores lost ports', async () => {
  const r = await rig();
  const { store, vs, links, control, engine, endpoints } = r;

  // 1: in store and Docker, port present -> kept. 2: port only -> orphan. 3: record only, not in Docker -> dead.
  // 4: record + Docker, port lost but veth present -> restored. 5: record of another host -> ignored. 6: being created -> untouched.
  for (const e of ['1', '2', '6']) await port(vs, id(e));
  for (const e of ['1', '3', '4']) await store.put(endpointKey(id(e)), endpointStateCodec.encode(record(id(e))));
  await store.put(endpointKey(id('5')), endpointStateCodec.encode(record(id('5'), 'h2')));
  links.links.set(vethNames(id('4')).host, { mtu: 1450 });
  links.links.set(vethNames(id('2')).host, { mtu: 1450 });
  engine.add({ Id: 'n'.repeat(64), Name: 'contiv-net', Containers: { c1: { EndpointID: id('1') }, c4: { EndpointID: id('4') } } });
  endpoints.inFlight.add(id('6'));

  const report = await reconcileEndpoints(r.deps());
  assert.deepEqual(report, { kept: 2, removedPorts: [vethNames(id('2')).host], deletedRecords: [id('3')], restoredPorts: [vethNames(id('4')).host], removedVeths: [], releasedAddresses: [], deferred: 0 });
  assert.equal(links.links.has(vethNames(id('2')).host), false);
  assert.equal(vs.getPort(vethNames(id('4')).host)?.tag, 9);
  assert.deepEqual(control.calls, [{ method: 'DeleteEndpoint', req: { endpointId: id('3'), releaseAddress: true } }]);
  await r.close();
});

void test('restart reconcile: addresses and veths a stopped agent left to the background are cleaned up', async () => {
  const r = await rig();
  const { store, vs, links, control, engine } = r;
  const alloc = r.alloc;
  // .10: owned by an endpoint whose record is gone and Docker released it -> freed.
  await alloc('100.1.1.10', id('a'));
  // .11: pending from an earlier run of the agent, on no port -> freed. .12: pending from this run -> kept.
  await alloc('100.1.1.11', 'pending:h1:0123456789ab.x');
  await alloc('100.1.1.12', 'pending:h1:feedfeedfeed.y');
  // .13: endpoint still in Docker (its record lost) -> kept. .14: another host's -> kept. .15: a live record -> kept.
  await alloc('100.1.1.13', id('b'));
  engine.add({ Id: 'n'.repeat(64), Name: 'contiv-net', Containers: { cb: { EndpointID: id('b') } } });
  await alloc('100.1.1.14', id('c'), 'h2');
  await alloc('100.1.1.15', id('d'));
  await store.put(endpointKey(id('d')), endpointStateCodec.encode({ ...record(id('d')), ipAddress: '100.1.1.15' }));
  await port(vs, id('d'));
  // .16: pending from an earlier run but its port exists (Docker is creating that endpoint) -> kept.
  await alloc('100.1.1.16', 'pending:h1:0123456789ab.z');
  await vs.addPort('contivbr', endpointPortSpec({ name: vethNames(id('e')).host, tag: 9, endpointId: id('e'), tenantName: 'default', networkName: 'contiv-net', groupName: '', dockerNetworkId: '', mac: '', ip: '100.1.1.16' }));
  engine.add({ Id: 'm'.repeat(64), Name: 'other', Containers: { ce: { EndpointID: id('e') } } });
  // A veth of ours left behind by a background delete, and one whose endpoint Docker has.
  links.links.set(vethNames(id('f')).host, { mtu: 1450 });
  links.links.set(vethNames(id('b')).host, { mtu: 1450 });

  const report = await reconcileEndpoints(r.deps({ issuedHere: (rid) => rid.startsWith('feedfeedfeed.') }));
  assert.deepEqual(report.releasedAddresses.sort(), ['default/contiv-net/100.1.1.10', 'default/contiv-net/100.1.1.11']);
  assert.deepEqual(report.removedVeths, [vethNames(id('f')).host]);
  assert.ok(links.links.has(vethNames(id('b')).host));
  assert.deepEqual(
    control.calls.filter((c) => c.method === 'ReleaseAddress').map((c) => (c.req as { address: string }).address).sort(),
    ['100.1.1.10', '100.1.1.11'],
  );
  await r.close();
});

void test('restart reconcile in swarm: addresses are for the swarm manager to free', async () => {
  const r = await rig();
  const { store, control, engine } = r;
  engine.infoReply = { Name: 'w1', Swarm: { LocalNodeState: 'active' } };
  const alloc = r.alloc;
  // .10: a task's address whose endpoint is gone while the manager has not released it yet -> kept.
  await alloc('100.1.1.10', id('a'));
  // .11: the allocator's (a VIP) from an earlier run of this agent -> kept. .12: pending from an earlier run -> freed.
  await alloc('100.1.1.11', 'pending:h1:swarm.4c1d');
  await alloc('100.1.1.12', 'pending:h1:0123456789ab.x');
  // A record whose container is gone: deleted without its address.
  await store.put(endpointKey(id('3')), endpointStateCodec.encode(record(id('3'))));

  const report = await reconcileEndpoints(r.deps({ issuedHere: (rid) => rid.startsWith('swarm.') }));
  assert.deepEqual(report.releasedAddresses, ['default/contiv-net/100.1.1.12']);
  assert.deepEqual(report.deletedRecords, [id('3')]);
  assert.deepEqual(control.calls.find((c) => c.method === 'DeleteEndpoint')?.req, { endpointId: id('3'), releaseAddress: false });
  await r.close();
});

void test('periodic passes: an orphan is freed when a second pass finds it again; lost ports come back at once', async () => {
  const r = await rig();
  const { store, vs, links, control, engine, endpoints } = r;
  const alloc = r.alloc;
  const portWithIp = (endpointId: string, ip: string): Promise<unknown> =>
    vs.addPort('contivbr', endpointPortSpec({ name: vethNames(endpointId).host, tag: 9, endpointId, tenantName: 'default', networkName: 'contiv-net', groupName: '', dockerNetworkId: '', mac: '', ip }));

  // 1: created by this run; its record was deleted behind the agent's back and Docker no longer has it -> port and address go.
  endpoints.createdHere.add(id('1'));
  await portWithIp(id('1'), '100.1.1.21');
  links.links.set(vethNames(id('1')).host, { mtu: 1450 });
  await alloc('100.1.1.21', id('1'));
  // 2: created by this run, in Docker, record kept; its OVS port was removed behind the agent's back -> restored at once.
  endpoints.createdHere.add(id('2'));
  await store.put(endpointKey(id('2')), endpointStateCodec.encode({ ...record(id('2')), ipAddress: '100.1.1.22' }));
  await alloc('100.1.1.22', id('2'));
  links.links.set(vethNames(id('2')).host, { mtu: 1450 });
  engine.add({ Id: 'n'.repeat(64), Name: 'contiv-net', Containers: { c2: { EndpointID: id('2') } } });
  // .23: pending from this run, but older than the pending timeout (issuedHere says no) -> freed.
  await alloc('100.1.1.23', 'pending:h1:feedfeedfeed.old');

  const pass = async (previous: ReadonlySet<string>): Promise<{ report: Awaited<ReturnType<typeof reconcileEndpoints>>; current: Set<string> }> => {
    const current = new Set<string>();
    const report = await reconcileEndpoints(r.deps({ twoPass: { previous, current } }));
    return { report, current };
  };
  const first = await pass(new Set());
  assert.deepEqual(first.report.restoredPorts, [vethNames(id('2')).host]);
  assert.deepEqual([first.report.removedPorts, first.report.releasedAddresses], [[], []], 'nothing removed on first sight');
  assert.ok(first.report.deferred >= 2);
  assert.ok(vs.getPort(vethNames(id('1')).host));

  const second = await pass(first.current);
  assert.deepEqual(second.report.removedPorts, [vethNames(id('1')).host]);
  assert.deepEqual(second.report.releasedAddresses.sort(), ['default/contiv-net/100.1.1.21', 'default/contiv-net/100.1.1.23']);
  assert.equal(links.links.has(vethNames(id('1')).host), false);
  assert.ok(vs.getPort(vethNames(id('2')).host), 'the restored port stays');
  // Every release is guarded: this host, and the owner the pass saw.
  assert.deepEqual(
    control.calls.filter((c) => c.method === 'ReleaseAddress').map((c) => c.req).sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b))),
    [
      { tenantName: 'default', networkName: 'contiv-net', address: '100.1.1.21', host: 'h1', owner: id('1') },
      { tenantName: 'default', networkName: 'contiv-net', address: '100.1.1.23', host: 'h1', owner: 'pending:h1:feedfeedfeed.old' },
    ],
  );
  await r.close();
});

void test('a pass leaves alone endpoints created while it runs', async () => {
  const r = await rig();
  const { vs, engine, endpoints } = r;
  // The endpoint is created (port, then record, then done) after the pass read the records but before it reads the ports.
  const list = engine.listNetworks.bind(engine);
  engine.listNetworks = async (filter) => {
    await port(vs, id('7'));
    endpoints.createdHere.add(id('7'));
    return list(filter);
  };
  // Even with the orphan "seen before", a port created after the pass began stays.
  const twoPass = { previous: new Set([`port:${vethNames(id('7')).host}:${id('7')}`]), current: new Set<string>() };
  const report = await reconcileEndpoints(r.deps({ twoPass }));
  assert.deepEqual(report.removedPorts, []);
  assert.ok(vs.getPort(vethNames(id('7')).host));
  await r.close();
});

void test('an endpoint Docker no longer has (removed while the agent was down) loses port, record and address', async () => {
  const r = await rig();
  const { store, vs, links, control, engine } = r;
  await port(vs, id('8'));
  links.links.set(vethNames(id('8')).host, { mtu: 1450 });
  await store.put(endpointKey(id('8')), endpointStateCodec.encode(record(id('8'))));
  const run = (): ReturnType<typeof reconcileEndpoints> =>
    reconcileEndpoints(r.deps());

  // Docker lists no network of this driver at all (a wrong --driver-name looks like that): nothing is judged.
  assert.deepEqual((await run()).removedPorts, []);
  assert.ok(vs.getPort(vethNames(id('8')).host));

  engine.add({ Id: 'n'.repeat(64), Name: 'contiv-net', Containers: {} });
  const report = await run();
  assert.deepEqual(report.removedPorts, [vethNames(id('8')).host]);
  assert.deepEqual(report.deletedRecords, [id('8')]);
  assert.equal(links.links.has(vethNames(id('8')).host), false);
  assert.deepEqual(control.calls.filter((c) => c.method === 'DeleteEndpoint').map((c) => c.req), [{ endpointId: id('8'), releaseAddress: true }]);
  await r.close();
});
