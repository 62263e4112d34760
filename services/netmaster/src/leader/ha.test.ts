/**
 * Several netmasters on one store (MemoryStore clients, one per "process"):
 * followers forward REST and gRPC to the leader, a failover leaves no
 * allocation lost or duplicated, and the fence stops a leader that lost its
 * lock from writing anything, even before it notices.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { netmasterLeaderLock, objectKey, tenantKey } from '@contiv/model';
import { createControlClient } from '@contiv/rpc';
import { noopLogger } from '@contiv/runtime';
import type { Lock, Store, TxnCondition } from '@contiv/store';
import { MemoryStore } from '@contiv/store';
import { OBJECT_TYPES } from '../core/catalog';
import { isNetmasterError } from '../errors';
import { startNetmaster, type NetmasterHandle } from '../netmaster';
import { rawRequest } from '../testing/fixture';
import { FencedStore } from './fenced-store';

const LOCK = netmasterLeaderLock();
const BLUE = objectKey(OBJECT_TYPES.tenant, tenantKey('blue'));

function startMaster(store: Store, ttlSeconds = 1): Promise<NetmasterHandle> {
  return startNetmaster({ listenHost: '127.0.0.1', listenPort: 0, advertiseAddress: '127.0.0.1:0', pluginMode: 'docker', leaderTtlSeconds: ttlSeconds }, store, noopLogger);
}

/** Polls `check` until it returns a value (no timing is asserted: the cap only keeps a broken test from hanging). */
async function until<T>(what: string, check: () => Promise<T | undefined>): Promise<T> {
  for (let i = 0; i < 600; i++) {
    const v = await check();
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`gave up waiting: ${what}`);
}

async function info(port: number): Promise<Record<string, string>> {
  return (await rawRequest(port, 'GET', '/info')).json as Record<string, string>;
}

const NET1 = { encap: 'vxlan', subnet: '10.1.1.0/24', gateway: '10.1.1.254' };

/** A store whose locks never report their loss: a leader cut off from the news (partition, long pause). */
function deafToLockLoss(inner: Store): Store {
  return {
    url: inner.url,
    get: (k) => inner.get(k),
    list: (p) => inner.list(p),
    put: (k, v, o) => inner.put(k, v, o),
    create: (k, v, o) => inner.create(k, v, o),
    compareAndSwap: (k, r, v, o) => inner.compareAndSwap(k, r, v, o),
    delete: (k) => inner.delete(k),
    compareAndDelete: (k, r) => inner.compareAndDelete(k, r),
    deletePrefix: (p) => inner.deletePrefix(p),
    transact: (c, o) => inner.transact(c, o),
    watch: (p, h, o) => inner.watch(p, h, o),
    grantLease: (t) => inner.grantLease(t),
    lock: async (name, o): Promise<Lock> => {
      const l = await inner.lock(name, o);
      return { name: l.name, onLost: () => undefined, release: () => l.release() };
    },
    close: () => inner.close(),
  };
}

