import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { groupStateKey, networkStateKey } from '@contiv/model';
import { noopLogger, type Logger } from '@contiv/runtime';
import { MemoryStore, type Store } from '@contiv/store';
import { DockerApiError, type CreateNetworkSpec, type DockerNetwork } from '../docker/engine-client';
import type { EngineKind } from '../docker/engine-kind';
import type { EngineKindTracker } from '../docker/engine-kind-tracker';
import { StateCache } from '../network/state-cache';
import { FakeEngine } from '../testing/fakes';
import { eventually, groupState, networkState, putGroup, putNetwork } from '../testing/state';
import { desiredSpec, DockerNetworkController, dockerNetworkName } from './docker-network-controller';

void test('Docker names: <name> in tenant default, <name>/<tenant> otherwise', () => {
  assert.equal(dockerNetworkName('default', 'contiv-net'), 'contiv-net');
  assert.equal(dockerNetworkName('blue', 'contiv-net'), 'contiv-net/blue');
});

void test('the Docker network of a Contiv network and of a group', () => {
  const n = networkState({ networkName: 'contiv-net', subnet: '100.1.1.1/24', gateway: '100.1.1.100', pktTag: 12 });
  assert.deepEqual(desiredSpec(n, undefined, 'netplugin'), {
    Name: 'contiv-net',
    Driver: 'netplugin',
    Options: { tenant: 'default', network: 'contiv-net', encap: 'vxlan', 'pkt-tag': '12' },
    Labels: { 'io.contiv.netplugin.managed': 'true' },
    IPAM: { Driver: 'netplugin', Options: { tenant: 'default', network: 'contiv-net' }, Config: [{ Subnet: '100.1.1.0/24', Gateway: '100.1.1.100' }] },
    CheckDuplicate: true,
  });
  const g = desiredSpec({ ...n, tenantName: 'blue' }, groupState({ groupName: 'web', networkName: 'contiv-net', tenantName: 'blue' }), 'contiv/v2plugin:1.0');
  assert.equal(g.Name, 'web/blue');
  assert.deepEqual(g.IPAM.Options, { tenant: 'blue', network: 'contiv-net', group: 'web' });
  assert.equal(g.Driver, 'contiv/v2plugin:1.0');
  assert.deepEqual(desiredSpec({ ...n, gateway: '' }, undefined, 'netplugin').IPAM.Config, [{ Subnet: '100.1.1.0/24' }]);
});

void describe('DockerNetworkController', () => {
  let store: MemoryStore;
  let cache: StateCache;
  let engine: FakeEngine;
  let ctl: DockerNetworkController;

  beforeEach(async () => {
    store = new MemoryStore();
    cache = new StateCache(store, noopLogger);
    engine = new FakeEngine();
    ctl = new DockerNetworkController({ cache, engine, driverName: 'netplugin', log: noopLogger, debounceMs: 1, periodMs: 60_000 });
  });
  afterEach(async () => {
    ctl.stop();
    await cache.stop();
    await store.close();
  });

  const names = (): string[] => [...engine.networks.values()].map((n) => n.Name).sort();

  void test('follows Contiv networks and groups; leaves Docker-first and foreign networks alone', async () => {
    engine.add({ Id: 'x'.repeat(64), Name: 'net2', IPAM: { Driver: 'netplugin', Config: [{ Subnet: '10.9.0.0/24' }] } });
    engine.add({ Id: 'y'.repeat(64), Name: 'bridge', Driver: 'bridge' });
    await putNetwork(store, networkState({ networkName: 'contiv-net', subnet: '100.1.1.0/24' }));
    await putNetwork(store, networkState({ networkName: 'dnet', subnet: '10.9.0.0/24', origin: 'docker', dockerNetworkId: 'x'.repeat(64) }));
    await putNetwork(store, networkState({ networkName: 'infra', subnet: '10.99.0.0/24', nwType: 'infra' }));
    await putGroup(store, groupState({ groupName: 'web', networkName: 'contiv-net', tenantName: 'default' }));
    cache.start();
    ctl.start();
    await eventually(() => names().join() === 'bridge,contiv-net,net2,web', 3_000, 'docker networks');
    await store.delete(groupStateKey('default', 'web'));
    await store.delete(networkStateKey('default', 'contiv-net'));
    await eventually(() => names().join() === 'bridge,net2', 3_000, 'removal');
  });

  void test('netmaster is told once about each Docker network made or found; a failed announcement is retried', async () => {
    const told: string[] = [];
    let fail = true;
    ctl = new DockerNetworkController({
      cache,
      engine,
      driverName: 'netplugin',
      log: noopLogger,
      announce: (net) => {
        if (fail) return Promise.reject(new Error('netmaster away'));
        told.push(net.Name);
        return Promise.resolve();
      },
    });
    await putNetwork(store, networkState({ networkName: 'contiv-net', subnet: '100.1.1.0/24' }));
    cache.start();
    await cache.waitSynced(2_000);
    assert.equal(await ctl.reconcile(), false, 'the pass is incomplete while netmaster cannot be told');
    fail = false;
    assert.equal(await ctl.reconcile(), true);
    await ctl.reconcile();
    assert.deepEqual(told, ['contiv-net']);
    assert.equal(engine.calls.filter((c) => c === 'create contiv-net').length, 1);
  });

  void test('"already exists" (a shared cluster store) is fine; networks in use are retried later', async () => {
    await putNetwork(store, networkState({ networkName: 'contiv-net', subnet: '100.1.1.0/24' }));
    cache.start();
    await cache.waitSynced(2_000);
    await ctl.reconcile();
    await ctl.reconcile();
    assert.equal(engine.calls.filter((c) => c === 'create contiv-net').length, 1);
    const n = [...engine.networks.values()][0];
    assert.ok(n);
    engine.networks.set(n.Id, { ...n, Containers: { c1: { EndpointID: 'e' } } });
    await store.delete(networkStateKey('default', 'contiv-net'));
    await eventually(() => cache.network('default', 'contiv-net') === undefined);
    await ctl.reconcile();
    assert.deepEqual(names(), ['contiv-net']);
  });

  void test('nothing happens before the store has been read', async () => {
    await ctl.reconcile();
    assert.deepEqual(engine.calls, []);
  });
});

