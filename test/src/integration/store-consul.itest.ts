/**
 * ConsulStore against a real Consul agent: the shared conformance suite (with
 * server restarts, lease expiry and journal compaction), then what only a real
 * server shows: a stopped agent, renewal loss, a crash while a watch replays
 * history, and Consul's own limits and key spelling.
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { ConsulStore, createStore, isStoreError, type Store, type TxnOp, type WatchEvent } from '@contiv/store';
import { describeStoreConformance } from '@contiv/store/testing';
import { startConsul, type ConsulServer } from '../harness/consul';
import { eventually } from '../harness/eventually';
import { checkWatchSurvivesCrashMidReplay } from './watch-crash-replay';
import { freePort } from '../harness/ports';

/** Ends a session the way Consul does when its TTL runs out, from another client. */
async function destroySession(consul: ConsulServer, id: string): Promise<void> {
  const res = await fetch(`${consul.httpUrl}/v1/session/destroy/${id}`, { method: 'PUT' });
  if (!res.ok) throw new Error(`consul session destroy answered ${res.status}: ${await res.text()}`);
}

/** A key as Consul itself stores it, bypassing the store. */
async function rawKey(consul: ConsulServer, wireKey: string): Promise<string | undefined> {
  const res = await fetch(`${consul.httpUrl}/v1/kv/${wireKey}?raw`);
  if (res.status === 404) return undefined;
  if (!res.ok) throw new Error(`consul GET ${wireKey} answered ${res.status}`);
  return res.text();
}

/** The TTL Consul keeps for a session, in ms (it keeps what was sent: "2000ms"; or Go's "10s", "1m0s"). */
async function sessionTtlMs(consul: ConsulServer, id: string): Promise<number> {
  const res = await fetch(`${consul.httpUrl}/v1/session/info/${id}`);
  const [info] = (await res.json()) as { TTL?: string }[];
  const units: Record<string, number> = { h: 3_600_000, m: 60_000, s: 1000, ms: 1 };
  let ms = 0;
  for (const [, n, unit] of (info?.TTL ?? '').matchAll(/(\d+(?:\.\d+)?)(ms|h|m|s)/g)) ms += Number(n) * (units[unit ?? ''] ?? Number.NaN);
  return ms;
}

/**
 * An HTTP proxy in front of Consul that can answer the next `count` journal
 * reads (what a watch's blocking queries ask for) with an error of its own, as
 * an agent or a proxy in trouble might.
 */