void describe('FencedStore', () => {
  const setup = async (): Promise<{ store: MemoryStore; fenced: FencedStore; fence: TxnCondition; broken: string[] }> => {
    const store = new MemoryStore();
    await store.lock(LOCK, { value: 'me:1', ttlSeconds: 5 });
    const entry = await store.get(LOCK);
    assert.ok(entry);
    const fence = { key: LOCK, modRevision: entry.modRevision };
    const broken: string[] = [];
    const fenced = new FencedStore(store.newClient(), { fence: () => fence, onFenceBroken: (d) => broken.push(d) });
    return { store, fenced, fence, broken };
  };

  void it('writes while the fence holds; a compare-and-swap conflict stays a result', async () => {
    const { store, fenced, broken } = await setup();
    const rev = await fenced.put('/t/a', '1');
    assert.equal((await store.get('/t/a'))?.value, '1');
    assert.equal((await fenced.create('/t/a', '2')).ok, false, 'create of an existing key is refused');
    const swapped = await fenced.compareAndSwap('/t/a', rev, '3');
    assert.equal(swapped.ok, true);
    const stale = await fenced.compareAndSwap('/t/a', rev, '4');
    assert.equal(stale.ok, false);
    assert.equal(stale.ok ? undefined : stale.current?.value, '3', 'the conflict carries the current value');
    for (let i = 0; i < 120; i++) await fenced.put(`/t/many/${i}`, 'x');
    assert.equal(await fenced.deletePrefix('/t/many/'), 120, 'deletePrefix goes in fenced chunks');
    assert.equal((await store.list('/t/many/')).entries.length, 0);
    assert.equal(await fenced.delete('/t/a'), true);
    assert.equal(await fenced.delete('/t/a'), false);
    assert.deepEqual(broken, []);
  });

  void it('refuses every write without a fence, naming why, and changes nothing', async () => {
    const store = new MemoryStore();
    const fenced = new FencedStore(store, { fence: () => undefined });
    const before = store.revision;
    await assert.rejects(fenced.put('/t/a', '1'), (e) => isNetmasterError(e, 'NOT_LEADER') && /does not hold the leader lock/.test(e.message));
    await assert.rejects(fenced.transact([], [{ op: 'put', key: '/t/b', value: '1' }]), (e) => isNetmasterError(e, 'NOT_LEADER'));
    assert.equal(store.revision, before);
  });

  void it('a leader whose lease expired cannot commit a write, even before it hears of it', async () => {
    const { store, fenced, broken } = await setup();
    const entry = await store.get(LOCK);
    assert.ok(entry?.leaseId);
    // The lease runs out behind the holder's back and another netmaster takes the lock.
    store.expireLease(entry.leaseId);
    await store.newClient().lock(LOCK, { value: 'other:2', ttlSeconds: 5 });
    const before = store.revision;
    await assert.rejects(
      fenced.transact([], [{ op: 'put', key: '/t/late', value: 'x' }]),
      (e) => isNetmasterError(e, 'NOT_LEADER') && /lost the leader lock \(the leader lock is now held by other:2\)/.test(e.message),
    );
    await assert.rejects(fenced.create('/t/late', 'x'), (e) => isNetmasterError(e, 'NOT_LEADER'));
    await assert.rejects(fenced.deletePrefix('/'), (e) => isNetmasterError(e, 'NOT_LEADER'));
    assert.equal(store.revision, before, 'nothing was written');
    assert.equal(await store.get('/t/late'), undefined);
    assert.ok(broken.length > 0, 'the holder is told at once');
  });
});

