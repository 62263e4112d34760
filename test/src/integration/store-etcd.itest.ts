/**
 * EtcdStore against a real etcd: the shared conformance suite (with server
 * restarts, lease expiry and compaction), then the failure modes that only a
 * real server shows: a stopped etcd, a dead endpoint among several, keep-alive
 * loss, and a crash while a watch is still catching up on history.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { EtcdStore, createStore, isStoreError, type Store } from '@contiv/store';
import { describeStoreConformance } from '@contiv/store/testing';
import { startEtcd, type EtcdServer } from '../harness/etcd';
import { eventually } from '../harness/eventually';
import { checkWatchSurvivesCrashMidReplay } from './watch-crash-replay';
import { freePort } from '../harness/ports';

/** etcd's JSON gateway, for what a Store deliberately cannot do (revoke someone's lease, compact). */
async function gateway(etcd: EtcdServer, route: string, body: unknown): Promise<void> {
  const res = await fetch(`${etcd.clientUrl}/v3/${route}`, { method: 'POST', body: JSON.stringify(body) });
  if (!res.ok) throw new Error(`etcd ${route} answered ${res.status}: ${await res.text()}`);
}

void describe('EtcdStore', () => {
  let etcd: EtcdServer;
  before(async () => {
    etcd = await startEtcd();
  });
  after(async () => {
    await etcd?.stop();
  });

  describeStoreConformance('EtcdStore', async () => {
    const store = new EtcdStore({ endpoints: [etcd.clientUrl], timeoutMs: 5000 });
    return {
      store,
      restartServer: () => etcd.restart(),
      expireLease: (leaseId) => gateway(etcd, 'lease/revoke', { ID: leaseId }),
      compact: (revision) => gateway(etcd, 'kv/compaction', { revision: String(revision), physical: true }),
      cleanup: () => store.close(),
    };
  });
});

void describe('EtcdStore failure modes', () => {
  let etcd: EtcdServer;
  const stores: Store[] = [];
  const open = (url: string, timeoutMs = 5000): Store => {
    const store = createStore(url, { timeoutMs });
    stores.push(store);
    return store;
  };
  before(async () => {
    etcd = await startEtcd();
  });
  after(async () => {
    for (const s of stores) await s.close();
    await etcd?.stop();
  });

  void it('fails with STORE_UNAVAILABLE naming the URL within the timeout when etcd is stopped, and recovers', async () => {
    const timeoutMs = 1500;
    const store = open(etcd.url, timeoutMs);
    await store.put('/outage/k', 'v');
    await etcd.stop();
    for (const [what, op] of [
      ['get', () => store.get('/outage/k')],
      ['put', () => store.put('/outage/k', 'w')],
      ['create', () => store.create('/outage/new', 'w')],
      ['list', () => store.list('/outage/')],
      ['grantLease', () => store.grantLease(5)],
    ] as const) {
      const started = Date.now();
      await assert.rejects(op(), (err) => {
        assert.ok(isStoreError(err, 'STORE_UNAVAILABLE'), `${what}: ${String(err)}`);
        assert.ok((err as Error).message.includes(etcd.url), `${what} names the URL: ${(err as Error).message}`);
        return true;
      });
      // The point is "fails fast instead of hanging": generous slack over the timeout.
      const elapsed = Date.now() - started;
      assert.ok(elapsed < timeoutMs + 2000, `${what} failed after ${elapsed} ms (timeout ${timeoutMs} ms)`);
    }
    const watch = store.watch('/outage/', { onEvent: () => undefined });
    await assert.rejects(watch.ready, (err) => isStoreError(err, 'STORE_UNAVAILABLE'));

    await etcd.restart();
    assert.equal((await store.get('/outage/k'))?.value, 'v');
  });

  void it('fails with STORE_UNAVAILABLE when nothing listens at the URL', async () => {
    const url = `etcd://127.0.0.1:${await freePort()}`;
    const store = open(url, 1000);
    await assert.rejects(store.get('/k'), (err) => isStoreError(err, 'STORE_UNAVAILABLE') && (err as Error).message.includes(url));
  });

  void it('works through the live endpoint when another endpoint is dead', async () => {
    const store = open(`etcd://127.0.0.1:${await freePort()},127.0.0.1:${etcd.port}`);
    for (let i = 0; i < 10; i++) {
      const r = await store.put(`/multi/${i}`, String(i));
      assert.equal((await store.get(`/multi/${i}`))?.modRevision, r);
    }
    assert.equal((await store.list('/multi/')).entries.length, 10);
  });

  void it('reports a lease and its lock lost when keep-alives cannot reach etcd for a TTL', async () => {
    const store = open(etcd.url);
    const lease = await store.grantLease(3);
    const lock = await store.lock('/keepalive/lock', { ttlSeconds: 3, value: 'me' });
    const leaseLost: string[] = [];
    const lockLost: string[] = [];
    lease.onLost((reason) => leaseLost.push(reason));
    lock.onLost((reason) => lockLost.push(reason));
    await etcd.kill();
    try {
      await eventually(() => leaseLost.length === 1 && lockLost.length === 1, {
        timeoutMs: 15_000,
        what: 'the lease and the lock to be reported lost',
      });
      assert.match(leaseLost[0] ?? '', /keep-alive/);
    } finally {
      await etcd.restart();
    }
    // The old holder's key goes (revoked or expired), so the lock can be taken again.
    const again = await store.lock('/keepalive/lock', { value: 'next', timeoutMs: 15_000 });
    assert.equal((await store.get('/keepalive/lock'))?.value, 'next');
    await again.release();
    await lock.release();
  });

  void it('a watch replaying history survives an etcd crash mid-replay with no gap and no duplicate', async () => {
    // More than 1000 revisions: etcd replays history in batches of 1000 revisions.
    await checkWatchSurvivesCrashMidReplay(open(etcd.url), etcd, { keys: 2500, batch: 100, deliverTimeoutMs: 30_000 });
  });
});
