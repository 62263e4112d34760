import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isStoreError } from '../errors';
import { describeStoreConformance } from '../testing/conformance';
import type { WatchEvent } from '../store';
import { MemoryStore } from './memory-store';

describeStoreConformance('MemoryStore', async () => {
  const store = new MemoryStore();
  return {
    store,
    expireLease: async (leaseId) => store.expireLease(leaseId),
    compact: async (revision) => store.compact(revision),
    cleanup: () => store.close(),
  };
});

async function until(check: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

void describe('MemoryStore specifics', () => {
  void it('clients of one cluster share keys, and a closed client stops keeping its leases alive', async () => {
    const a = new MemoryStore();
    const b = a.newClient();
    const lease = await a.grantLease(1);
    await a.put('/k', 'v', { lease });
    assert.equal((await b.get('/k'))?.value, 'v');
    const seen: WatchEvent[] = [];
    b.watch('/', { onEvent: (e) => seen.push(e) });
    await a.close();
    await assert.rejects(a.get('/k'), (err) => isStoreError(err, 'STORE_CLOSED'));
    // The TTL timer runs out about a second after the close.
    await until(() => seen.length === 1, 'the lease to expire');
    assert.deepEqual(seen.map((e) => [e.type, e.key]), [['delete', '/k']]);
    assert.equal(await b.get('/k'), undefined);
    await b.close();
  });

  void it('a lock waiter fails with STORE_CLOSED when its store closes', async () => {
    const a = new MemoryStore();
    const b = a.newClient();
    const held = await a.lock('/l');
    const before = a.revision;
    const waiting = b.lock('/l');
    // Every MemoryStore step settles in microtasks: after this the waiter is watching.
    await new Promise((resolve) => setImmediate(resolve));
    await b.close();
    await assert.rejects(waiting, (err) => isStoreError(err, 'STORE_CLOSED'));
    assert.equal(a.revision, before);
    await held.release();
    await a.close();
  });

  void it('a simulated outage fails every operation with STORE_UNAVAILABLE', async () => {
    const store = new MemoryStore();
    store.setAvailable(false);
    await assert.rejects(store.put('/k', 'v'), (err) => isStoreError(err, 'STORE_UNAVAILABLE'));
    await assert.rejects(store.watch('/', { onEvent: () => undefined }).ready, (err) =>
      isStoreError(err, 'STORE_UNAVAILABLE'),
    );
    store.setAvailable(true);
    await store.put('/k', 'v');
    await store.close();
  });

  void it('keeps a bounded history and asks watches beyond it to resync', async () => {
    const store = new MemoryStore({ historyLimit: 10 });
    const first = await store.put('/h/0', '0');
    for (let i = 1; i < 30; i++) await store.put(`/h/${i}`, String(i));
    const resyncs: string[] = [];
    const events: WatchEvent[] = [];
    store.watch('/h/', { onEvent: (e) => events.push(e), onResyncRequired: (r) => resyncs.push(r) }, { fromRevision: first });
    await until(() => resyncs.length === 1, 'the resync');
    assert.deepEqual(events, []);
    // The most recent events are still there.
    const recent: WatchEvent[] = [];
    store.watch('/h/', { onEvent: (e) => recent.push(e) }, { fromRevision: store.revision - 4 });
    await until(() => recent.length === 5, 'the recent events');
    assert.deepEqual(
      recent.map((e) => e.key),
      ['/h/25', '/h/26', '/h/27', '/h/28', '/h/29'],
    );
    await store.close();
  });

  void it('a throwing watch handler does not stop later events', async () => {
    const store = new MemoryStore();
    const seen: string[] = [];
    store.watch('/t/', {
      onEvent: (e) => {
        seen.push(e.key);
        if (e.key === '/t/a') throw new Error('handler bug');
      },
    });
    await store.put('/t/a', '1');
    await store.put('/t/b', '2');
    await until(() => seen.length === 2, 'both events');
    await store.close();
  });

  void it('rejects a transaction naming one key twice and an invalid fromRevision', async () => {
    const store = new MemoryStore();
    await assert.rejects(
      store.transact(
        [],
        [
          { op: 'put', key: '/d', value: '1' },
          { op: 'delete', key: '/d' },
        ],
      ),
      RangeError,
    );
    assert.throws(() => store.watch('/', { onEvent: () => undefined }, { fromRevision: 0 }), RangeError);
    await store.close();
  });
});
