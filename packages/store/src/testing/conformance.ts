import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, it, type TestContext } from 'node:test';
import { isStoreError } from '../errors';
import type { Store, Watch, WatchEvent, WatchOptions } from '../store';

/** What a conformance run needs from one backend. Optional hooks enable more tests. */
export interface StoreFixture {
  readonly store: Store;
  /** Restarts the server and resolves once it serves again, data kept. Enables the reconnect test. */
  readonly restartServer?: () => Promise<void>;
  /** Ends a lease on the server as if its TTL ran out (etcd: revoked by another client). */
  readonly expireLease?: (leaseId: string) => Promise<void>;
  /** Discards the server's history before `revision` (etcd compaction). */
  readonly compact?: (revision: number) => Promise<void>;
  /** Closes the store and releases what the fixture made (not a shared server). */
  readonly cleanup: () => Promise<void>;
}

export type MakeStoreFixture = () => Promise<StoreFixture>;

const TEST_TIMEOUT_MS = 60_000;
const WAIT_MS = 15_000;

/**
 * The behaviour every Store must have (docs/store.md), as node:test suites.
 * `makeStore` is called once per test; each test works under its own random
 * key prefix, so fixtures may share one server.
 */
export function describeStoreConformance(name: string, makeStore: MakeStoreFixture): void {
  const test = (title: string, fn: (f: StoreFixture, p: string, t: TestContext) => Promise<void>): void => {
    void it(title, { timeout: TEST_TIMEOUT_MS }, async (t) => {
      const fixture = await makeStore();
      try {
        await fn(fixture, `/conformance/${randomUUID()}/`, t);
      } finally {
        await fixture.cleanup();
      }
    });
  };

  void describe(`Store conformance: ${name}`, () => {
    void describe('keys and revisions', () => {
      test('get returns undefined for a missing key and what put wrote', async ({ store }, p) => {
        assert.equal(await store.get(`${p}missing`), undefined);
        const r1 = await store.put(`${p}k`, 'v1');
        assert.deepEqual(await store.get(`${p}k`), { key: `${p}k`, value: 'v1', modRevision: r1, createRevision: r1 });
        const r2 = await store.put(`${p}k`, 'v2');
        assert.ok(r2 > r1, `second put revision ${r2} > ${r1}`);
        assert.deepEqual(await store.get(`${p}k`), { key: `${p}k`, value: 'v2', modRevision: r2, createRevision: r1 });
        const text = 'ünïcødé ✓ {"a":[1,2]}\n';
        await store.put(`${p}text`, text);
        assert.equal((await store.get(`${p}text`))?.value, text);
        await store.put(`${p}empty`, '');
        assert.equal((await store.get(`${p}empty`))?.value, '');
      });

      test('list returns the keys under a plain string prefix, sorted, with the store revision', async ({ store }, p) => {
        for (const k of ['dir/b', 'dir/c/d', 'dirx/e', 'dir/a', 'di']) await store.put(`${p}${k}`, k);
        const last = await store.put(`${p}other/z`, 'z');
        const dir = await store.list(`${p}dir/`);
        assert.deepEqual(
          dir.entries.map((e) => [e.key, e.value]),
          [
            [`${p}dir/a`, 'dir/a'],
            [`${p}dir/b`, 'dir/b'],
            [`${p}dir/c/d`, 'dir/c/d'],
          ],
        );
        assert.ok(dir.revision >= last, `list revision ${dir.revision} >= last write ${last}`);
        const loose = await store.list(`${p}dir`);
        assert.deepEqual(
          loose.entries.map((e) => e.key),
          [`${p}dir/a`, `${p}dir/b`, `${p}dir/c/d`, `${p}dirx/e`],
        );
        const none = await store.list(`${p}nothing/`);
        assert.deepEqual(none.entries, []);
        assert.ok(none.revision >= last);
      });

      test('revisions are store-wide and increase with every write', async ({ store }, p) => {
        const revs: number[] = [];
        revs.push(await store.put(`${p}a`, '1'));
        revs.push(await store.put(`${p}b`, '1'));
        revs.push(okRevision(await store.create(`${p}c`, '1')));
        revs.push(okRevision(await store.compareAndSwap(`${p}a`, revs[0] as number, '2')));
        revs.push(okRevision(await store.compareAndDelete(`${p}b`, revs[1] as number)));
        const txn = await store.transact([], [{ op: 'put', key: `${p}d`, value: '1' }]);
        assert.ok(txn.ok);
        revs.push(txn.revision);
        for (let i = 1; i < revs.length; i++) {
          assert.ok((revs[i] as number) > (revs[i - 1] as number), `revisions increase: ${revs.join(', ')}`);
        }
        assert.ok((await store.list(p)).revision >= (revs[revs.length - 1] as number));
      });
    });

    void describe('conditional writes', () => {
      test('create writes only if the key is absent; a conflict returns the current entry', async ({ store }, p) => {
        const first = await store.create(`${p}k`, 'first');
        assert.ok(first.ok);
        const second = await store.create(`${p}k`, 'second');
        assert.equal(second.ok, false);
        assert.deepEqual(second.ok ? undefined : second.current, {
          key: `${p}k`,
          value: 'first',
          modRevision: first.modRevision,
          createRevision: first.modRevision,
        });
        assert.equal((await store.get(`${p}k`))?.value, 'first');
      });

      test('compareAndSwap writes only at the expected modRevision (0 = absent)', async ({ store }, p) => {
        const r1 = await store.put(`${p}k`, 'v1');
        const swapped = await store.compareAndSwap(`${p}k`, r1, 'v2');
        assert.ok(swapped.ok);
        const stale = await store.compareAndSwap(`${p}k`, r1, 'v3');
        assert.equal(stale.ok, false);
        assert.equal(stale.ok ? undefined : stale.current?.value, 'v2');
        assert.equal(stale.ok ? undefined : stale.current?.modRevision, swapped.modRevision);
        assert.equal((await store.compareAndSwap(`${p}k`, 0, 'v4')).ok, false);
        const absent = await store.compareAndSwap(`${p}absent`, r1, 'x');
        assert.deepEqual(absent, { ok: false });
        assert.equal(await store.get(`${p}absent`), undefined);
        assert.ok((await store.compareAndSwap(`${p}new`, 0, 'n')).ok);
        assert.equal((await store.get(`${p}new`))?.value, 'n');
        assert.equal((await store.get(`${p}k`))?.value, 'v2');
      });

      test('delete and compareAndDelete', async ({ store }, p) => {
        assert.equal(await store.delete(`${p}absent`), false);
        await store.put(`${p}k`, 'v');
        assert.equal(await store.delete(`${p}k`), true);
        assert.equal(await store.get(`${p}k`), undefined);

        const r1 = await store.put(`${p}c`, 'v1');
        const r2 = await store.put(`${p}c`, 'v2');
        const stale = await store.compareAndDelete(`${p}c`, r1);
        assert.equal(stale.ok, false);
        assert.equal(stale.ok ? undefined : stale.current?.modRevision, r2);
        assert.equal((await store.get(`${p}c`))?.value, 'v2');
        const done = await store.compareAndDelete(`${p}c`, r2);
        assert.ok(done.ok && done.modRevision > r2);
        assert.equal(await store.get(`${p}c`), undefined);
      });

      test('deletePrefix deletes only keys under the prefix and counts them', async ({ store }, p) => {
        for (const k of ['dir/a', 'dir/b', 'dir/c/d', 'dirx/e']) await store.put(`${p}${k}`, k);
        assert.equal(await store.deletePrefix(`${p}dir/`), 3);
        assert.deepEqual(
          (await store.list(p)).entries.map((e) => e.key),
          [`${p}dirx/e`],
        );
        assert.equal(await store.deletePrefix(`${p}dir/`), 0);
      });

      test('transact applies all operations in one revision, or none', async ({ store }, p) => {
        const ra = await store.put(`${p}a`, 'A1');
        await store.put(`${p}c`, 'C1');
        const res = await store.transact(
          [
            { key: `${p}a`, modRevision: ra },
            { key: `${p}b`, modRevision: 0 },
          ],
          [
            { op: 'put', key: `${p}a`, value: 'A2' },
            { op: 'put', key: `${p}b`, value: 'B1' },
            { op: 'delete', key: `${p}c` },
          ],
        );
        assert.ok(res.ok);
        const a = await store.get(`${p}a`);
        const b = await store.get(`${p}b`);
        assert.equal(a?.value, 'A2');
        assert.equal(b?.value, 'B1');
        assert.equal(a?.modRevision, res.revision);
        assert.equal(b?.modRevision, res.revision);
        assert.equal(await store.get(`${p}c`), undefined);

        // One stale condition: nothing is written.
        const failed = await store.transact(
          [
            { key: `${p}b`, modRevision: res.revision },
            { key: `${p}a`, modRevision: ra },
          ],
          [
            { op: 'put', key: `${p}x`, value: 'X' },
            { op: 'delete', key: `${p}b` },
          ],
        );
        assert.deepEqual(failed, { ok: false });
        assert.equal(await store.get(`${p}x`), undefined);
        assert.equal((await store.get(`${p}b`))?.value, 'B1');
        // "absent" does not hold for an existing key, nor a revision for a missing one.
        assert.deepEqual(await store.transact([{ key: `${p}a`, modRevision: 0 }], [{ op: 'delete', key: `${p}a` }]), {
          ok: false,
        });
        assert.deepEqual(
          await store.transact([{ key: `${p}nope`, modRevision: ra }], [{ op: 'delete', key: `${p}a` }]),
          { ok: false },
        );
        assert.equal((await store.get(`${p}a`))?.value, 'A2');
      });

      test('20 parallel creates of one key: exactly one succeeds', async ({ store }, p) => {
        const results = await Promise.all(
          Array.from({ length: 20 }, (_, i) => store.create(`${p}race`, `writer-${i}`)),
        );
        const winners = results.flatMap((r, i) => (r.ok ? [i] : []));
        assert.equal(winners.length, 1, `exactly one create succeeded: ${JSON.stringify(winners)}`);
        const winner = `writer-${winners[0] as number}`;
        for (const r of results) if (!r.ok) assert.equal(r.current?.value, winner);
        assert.equal((await store.get(`${p}race`))?.value, winner);
      });
    });

    void describe('watch', () => {
      test('delivers puts and deletes under the prefix in revision order, each once', async ({ store }, p) => {
        const w = await collect(store, `${p}w/`);
        const expected: WatchEvent[] = [];
        const put = async (k: string, v: string): Promise<void> => {
          expected.push({ type: 'put', key: `${p}w/${k}`, value: v, modRevision: await store.put(`${p}w/${k}`, v) });
        };
        await put('a', '1');
        await put('b', '2');
        await store.put(`${p}other`, 'not watched');
        await put('a', '3');
        const rb = (await store.get(`${p}w/b`))?.modRevision as number;
        const del = await store.compareAndDelete(`${p}w/b`, rb);
        expected.push({ type: 'delete', key: `${p}w/b`, modRevision: okRevision(del) });
        const txn = await store.transact(
          [],
          [
            { op: 'put', key: `${p}w/c`, value: '4' },
            { op: 'delete', key: `${p}w/a` },
          ],
        );
        assert.ok(txn.ok);
        expected.push({ type: 'put', key: `${p}w/c`, value: '4', modRevision: txn.revision });
        expected.push({ type: 'delete', key: `${p}w/a`, modRevision: txn.revision });
        const delC = await store.compareAndDelete(`${p}w/c`, txn.revision);
        expected.push({ type: 'delete', key: `${p}w/c`, modRevision: okRevision(delC) });
        await put('z', 'end');
        await w.waitForKey(`${p}w/z`);
        assert.deepEqual(w.events, expected);
        await w.close();
      });

      test('from a revision replays what happened after a list', async ({ store }, p) => {
        const r1 = await store.put(`${p}h/a`, '1');
        const r2 = await store.put(`${p}h/b`, '2');
        const listed = await store.list(`${p}h/`);
        assert.deepEqual(
          listed.entries.map((e) => e.key),
          [`${p}h/a`, `${p}h/b`],
        );
        const r3 = await store.put(`${p}h/c`, '3');
        const r4 = okRevision(await store.compareAndDelete(`${p}h/a`, r1));

        const afterList = await collect(store, `${p}h/`, { fromRevision: listed.revision + 1 });
        const fromStart = await collect(store, `${p}h/`, { fromRevision: r1 });
        const r5 = await store.put(`${p}h/z`, 'end');
        await afterList.waitForKey(`${p}h/z`);
        await fromStart.waitForKey(`${p}h/z`);
        const tail: WatchEvent[] = [
          { type: 'put', key: `${p}h/c`, value: '3', modRevision: r3 },
          { type: 'delete', key: `${p}h/a`, modRevision: r4 },
          { type: 'put', key: `${p}h/z`, value: 'end', modRevision: r5 },
        ];
        assert.deepEqual(afterList.events, tail);
        assert.deepEqual(fromStart.events, [
          { type: 'put', key: `${p}h/a`, value: '1', modRevision: r1 },
          { type: 'put', key: `${p}h/b`, value: '2', modRevision: r2 },
          ...tail,
        ]);
        await afterList.close();
        await fromStart.close();
      });

      test('without fromRevision starts after the watch is established', async ({ store }, p) => {
        await store.put(`${p}n/before`, 'x');
        const w = await collect(store, `${p}n/`);
        const r = await store.put(`${p}n/after`, 'y');
        await w.waitForKey(`${p}n/after`);
        assert.deepEqual(w.events, [{ type: 'put', key: `${p}n/after`, value: 'y', modRevision: r }]);
        await w.close();
      });

      test('a closed watch delivers nothing more', async ({ store }, p) => {
        const closed = await collect(store, `${p}c/`);
        const open = await collect(store, `${p}c/`);
        await closed.close();
        await store.put(`${p}c/x`, '1');
        await open.waitForKey(`${p}c/x`);
        assert.deepEqual(closed.events, []);
        await open.close();
      });

      test('from a compacted revision asks for a resync', async (f, p, t) => {
        if (f.compact === undefined) return t.skip('the fixture has no compact hook');
        const r1 = await f.store.put(`${p}k`, '1');
        await f.store.put(`${p}k`, '2');
        const r3 = await f.store.put(`${p}k`, '3');
        await f.compact(r3);
        const w = collectNow(f.store, p, { fromRevision: r1 });
        await waitFor('onResyncRequired', () => w.resyncs.length === 1);
        assert.deepEqual(w.events, []);
        await w.close();
      });

      test('survives a server restart without missing or repeating events', async (f, p, t) => {
        if (f.restartServer === undefined) return t.skip('the fixture cannot restart its server');
        const { store } = f;
        const w = await collect(store, `${p}r/`);
        const expected: WatchEvent[] = [];
        const put = async (k: string): Promise<void> => {
          expected.push({ type: 'put', key: `${p}r/${k}`, value: k, modRevision: await store.put(`${p}r/${k}`, k) });
        };
        await put('before');
        await w.waitForKey(`${p}r/before`);
        await f.restartServer();
        // Written while the watch is still reconnecting (it backs off after the restart).
        for (const k of ['during-1', 'during-2', 'during-3']) await put(k);
        await put('after');
        await w.waitForKey(`${p}r/after`);
        assert.deepEqual(w.events, expected);
        assert.deepEqual(w.resyncs, []);
        await w.close();
      });
    });

    void describe('leases', () => {
      test('keys put under a lease carry it and go when it is revoked; onLost does not fire', async ({ store }, p) => {
        const lease = await store.grantLease(5);
        assert.ok(lease.ttlSeconds >= 5);
        const lost: string[] = [];
        lease.onLost((reason) => lost.push(reason));
        await store.put(`${p}a`, 'x', { lease });
        assert.ok((await store.create(`${p}b`, 'y', { lease })).ok);
        assert.equal((await store.get(`${p}a`))?.leaseId, lease.id);
        await store.put(`${p}c`, 'z', { lease });
        await store.put(`${p}c`, 'detached');
        assert.equal((await store.get(`${p}c`))?.leaseId, undefined);
        await lease.revoke();
        assert.equal(await store.get(`${p}a`), undefined);
        assert.equal(await store.get(`${p}b`), undefined);
        assert.equal((await store.get(`${p}c`))?.value, 'detached');
        await assert.rejects(store.put(`${p}d`, 'late', { lease }), (err) => isStoreError(err, 'STORE_LEASE_LOST'));
        assert.equal(await store.get(`${p}d`), undefined);
        assert.deepEqual(lost, []);
      });

      test('an expired lease deletes its keys and fires onLost once', async (f, p, t) => {
        if (f.expireLease === undefined) return t.skip('the fixture has no expireLease hook');
        const { store } = f;
        const lease = await store.grantLease(10);
        const lost: string[] = [];
        lease.onLost((reason) => lost.push(reason));
        await store.put(`${p}l/a`, '1', { lease });
        await store.put(`${p}l/b`, '2', { lease });
        const w = await collect(store, `${p}l/`);
        await f.expireLease(lease.id);
        await waitFor('the leased keys to go', async () => (await store.list(`${p}l/`)).entries.length === 0);
        await waitFor('onLost', () => lost.length > 0);
        await waitFor('the delete events', () => w.events.length === 2);
        assert.deepEqual(
          w.events.map((e) => [e.type, e.key]),
          [
            ['delete', `${p}l/a`],
            ['delete', `${p}l/b`],
          ],
        );
        const late: string[] = [];
        lease.onLost((reason) => late.push(reason));
        await waitFor('a late onLost listener to be called', () => late.length === 1);
        assert.equal(lost.length, 1);
        await w.close();
      });
    });

    void describe('locks', () => {
      test('a lock excludes others until released; waiting can time out', async ({ store }, p) => {
        const name = `${p}lock`;
        const a = await store.lock(name, { value: 'holder-a' });
        assert.equal(a.name, name);
        assert.equal((await store.get(name))?.value, 'holder-a');

        let bHeld = false;
        const bPromise = store.lock(name, { value: 'holder-b' }).then((lock) => {
          bHeld = true;
          return lock;
        });
        const started = Date.now();
        await assert.rejects(store.lock(name, { value: 'holder-c', timeoutMs: 300 }), (err) => {
          assert.ok(isStoreError(err, 'STORE_LOCK_TIMEOUT'), String(err));
          assert.match((err as Error).message, /holder-a/);
          return true;
        });
        assert.ok(Date.now() - started >= 250, 'the timed-out attempt waited');
        assert.equal(bHeld, false, 'b does not get the lock while a holds it');
        assert.equal((await store.get(name))?.value, 'holder-a');

        await a.release();
        const b = await bPromise;
        assert.equal((await store.get(name))?.value, 'holder-b');
        await b.release();
        assert.equal(await store.get(name), undefined);
      });

      test('a lock whose lease expires is lost and can be taken again', async (f, p, t) => {
        if (f.expireLease === undefined) return t.skip('the fixture has no expireLease hook');
        const { store } = f;
        const name = `${p}lock`;
        const a = await store.lock(name, { value: 'a', ttlSeconds: 10 });
        const lost: string[] = [];
        a.onLost((reason) => lost.push(reason));
        const leaseId = (await store.get(name))?.leaseId;
        assert.ok(leaseId !== undefined, 'the lock key is attached to a lease');
        await f.expireLease(leaseId);
        await waitFor('the lock to report onLost', () => lost.length === 1);
        const b = await store.lock(name, { value: 'b', timeoutMs: WAIT_MS });
        assert.equal((await store.get(name))?.value, 'b');
        await b.release();
        await a.release();
      });

      test('a holder notices when its lock key is deleted', async ({ store }, p) => {
        const name = `${p}lock`;
        const a = await store.lock(name, { value: 'a' });
        const lost: string[] = [];
        a.onLost((reason) => lost.push(reason));
        assert.equal(await store.delete(name), true);
        await waitFor('the lock to report onLost', () => lost.length === 1);
        await a.release();
      });
    });

    void describe('lifecycle', () => {
      test('a closed store rejects operations with STORE_CLOSED', async ({ store }, p) => {
        await store.put(`${p}k`, 'v');
        await store.close();
        await assert.rejects(store.get(`${p}k`), (err) => isStoreError(err, 'STORE_CLOSED'));
        await assert.rejects(store.put(`${p}k`, 'v'), (err) => isStoreError(err, 'STORE_CLOSED'));
        assert.throws(
          () => store.watch(p, { onEvent: () => undefined }),
          (err) => isStoreError(err, 'STORE_CLOSED'),
        );
        await store.close();
      });
    });
  });
}

function okRevision(res: { ok: true; modRevision: number } | { ok: false }): number {
  assert.ok(res.ok, 'the conditional write succeeded');
  return res.modRevision;
}

interface Collector {
  readonly events: WatchEvent[];
  readonly resyncs: string[];
  readonly watch: Watch;
  waitForKey(key: string): Promise<void>;
  close(): Promise<void>;
}

function collectNow(store: Store, prefix: string, opts?: WatchOptions): Collector {
  const events: WatchEvent[] = [];
  const resyncs: string[] = [];
  const watch = store.watch(
    prefix,
    { onEvent: (ev) => events.push(ev), onResyncRequired: (reason) => resyncs.push(reason) },
    opts,
  );
  return {
    events,
    resyncs,
    watch,
    waitForKey: (key) => waitFor(`a watch event for ${key}`, () => events.some((e) => e.key === key)),
    close: () => watch.close(),
  };
}

async function collect(store: Store, prefix: string, opts?: WatchOptions): Promise<Collector> {
  const c = collectNow(store, prefix, opts);
  await c.watch.ready;
  return c;
}

async function waitFor(what: string, check: () => boolean | Promise<boolean>, timeoutMs = WAIT_MS): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
