import assert from 'node:assert/strict';
import test from 'node:test';
import { endpointKey, endpointStateCodec, type EndpointState } from '@contiv/model';
import { noopLogger } from '@contiv/runtime';
import { MemoryStore } from '@contiv/store';
import { EP1, EP2, FakeControl, FakeEngine } from '../testing/fakes';
import { ContainerNameRecorder, containerLabels, type ContainerNameRecorderOptions } from './container-names';

const NET = 'n'.repeat(64);
const CID1 = 'c1'.repeat(32);
const CID2 = 'c2'.repeat(32);

function record(p: Partial<EndpointState> & { endpointId: string; ipAddress: string }): EndpointState {
  return {
    tenantName: 'default',
    networkName: 'contiv-net',
    groupName: '',
    ipv6Address: '',
    macAddress: '02:02:0a:01:01:01',
    homingHost: 'h1',
    intfName: 'cvh-x',
    vtepIp: '192.168.250.11',
    containerId: '',
    containerName: '',
    createdAt: '2024-01-01T00:00:00.000Z',
    ...p,
  };
}

async function rig(records: EndpointState[], opts: Partial<ContainerNameRecorderOptions> = {}) {
  const store = new MemoryStore();
  for (const r of records) await store.put(endpointKey(r.endpointId), endpointStateCodec.encode(r));
  const engine = new FakeEngine();
  engine.add({ Id: NET, Name: 'contiv-net' });
  const control = new FakeControl();
  // A virtual clock: sleeping advances it, so the backoff is observable without waiting.
  let clock = 0;
  const sleeps: number[] = [];
  const recorder = new ContainerNameRecorder({
    engine,
    store,
    control,
    hostName: 'h1',
    driverName: 'netplugin',
    log: noopLogger,
    now: () => clock,
    sleep: (ms) => {
      sleeps.push(ms);
      clock += ms;
      return Promise.resolve();
    },
    ...opts,
  });
  const attach = (endpointId: string, containerId: string, name: string): void => {
    const net = engine.networks.get(NET);
    assert.ok(net);
    engine.networks.set(NET, { ...net, Containers: { ...(net.Containers ?? {}), [containerId]: { Name: name, EndpointID: endpointId } } });
  };
  return { store, engine, control, recorder, sleeps, attach };
}

void test('after Join: polls with a doubling backoff until Docker shows the endpoint, then sends the record with the container', async () => {
  const ep = record({ endpointId: EP1, ipAddress: '10.1.1.1' });
  const r = await rig([ep]);
  let polls = 0;
  const inspect = r.engine.inspectNetwork.bind(r.engine);
  r.engine.inspectNetwork = (id: string) => {
    if (++polls === 4) r.attach(EP1, CID1, 'web');
    return inspect(id);
  };
  assert.equal(await r.recorder.afterJoin(EP1, NET), true);
  assert.deepEqual(r.sleeps, [50, 100, 200, 400]);
  assert.deepEqual(r.control.methods(), ['CreateEndpoint']);
  const { createdAt: _createdAt, ...fields } = ep;
  assert.deepEqual(r.control.records.get(EP1), { ...fields, containerId: CID1, containerName: 'web', labels: {} });
});

void test('records the container’s labels (Config.Labels), checked, and updates a record whose labels differ', async () => {
  const ep = record({ endpointId: EP1, ipAddress: '10.1.1.1', containerId: CID1, containerName: 'web' });
  const r = await rig([ep]);
  r.attach(EP1, CID1, 'web');
  const inspected: string[] = [];
  const engine = Object.assign(r.engine, {
    inspectContainer: (id: string) => {
      inspected.push(id);
      return Promise.resolve({ Id: id, Config: { Labels: { app: 'web', tier: 'front' } } });
    },
  });
  const recorder = new ContainerNameRecorder({ engine, store: r.store, control: r.control, hostName: 'h1', driverName: 'netplugin', log: noopLogger, sleep: () => Promise.resolve() });
  assert.equal(await recorder.afterJoin(EP1, NET), true);
  assert.deepEqual(inspected, [CID1]);
  assert.deepEqual(r.control.records.get(EP1)?.labels, { app: 'web', tier: 'front' }, 'same name, new labels: sent again');

  assert.deepEqual(containerLabels({ Config: { Labels: { a: 'b' } } }), { a: 'b' });
  assert.deepEqual(containerLabels({ Config: { Labels: null } }), undefined);
  assert.deepEqual(containerLabels({ Config: { Labels: { a: 1 } } }), undefined, 'not a string map: not trusted');
  assert.deepEqual(containerLabels({ Config: { Labels: ['a'] } }), undefined);
  assert.deepEqual(containerLabels('x'), undefined);
  assert.deepEqual(containerLabels({ Config: { Labels: Object.fromEntries(Array.from({ length: 300 }, (_, i) => [`k${i}`, 'v'])) } }), undefined);
});