async function faultyProxy(consul: ConsulServer): Promise<{ endpoint: string; failJournalReads(count: number): void; failed(): number; close(): Promise<void> }> {
  let toFail = 0;
  let failed = 0;
  const server = http.createServer((req, res) => {
    if (toFail > 0 && req.method === 'GET' && (req.url ?? '').startsWith('/v1/kv/_store/journal/')) {
      toFail--;
      failed++;
      res.writeHead(403, { 'content-type': 'text/plain' }).end('Permission denied (injected by the test)');
      req.resume();
      return;
    }
    const up = http.request({ host: '127.0.0.1', port: consul.port, method: req.method, path: req.url, headers: req.headers }, (r) => {
      res.writeHead(r.statusCode ?? 502, r.headers);
      r.pipe(res);
    });
    up.on('error', () => res.destroy());
    req.pipe(up);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    failJournalReads: (count) => {
      toFail = count;
    },
    failed: () => failed,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

async function journalLength(consul: ConsulServer): Promise<number> {
  const res = await fetch(`${consul.httpUrl}/v1/kv/_store/journal/?keys`);
  return res.status === 404 ? 0 : ((await res.json()) as string[]).length;
}

void describe('ConsulStore', () => {
  let consul: ConsulServer;
  before(async () => {
    consul = await startConsul({ persistent: true });
  });
  after(async () => {
    await consul?.stop();
  });

  describeStoreConformance('ConsulStore', async () => {
    const store = new ConsulStore({ endpoint: consul.httpUrl, timeoutMs: 5000 });
    return {
      store,
      restartServer: () => consul.restart(),
      expireLease: (leaseId) => destroySession(consul, leaseId),
      compact: async (revision) => {
        await store.compactJournal(revision);
      },
      cleanup: () => store.close(),
    };
  });
});

void describe('ConsulStore on Consul', () => {
  let consul: ConsulServer;
  const stores: Store[] = [];
  const open = (timeoutMs = 5000, journalRetention?: number): ConsulStore => {
    const store = new ConsulStore({
      endpoint: consul.httpUrl,
      timeoutMs,
      ...(journalRetention === undefined ? {} : { journalRetention }),
    });
    stores.push(store);
    return store;
  };
  before(async () => {
    consul = await startConsul({ persistent: true });
  });
  after(async () => {
    for (const s of stores) await s.close();
    await consul?.stop();
  });

  void it('stores keys without their leading slash and refuses keys it cannot map', async () => {
    const store = open();
    await store.put('/contiv.io/v1/obj/network/default:net1', '{"a":1}');
    assert.equal(await rawKey(consul, 'contiv.io/v1/obj/network/default:net1'), '{"a":1}');
    assert.deepEqual(
      (await store.list('/contiv.io/v1/obj/')).entries.map((e) => e.key),
      ['/contiv.io/v1/obj/network/default:net1'],
    );
    await assert.rejects(store.put('no-slash', 'x'), RangeError);
    await assert.rejects(store.put('/_store/head', 'x'), RangeError);
    // The journal stays out of listings that would cover it.
    assert.ok((await store.list('/')).entries.every((e) => !e.key.startsWith('/_store/')));
  });

  void it('refuses a transaction over Consul\'s 64 operations and writes nothing', async () => {
    const store = open();
    const ops: TxnOp[] = Array.from({ length: 62 }, (_, i) => ({ op: 'put', key: `/big/k${i}`, value: String(i) }));
    await assert.rejects(store.transact([], ops), (err) => err instanceof RangeError && /64 operations/.test(err.message));
    assert.deepEqual((await store.list('/big/')).entries, []);
    const fits = await store.transact([], ops.slice(0, 61));
    assert.ok(fits.ok);
    assert.equal((await store.list('/big/')).entries.length, 61);
    // deletePrefix is one delete-tree operation, whatever the number of keys.
    const w: WatchEvent[] = [];
    const watch = store.watch('/big/', { onEvent: (ev) => w.push(ev) });
    await watch.ready;
    assert.equal(await store.deletePrefix('/big/'), 61);
    await eventually(() => w.length === 61, { what: '61 delete events' });
    assert.equal(new Set(w.map((e) => e.modRevision)).size, 1, 'one revision');
    await watch.close();
  });

  void it('a watch that fell behind the journal\'s retention asks for a resync', async () => {
    const store = open(5000, 50);
    const from = (await store.list('/trim/')).revision + 1;
    for (let i = 0; i < 220; i++) await store.put(`/trim/k${i}`, String(i));
    // After 200 of its writes the store trims the journal to 50 records, in the background; 20 more followed.
    await eventually(async () => (await journalLength(consul)) <= 70, { what: 'the journal trimmed to 50 + 20 records' });
    const resyncs: string[] = [];
    const watch = store.watch('/trim/', { onEvent: () => undefined, onResyncRequired: (r) => resyncs.push(r) }, { fromRevision: from });
    await eventually(() => resyncs.length === 1, { what: 'onResyncRequired' });
    assert.match(resyncs[0] ?? '', /journal/);
    await watch.close();
  });

  void it('fails with STORE_UNAVAILABLE naming the URL within the timeout when Consul is stopped, and recovers', async () => {
    const timeoutMs = 1500;
    const store = open(timeoutMs);
    await store.put('/outage/k', 'v');
    await consul.stop();
    try {
      for (const [what, op] of [
        ['get', () => store.get('/outage/k')],
        ['put', () => store.put('/outage/k', 'w')],
        ['create', () => store.create('/outage/new', 'w')],
        ['list', () => store.list('/outage/')],
        ['grantLease', () => store.grantLease(10)],
      ] as const) {
        const started = Date.now();
        await assert.rejects(op(), (err) => {
          assert.ok(isStoreError(err, 'STORE_UNAVAILABLE'), `${what}: ${String(err)}`);
          assert.ok((err as Error).message.includes(store.url), `${what} names the URL: ${(err as Error).message}`);
          return true;
        });
        const elapsed = Date.now() - started;
        assert.ok(elapsed < timeoutMs + 2000, `${what} failed after ${elapsed} ms (timeout ${timeoutMs} ms)`);
      }
      const watch = store.watch('/outage/', { onEvent: () => undefined });
      await assert.rejects(watch.ready, (err) => isStoreError(err, 'STORE_UNAVAILABLE'));
    } finally {
      await consul.restart();
    }
    assert.equal((await store.get('/outage/k'))?.value, 'v');
  });

  void it('fails with STORE_UNAVAILABLE when nothing listens at the URL', async () => {
    const url = `consul://127.0.0.1:${await freePort()}`;
    const store = createStore(url, { timeoutMs: 1000 });
    stores.push(store);
    await assert.rejects(store.get('/k'), (err) => isStoreError(err, 'STORE_UNAVAILABLE') && (err as Error).message.includes(url));
  });

  void it('reports a lease and its lock lost when renewals cannot reach Consul for a TTL', async () => {
    const store = open();
    const lease = await store.grantLease(10);
    const lock = await store.lock('/keepalive/lock', { ttlSeconds: 10, value: 'me' });
    const leaseLost: string[] = [];
    const lockLost: string[] = [];
    lease.onLost((reason) => leaseLost.push(reason));
    lock.onLost((reason) => lockLost.push(reason));
    await consul.kill();
    try {
      await eventually(() => leaseLost.length === 1 && lockLost.length === 1, {
        timeoutMs: 25_000,
        what: 'the lease and the lock to be reported lost',
      });
      assert.match(leaseLost[0] ?? '', /renewal/);
    } finally {
      await consul.restart();
    }
    // The lost holder destroys its session once Consul is back, so the lock is free again.
    const again = await store.lock('/keepalive/lock', { value: 'next', timeoutMs: 15_000 });
    assert.equal((await store.get('/keepalive/lock'))?.value, 'next');
    await again.release();
    await lock.release();
  });

  void it("a lease below Consul's session_ttl_min (10 s here) gets a session of that minimum and lasts twice it", async () => {
    const store = open();
    const lease = await store.grantLease(4);
    assert.equal(lease.ttlSeconds, 20);
    assert.equal(await sessionTtlMs(consul, lease.id), 10_000);
    // Learned once: the next short lease asks for the minimum straight away.
    const next = await store.grantLease(6);
    assert.equal(next.ttlSeconds, 20);
    const long = await store.grantLease(60);
    assert.deepEqual([long.ttlSeconds, await sessionTtlMs(consul, long.id)], [60, 30_000]);
    for (const l of [lease, next, long]) await l.revoke();
  });

  void it('a watch whose blocking query gets an unexpected answer (HTTP 403) retries from where it was: nothing missed', async () => {
    const proxy = await faultyProxy(consul);
    try {
      const watcher = new ConsulStore({ endpoint: proxy.endpoint, timeoutMs: 5000 });
      stores.push(watcher);
      const writer = open();
      const events: WatchEvent[] = [];
      const resyncs: string[] = [];
      const w = watcher.watch('/odd/', { onEvent: (e) => events.push(e), onResyncRequired: (r) => resyncs.push(r) });
      await w.ready;
      proxy.failJournalReads(2);
      const r1 = await writer.put('/odd/k1', '1');
      await eventually(() => proxy.failed() === 2, { what: 'the two injected answers' });
      const r2 = await writer.put('/odd/k2', '2');
      await eventually(() => events.length === 2, { what: 'both puts delivered' });
      assert.deepEqual(events, [
        { type: 'put', key: '/odd/k1', value: '1', modRevision: r1 },
        { type: 'put', key: '/odd/k2', value: '2', modRevision: r2 },
      ]);
      assert.deepEqual(resyncs, []);
      await w.close();
    } finally {
      await proxy.close();
    }
  });

  void it('a watch replaying history survives a Consul crash mid-replay with no gap and no duplicate', async () => {
    // Small batches: every write moves the one journal head, so parallel writers retry each other.
    await checkWatchSurvivesCrashMidReplay(open(5000, 10_000), consul, { keys: 1500, batch: 10, deliverTimeoutMs: 60_000 });
  });
});

void describe('ConsulStore leases on a Consul that allows short sessions (session_ttl_min 1s)', () => {
  let consul: ConsulServer;
  const stores: ConsulStore[] = [];
  const open = (): ConsulStore => {
    const store = new ConsulStore({ endpoint: consul.httpUrl, timeoutMs: 5000 });
    stores.push(store);
    return store;
  };
  before(async () => {
    consul = await startConsul({ sessionTtlMin: '1s' });
  });
  after(async () => {
    for (const s of stores) await s.close();
    await consul?.stop();
  });

  void it('a lease of 4 s is a session of 2 s (Consul ends sessions after twice their TTL)', async () => {
    const lease = await open().grantLease(4);
    assert.equal(lease.ttlSeconds, 4);
    assert.equal(await sessionTtlMs(consul, lease.id), 2000);
    await lease.revoke();
  });

  void it('the keys of a holder that stops renewing go by themselves, and a watcher sees them deleted', async () => {
    const holder = open();
    const watcher = open();
    const lease = await holder.grantLease(4);
    await holder.put('/short/node', 'up', { lease });
    const events: WatchEvent[] = [];
    const w = watcher.watch('/short/', { onEvent: (e) => events.push(e) });
    await w.ready;
    // close() stops the renewals and revokes nothing, as a crashed process would.
    await holder.close();
    await eventually(async () => (await watcher.get('/short/node')) === undefined, { timeoutMs: 30_000, intervalMs: 250, what: 'the leased key to go' });
    await eventually(() => events.some((e) => e.type === 'delete' && e.key === '/short/node'), { what: 'the delete event' });
    await w.close();
  });
});