/** Records warnings, to tell "already exists, ours" from "name taken". */
function recordingLogger(warnings: string[]): Logger {
  const log: Logger = { ...noopLogger, warn: (m) => void warnings.push(m), child: () => log };
  return log;
}

/**
 * Engines sharing a cluster store: one network table for all, and Docker's
 * duplicate-name check done before the create, not atomically with it.
 */
class SharedEngine extends FakeEngine {
  private seq = 1;
  override async createNetwork(spec: CreateNetworkSpec): Promise<{ Id: string }> {
    this.calls.push(`create ${spec.Name}`);
    const dup = [...this.networks.values()].some((n) => n.Name === spec.Name);
    await new Promise((r) => setTimeout(r, 5));
    if (dup) throw new DockerApiError(409, 'network create', `network with name ${spec.Name} already exists`);
    const id = `${String(this.seq++).padStart(4, '0')}${'c'.repeat(60)}`;
    this.add({ Id: id, Name: spec.Name, Options: spec.Options, Labels: spec.Labels ?? {}, IPAM: spec.IPAM });
    return { Id: id };
  }
}

const CLUSTER_KIND: EngineKind = { flavor: 'cluster-store', driverScope: 'global', docknetScope: 'cluster' };
const STANDALONE_KIND: EngineKind = { flavor: 'standalone', driverScope: 'local', docknetScope: 'h1' };
const knownKind = (kind: EngineKind): Pick<EngineKindTracker, 'resolve'> => ({ resolve: () => Promise.resolve({ kind, detected: true }) });