void test('gives up after 30 s of polling, the delay capped at 1 s; engine errors are polled through', async () => {
  const r = await rig([record({ endpointId: EP1, ipAddress: '10.1.1.1' })]);
  let calls = 0;
  r.engine.inspectNetwork = () => (++calls % 2 === 0 ? Promise.reject(new Error('engine busy')) : Promise.resolve(r.engine.networks.get(NET)));
  assert.equal(await r.recorder.afterJoin(EP1, NET), false);
  assert.deepEqual(r.sleeps.slice(0, 7), [50, 100, 200, 400, 800, 1000, 1000]);
  assert.ok(r.sleeps.every((d) => d <= 1000));
  assert.ok(r.sleeps.reduce((a, b) => a + b, 0) <= 30_000);
  assert.ok(r.sleeps.reduce((a, b) => a + b, 0) > 29_000);
  assert.deepEqual(r.control.methods(), []);
});

void test('no update when the record is gone, already has the container, or the endpoint is being deleted', async () => {
  const gone = await rig([]);
  gone.attach(EP1, CID1, 'web');
  assert.equal(await gone.recorder.afterJoin(EP1, NET), false);
  assert.deepEqual(gone.control.methods(), []);

  const done = await rig([record({ endpointId: EP1, ipAddress: '10.1.1.1', containerId: CID1, containerName: 'web' })]);
  done.attach(EP1, CID1, 'web');
  assert.equal(await done.recorder.afterJoin(EP1, NET), true);
  assert.deepEqual(done.control.methods(), []);

  const busy = await rig([record({ endpointId: EP1, ipAddress: '10.1.1.1' })], { busy: (id) => id === EP1 });
  busy.attach(EP1, CID1, 'web');
  assert.equal(await busy.recorder.afterJoin(EP1, NET), false);
  assert.deepEqual(busy.control.methods(), []);
});

void test('a failing netmaster or a vanished network resolves false, never rejects', async () => {
  const r = await rig([record({ endpointId: EP1, ipAddress: '10.1.1.1' })]);
  r.attach(EP1, CID1, 'web');
  r.control.fail('CreateEndpoint', 'NETMASTER_UNAVAILABLE', 'down');
  assert.equal(await r.recorder.afterJoin(EP1, NET), false);
  assert.equal(await r.recorder.afterJoin(EP1, 'x'.repeat(64)), false);
});

void test('fillMissing: names the unnamed endpoints of this host that Docker shows, and only those', async () => {
  const EP3 = '3'.repeat(64);
  const EP4 = '4'.repeat(64);
  const r = await rig([
    record({ endpointId: EP1, ipAddress: '10.1.1.1' }),
    record({ endpointId: EP2, ipAddress: '10.1.1.2' }),
    record({ endpointId: EP3, ipAddress: '10.1.1.3', containerId: CID2, containerName: 'named' }),
    record({ endpointId: EP4, ipAddress: '10.1.1.4', homingHost: 'h2' }),
  ]);
  r.attach(EP1, CID1, 'web');
  r.attach(EP3, CID2, 'named');
  r.attach(EP4, 'c4'.repeat(32), 'elsewhere');
  r.engine.add({ Id: 'o'.repeat(64), Name: 'bridge-net', Driver: 'bridge', Containers: { ['c5'.repeat(32)]: { Name: 'other', EndpointID: EP2 } } });
  assert.deepEqual(await r.recorder.fillMissing(), { filled: 1, missing: 1 });
  assert.deepEqual(r.control.methods(), ['CreateEndpoint']);
  assert.equal(r.control.records.get(EP1)?.containerName, 'web');
  assert.equal(r.control.records.get(EP1)?.containerId, CID1);
});

void test('fillMissing with nothing to do asks Docker nothing; a failing engine is reported, not thrown', async () => {
  const none = await rig([record({ endpointId: EP1, ipAddress: '10.1.1.1', containerName: 'web', containerId: CID1 })]);
  assert.deepEqual(await none.recorder.fillMissing(), { filled: 0, missing: 0 });
  assert.deepEqual(none.engine.calls, []);

  const broken = await rig([record({ endpointId: EP1, ipAddress: '10.1.1.1' })]);
  broken.engine.listNetworks = () => Promise.reject(new Error('no engine'));
  assert.deepEqual(await broken.recorder.fillMissing(), { filled: 0, missing: 0 });
});