void describe('several netmasters', () => {
  void it('a follower forwards reads and writes to the leader; /info is its own; a read after a write sees it', async () => {
    const store = new MemoryStore();
    const a = await startMaster(store.newClient());
    await a.leading;
    const b = await startMaster(store.newClient());
    const leader = await until('b knows the leader', async () => ((await info(b.port))['leader-ip'] === `127.0.0.1:${a.port}` ? true : undefined));
    assert.ok(leader);
    assert.equal((await info(b.port))['current-state'], 'follower');
    assert.equal((await info(a.port))['current-state'], 'leader');

    const w = await rawRequest(b.port, 'POST', '/api/v1/networks/default:net1/', NET1);
    assert.equal(w.status, 200, w.text);
    // Read-your-writes through either netmaster, at once.
    for (const port of [b.port, a.port]) {
      const r = await rawRequest(port, 'GET', '/api/v1/inspect/networks/default:net1/');
      assert.equal(r.status, 200, r.text);
    }
    const bad = await rawRequest(b.port, 'POST', '/api/v1/networks/default:net2/', { encap: 'vxlan', subnet: 'nonsense' });
    assert.equal(bad.status, 400, 'the leader\'s answer, error included, comes back as is');
    assert.match(bad.text, /subnet/);
    const goClient = await rawRequest(b.port, 'DELETE', '/api/v1/networks/default:nope/', undefined, { 'user-agent': 'Go-http-client/1.1' });
    assert.equal(goClient.status, 500, 'Contiv\'s Go client still gets its 500 with a plain-text message');
    assert.match(goClient.text, /not found/);

    await b.stop();
    await a.stop();
  });

  void it('gRPC calls to a follower are served by the leader', async () => {
    const store = new MemoryStore();
    const a = await startMaster(store.newClient());
    await a.leading;
    const b = await startMaster(store.newClient());
    await until('b knows the leader', async () => ((await info(b.port))['leader-ip'] === `127.0.0.1:${a.port}` ? true : undefined));
    assert.equal((await rawRequest(a.port, 'POST', '/api/v1/networks/default:net1/', NET1)).status, 200);
    const viaB = createControlClient(`127.0.0.1:${b.port}`);
    const viaA = createControlClient(`127.0.0.1:${a.port}`);
    const req = { tenantName: 'default', networkName: 'net1', groupName: '', preferredAddress: '', host: 'h', requestId: 'r1' };
    const x = await viaB.AllocateAddress(req);
    const y = await viaA.AllocateAddress(req);
    assert.equal(x.address, y.address, 'one allocation, whichever netmaster was asked');
    await assert.rejects(viaB.AllocateAddress({ ...req, networkName: 'nope', requestId: 'r2' }), /nope|not found/i);
    viaA.close();
    viaB.close();
    await b.stop();
    await a.stop();
  });

  void it('the leader crashes: writes get 503 + Retry-After, then the follower takes over; no allocation is lost or duplicated', async () => {
    const store = new MemoryStore();
    const aStore = store.newClient();
    const a = await startMaster(aStore);
    await a.leading;
    const b = await startMaster(store.newClient());
    await until('b knows the leader', async () => ((await info(b.port))['leader-ip'] === `127.0.0.1:${a.port}` ? true : undefined));
    assert.equal((await rawRequest(b.port, 'POST', '/api/v1/networks/default:net1/', NET1)).status, 200);
    const control = createControlClient(`127.0.0.1:${a.port}`);
    const given = new Map<string, string>();
    for (let i = 0; i < 5; i++) given.set(`r${i}`, (await control.AllocateAddress({ tenantName: 'default', networkName: 'net1', groupName: '', preferredAddress: '', host: 'h', requestId: `r${i}` })).address);
    control.close();

    // A crash: the store client stops (its lease is no longer kept alive), then the process.
    await aStore.close();
    await a.stop();

    const during = await rawRequest(b.port, 'POST', '/api/v1/tenants/blue/', {});
    assert.equal(during.status, 503, during.text);
    assert.equal(during.headers['retry-after'], '1');
    assert.match(during.text, /does not answer|no netmaster leads|retry/);
    const read = await rawRequest(b.port, 'GET', '/api/v1/networks/');
    assert.equal(read.status, 200, 'reads are served from the follower\'s copy meanwhile');

    await b.leading;
    assert.equal((await rawRequest(b.port, 'POST', '/api/v1/tenants/blue/', {})).status, 200);
    const bControl = createControlClient(`127.0.0.1:${b.port}`);
    const alloc = (rid: string): Promise<string> =>
      bControl.AllocateAddress({ tenantName: 'default', networkName: 'net1', groupName: '', preferredAddress: '', host: 'h', requestId: rid }).then((r) => r.address);
    // An agent retrying a request the old leader answered gets the same address...
    for (const [rid, address] of given) assert.equal(await alloc(rid), address, `${rid} keeps its address across the failover`);
    // ...and new requests never get one the old leader handed out.
    const fresh = await Promise.all([0, 1, 2, 3, 4].map((i) => alloc(`n${i}`)));
    const all = [...given.values(), ...fresh];
    assert.equal(new Set(all).size, all.length, `no duplicates: ${all.join(' ')}`);
    bControl.close();
    await b.stop();
  });

  void it('a partitioned old leader cannot write: its write fails NOT_LEADER, it demotes itself and forwards from then on', async () => {
    const store = new MemoryStore();
    const a = await startMaster(deafToLockLoss(store.newClient()), 5);
    await a.leading;
    const b = await startMaster(store.newClient(), 5);
    await until('b knows the leader', async () => ((await info(b.port))['leader-ip'] === `127.0.0.1:${a.port}` ? true : undefined));

    const lock = await store.get(LOCK);
    assert.ok(lock?.leaseId);
    store.expireLease(lock.leaseId);
    await b.leading;
    assert.equal(a.gate.canWrite, true, 'a has not noticed: it still believes it leads');

    const before = store.revision;
    const w = await rawRequest(a.port, 'POST', '/api/v1/tenants/blue/', {});
    assert.equal(w.status, 503, w.text);
    assert.match(w.text, /lost the leader lock/);
    assert.equal(await store.get(BLUE), undefined, 'nothing of it reached the store');
    assert.equal(store.revision, before);
    assert.equal(a.gate.canWrite, false, 'the refused write demoted it');

    const again = await rawRequest(a.port, 'POST', '/api/v1/tenants/blue/', {});
    assert.equal(again.status, 200, `now forwarded to the new leader: ${again.text}`);
    assert.ok(await store.get(BLUE));
    await b.stop();
    await a.stop();
  });
});