void describe('DockerNetworkController on engines that share networks', () => {
  let store: MemoryStore;
  const closers: Array<() => Promise<void> | void> = [];

  beforeEach(() => {
    store = new MemoryStore();
  });
  afterEach(async () => {
    for (const c of closers.splice(0).reverse()) await c();
    await store.close();
  });

  /** An agent: its own store client and cache, the given engine. */
  async function agent(
    engine: FakeEngine,
    o: {
      kind?: Pick<EngineKindTracker, 'resolve'>;
      coordinated?: boolean;
      coordStore?: Pick<Store, 'get' | 'lock'>;
      lockWaitMs?: number;
      cacheStore?: MemoryStore;
      warnings?: string[];
    } = {},
  ): Promise<DockerNetworkController> {
    const client = store.newClient();
    const cacheStore = o.cacheStore ?? client;
    const cache = new StateCache(cacheStore, noopLogger);
    const ctl = new DockerNetworkController({
      cache,
      engine,
      driverName: 'netplugin',
      log: o.warnings ? recordingLogger(o.warnings) : noopLogger,
      ...(o.coordinated === false ? {} : { coordination: { store: o.coordStore ?? client, engineKind: o.kind ?? knownKind(CLUSTER_KIND), hostName: `h${closers.length}` } }),
      ...(o.lockWaitMs !== undefined ? { lockWaitMs: o.lockWaitMs } : {}),
    });
    closers.push(async () => {
      ctl.stop();
      await cache.stop();
      await client.close();
    });
    cache.start();
    assert.ok(await cache.waitSynced(2_000));
    return ctl;
  }

  const created = (engine: FakeEngine, name: string): number => engine.calls.filter((c) => c === `create ${name}`).length;
  const named = (engine: FakeEngine, name: string): DockerNetwork[] => [...engine.networks.values()].filter((n) => n.Name === name);

  void test('uncoordinated agents racing make one network per engine under one name (the bug this guards against)', async () => {
    const engine = new SharedEngine();
    await putNetwork(store, networkState({ networkName: 'contiv-net', subnet: '100.1.1.0/24' }));
    const agents = await Promise.all([1, 2, 3].map(() => agent(engine, { coordinated: false })));
    await Promise.all(agents.map((a) => a.reconcile()));
    assert.equal(named(engine, 'contiv-net').length, 3);
  });

  void test('three agents racing: the network is created once; the others see it', async () => {
    const engine = new SharedEngine();
    await putNetwork(store, networkState({ networkName: 'contiv-net', subnet: '100.1.1.0/24' }));
    await putGroup(store, groupState({ groupName: 'web', networkName: 'contiv-net' }));
    const agents = await Promise.all([1, 2, 3].map(() => agent(engine)));
    assert.deepEqual(await Promise.all(agents.map((a) => a.reconcile())), [true, true, true]);
    assert.equal(named(engine, 'contiv-net').length, 1);
    assert.equal(named(engine, 'web').length, 1);
    assert.equal(created(engine, 'contiv-net'), 1);
    assert.equal(created(engine, 'web'), 1);
    assert.deepEqual((await store.list('/contiv.io/v1/lock/')).entries, [], 'every lock released');
  });

  void test('standalone engines: every agent creates the network on its own engine, without the store', async () => {
    await putNetwork(store, networkState({ networkName: 'contiv-net', subnet: '100.1.1.0/24' }));
    const engines = [new SharedEngine(), new SharedEngine()];
    const noStore: Pick<Store, 'get' | 'lock'> = { get: () => Promise.reject(new Error('store read')), lock: () => Promise.reject(new Error('store lock')) };
    const agents = await Promise.all(engines.map((e) => agent(e, { kind: knownKind(STANDALONE_KIND), coordStore: noStore })));
    assert.deepEqual(await Promise.all(agents.map((a) => a.reconcile())), [true, true]);
    for (const e of engines) assert.equal(named(e, 'contiv-net').length, 1);
  });

  void test('a holder that dies blocks nobody: its lease expires and a waiting agent creates the network', async () => {
    const engine = new SharedEngine();
    await putNetwork(store, networkState({ networkName: 'contiv-net', subnet: '100.1.1.0/24' }));
    const holder = store.newClient();
    closers.push(() => holder.close());
    await holder.lock('/contiv.io/v1/lock/docker-network/cluster/default/contiv-net', { value: 'dead-host' });
    const lockEntry = await store.get('/contiv.io/v1/lock/docker-network/cluster/default/contiv-net');
    assert.ok(lockEntry?.leaseId);
    const ctl = await agent(engine);
    const pass = ctl.reconcile();
    await eventually(() => engine.calls.includes('list'), 2_000, 'the pass to list the engine');
    assert.equal(created(engine, 'contiv-net'), 0, 'nothing while the lock is held');
    store.expireLease(lockEntry.leaseId);
    assert.equal(await pass, true);
    assert.equal(named(engine, 'contiv-net').length, 1);
  });

  void test('a lock held too long: the pass says it left work for later, and a later pass does it', async () => {
    const engine = new SharedEngine();
    await putNetwork(store, networkState({ networkName: 'contiv-net', subnet: '100.1.1.0/24' }));
    const holder = store.newClient();
    closers.push(() => holder.close());
    const lock = await holder.lock('/contiv.io/v1/lock/docker-network/cluster/default/contiv-net');
    const ctl = await agent(engine, { lockWaitMs: 20 });
    assert.equal(await ctl.reconcile(), false);
    assert.equal(created(engine, 'contiv-net'), 0);
    await lock.release();
    assert.equal(await ctl.reconcile(), true);
    assert.equal(named(engine, 'contiv-net').length, 1);
  });

  void test('an engine kind not known yet: nothing is created', async () => {
    const engine = new SharedEngine();
    await putNetwork(store, networkState({ networkName: 'contiv-net', subnet: '100.1.1.0/24' }));
    const ctl = await agent(engine, { kind: { resolve: () => Promise.resolve({ kind: STANDALONE_KIND, detected: false }) } });
    await assert.rejects(ctl.reconcile(), /has not answered GET \/info yet/);
    assert.deepEqual(engine.calls, []);
  });

  void test('duplicates left by uncoordinated agents: the one in use stays, the others go', async () => {
    const engine = new SharedEngine();
    const n = networkState({ networkName: 'contiv-net', subnet: '100.1.1.0/24' });
    const spec = desiredSpec(n, undefined, 'netplugin');
    engine.add({ Id: `a${'0'.repeat(63)}`, Name: 'contiv-net', Options: spec.Options, IPAM: spec.IPAM });
    engine.add({ Id: `b${'0'.repeat(63)}`, Name: 'contiv-net', Options: spec.Options, IPAM: spec.IPAM, Containers: { c1: { EndpointID: 'e1' } } });
    engine.add({ Id: `c${'0'.repeat(63)}`, Name: 'contiv-net', Options: spec.Options, IPAM: spec.IPAM });
    await putNetwork(store, n);
    const agents = await Promise.all([1, 2].map(() => agent(engine)));
    await Promise.all(agents.map((a) => a.reconcile()));
    assert.deepEqual(named(engine, 'contiv-net').map((x) => x.Id[0]), ['b']);
    assert.equal(created(engine, 'contiv-net'), 0);
  });

  void test('a cache behind the store does not remove the network another agent just made; deletion happens once', async () => {
    const engine = new SharedEngine();
    await putNetwork(store, networkState({ networkName: 'contiv-net', subnet: '100.1.1.0/24' }));
    const first = await agent(engine);
    await first.reconcile();
    assert.equal(named(engine, 'contiv-net').length, 1);
    // An agent whose cache has not seen the network yet (an empty store stands in for the lag).
    const lagging = new MemoryStore();
    closers.push(() => lagging.close());
    const behind = await agent(engine, { cacheStore: lagging });
    await behind.reconcile();
    assert.equal(named(engine, 'contiv-net').length, 1, 'kept: the store still has the Contiv network');

    await store.delete(networkStateKey('default', 'contiv-net'));
    const others = await Promise.all([1, 2].map(() => agent(engine)));
    await Promise.all([first, ...others].map((a) => a.reconcile()));
    assert.equal(named(engine, 'contiv-net').length, 0);
    assert.equal(engine.calls.filter((c) => c.startsWith('remove ')).length, 1, 'one removal for three agents');
  });

  void test('"already exists": fine when it is the network of this Contiv object, a warning when the name is taken', async () => {
    await putNetwork(store, networkState({ networkName: 'contiv-net', subnet: '100.1.1.0/24' }));
    // Made by another agent between this agent's listing and its create.
    class LateEngine extends SharedEngine {
      override createNetwork(s: CreateNetworkSpec): Promise<{ Id: string }> {
        if (named(this, s.Name).length === 0) this.add({ Id: `d${'0'.repeat(63)}`, Name: s.Name, Options: s.Options, IPAM: s.IPAM });
        return super.createNetwork(s);
      }
    }
    const late = new LateEngine();
    const warnings: string[] = [];
    assert.equal(await (await agent(late, { warnings })).reconcile(), true);
    assert.deepEqual(warnings, []);
    assert.equal(named(late, 'contiv-net').length, 1);

    // Another driver's network holds the name (not in the filtered list, so only the create finds it).
    const taken = new SharedEngine();
    taken.add({ Id: `e${'0'.repeat(63)}`, Name: 'contiv-net', Driver: 'bridge' });
    const warned: string[] = [];
    await (await agent(taken, { warnings: warned })).reconcile();
    assert.deepEqual(warned, ['A Docker network already uses the name of a Contiv network']);
  });
});
