import { StoreError } from '../errors';
import { deferred } from '../internal/deferred';
import { delay } from '../internal/delay';
import { compareKeys } from '../internal/prefix';
import { checkFromRevision } from '../internal/validate';
import { acquireLeaseLock } from '../lock/lease-lock';
import { noopLogger, type Logger } from '../logger';
import type {
  CasResult,
  Lease,
  ListResult,
  Lock,
  LockOptions,
  PutOptions,
  Store,
  StoreEntry,
  TxnCondition,
  TxnOp,
  TxnResult,
  Watch,
  WatchHandlers,
  WatchOptions,
} from '../store';
import { ConsulApi, ConsulRejectedError, type CallCtx } from './consul-api';
import { ConsulCallError, ConsulHttp } from './consul-http';
import {
  HEAD_KEY,
  JOURNAL_PREFIX,
  LEASE_INDEX_PREFIX,
  isReservedWire,
  journalKey,
  parseJournalKey,
  parseLeaseIndexKey,
  prefixCoversReserved,
  toWireKey,
  toWirePrefix,
} from './consul-keys';
import { MAX_TXN_OPS, kvOp, toEntry, type ConsulKv, type TxnKvOp } from './consul-kv';
import { ConsulLease, type LeaseHost } from './consul-lease';
import { ConsulWatch } from './consul-watch';
import { JOURNAL_TXN_OPS, journalTxnOps } from './journal';
import { LeaseReaper } from './lease-reaper';
import { WritePlan } from './write-plan';

export interface ConsulStoreOptions {
  /** The agent's HTTP endpoint, `http://host:port`. */
  readonly endpoint: string;
  /** Shown in logs and errors; default `consul://host:port`. */
  readonly url?: string;
  readonly logger?: Logger;
  /** Bound on every operation, retries included (default 5000 ms). */
  readonly timeoutMs?: number;
  /** Journal records kept for watches that resume from an older revision (default 2000). */
  readonly journalRetention?: number;
}

const DEFAULT_TIMEOUT_MS = 5000;
const DEFAULT_JOURNAL_RETENTION = 2000;
/** Each store checks the journal's length after this many of its own writes. */
const TRIM_CHECK_EVERY = 200;
const RETRY_FIRST_MS = 50;
const RETRY_MAX_MS = 1000;
/** deletePrefix journals one record per chunk when the keys do not fit one transaction's record. */
const MAX_DELETE_TREE_RECORD_BYTES = 256 * 1024;
/** Keys the reaper handles per transaction (each needs a read op and up to two write ops). */
const REAP_CHUNK = 20;

/** A consistent read: the journal head and the raw entries asked for, orphans included. */
interface Snapshot {
  readonly head: number;
  readonly kvs: ReadonlyMap<string, ConsulKv>;
}

type Decision<T> = { readonly done: T } | { readonly plan: WritePlan; readonly result: (revision: number) => T };

/**
 * The Store on a Consul agent's HTTP API (plain node:http: the few endpoints
 * we need, with deadlines, cancellation and Consul's own verbs).
 *
 * Consul has no history, so every write goes through one transaction that
 * checks and moves a journal head and writes a journal record of its changes
 * (journal.ts). The head's ModifyIndex is the store revision, the record is
 * what watches replay, and the head check makes each write apply to exactly
 * the snapshot it was planned from: conditions, leases and "absent" are
 * decided on that snapshot, and a concurrent write makes the commit fail and
 * the write re-plan. Leases are sessions (consul-lease.ts); see docs/store.md.
 */
export class ConsulStore implements Store {
  readonly url: string;
  private readonly http: ConsulHttp;
  private readonly api: ConsulApi;
  private readonly log: Logger;
  private readonly timeoutMs: number;
  private readonly retention: number;
  private closed = false;
  private readonly closing = new AbortController();
  private readonly closedSignal = deferred();
  private readonly watches = new Set<ConsulWatch>();
  private readonly leases = new Map<string, ConsulLease>();
  private reaper: LeaseReaper | undefined;
  private writesSinceTrim = 0;
  /** Resolves when the write queued last is over (see write()). */
  private writeTail: Promise<void> = Promise.resolve();
  private trimming = false;
  private readonly leaseHost: LeaseHost;

  constructor(options: ConsulStoreOptions) {
    this.url = options.url ?? `consul://${options.endpoint.replace(/^https?:\/\//, '')}`;
    this.log = (options.logger ?? noopLogger).child({ component: 'store', store: this.url });
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.retention = options.journalRetention ?? DEFAULT_JOURNAL_RETENTION;
    if (!(Number.isInteger(this.retention) && this.retention >= 1)) {
      throw new RangeError(`journalRetention must be a positive integer, got ${this.retention}`);
    }
    this.http = new ConsulHttp(options.endpoint);
    this.api = new ConsulApi(this.http);
    this.leaseHost = {
      api: this.api,
      log: this.log,
      timeoutMs: this.timeoutMs,
      signal: this.closing.signal,
      run: (op, fn) => this.run(op, 'safe', fn),
      reapSession: (id) => this.reapSession(id),
      onEnded: (lease) => this.leases.delete(lease.id),
      minSessionTtlMs: undefined,
    };
  }

  async get(key: string): Promise<StoreEntry | undefined> {
    const wire = toWireKey(key);
    const kv = await this.run('get', 'safe', (ctx) => this.api.getKey(wire, ctx));
    return kv === undefined ? undefined : toEntry(kv);
  }

  async list(prefix: string): Promise<ListResult> {
    const wire = toWirePrefix(prefix);
    const snap = await this.snapshot('list', [], [wire], Date.now() + this.timeoutMs);
    return { entries: liveEntries(snap, wire), revision: snap.head };
  }

  async put(key: string, value: string, opts?: PutOptions): Promise<number> {
    const wire = toWireKey(key);
    const session = this.sessionOf(opts?.lease);
    return this.write('put', [wire], (snap) => {
      const plan = new WritePlan(snap.head);
      plan.put(wire, snap.kvs.get(wire), value, session);
      return { plan, result: (revision) => revision };
    });
  }

  async create(key: string, value: string, opts?: PutOptions): Promise<CasResult> {
    const wire = toWireKey(key);
    const session = this.sessionOf(opts?.lease);
    return this.write('create', [wire], (snap): Decision<CasResult> => {
      const raw = snap.kvs.get(wire);
      const current = raw === undefined ? undefined : toEntry(raw);
      if (current !== undefined) return { done: { ok: false, current } };
      const plan = new WritePlan(snap.head);
      plan.put(wire, raw, value, session);
      return { plan, result: (revision) => ({ ok: true, modRevision: revision }) };
    });
  }

  async compareAndSwap(key: string, expectedModRevision: number, value: string, opts?: PutOptions): Promise<CasResult> {
    const wire = toWireKey(key);
    const session = this.sessionOf(opts?.lease);
    return this.write('compareAndSwap', [wire], (snap): Decision<CasResult> => {
      const raw = snap.kvs.get(wire);
      const conflict = casConflict(raw, expectedModRevision);
      if (conflict !== undefined) return { done: conflict };
      const plan = new WritePlan(snap.head);
      plan.put(wire, raw, value, session);
      return { plan, result: (revision) => ({ ok: true, modRevision: revision }) };
    });
  }

  async delete(key: string): Promise<boolean> {
    const wire = toWireKey(key);
    return this.write('delete', [wire], (snap): Decision<boolean> => {
      const plan = new WritePlan(snap.head);
      const existed = plan.delete(wire, snap.kvs.get(wire));
      return plan.ops.length === 0 ? { done: false } : { plan, result: () => existed };
    });
  }

  async compareAndDelete(key: string, expectedModRevision: number): Promise<CasResult> {
    const wire = toWireKey(key);
    return this.write('compareAndDelete', [wire], (snap): Decision<CasResult> => {
      const raw = snap.kvs.get(wire);
      const conflict = casConflict(raw, expectedModRevision);
      if (conflict !== undefined) return { done: conflict };
      const plan = new WritePlan(snap.head);
      plan.delete(wire, raw);
      return { plan, result: (revision) => ({ ok: true, modRevision: revision }) };
    });
  }

  /**
   * One transaction (Consul's delete-tree) when the prefix's keys fit one
   * journal record and the prefix does not cover the store's own keys;
   * otherwise chunks of keys, one revision each.
   */
  async deletePrefix(prefix: string): Promise<number> {
    const wire = toWirePrefix(prefix);
    const perKey = prefixCoversReserved(wire);
    let deleted = 0;
    for (;;) {
      const round = await this.write('deletePrefix', [], (snap): Decision<{ deleted: number; more: boolean }> => {
        const raws = [...snap.kvs.values()].filter((kv) => kv.Key.startsWith(wire) && !isReservedWire(kv.Key));
        if (raws.length === 0) return { done: { deleted: 0, more: false } };
        const plan = new WritePlan(snap.head);
        const fitsOne = !perKey && recordBytes(raws) <= MAX_DELETE_TREE_RECORD_BYTES;
        const chunk = fitsOne ? raws : raws.slice(0, MAX_TXN_OPS - JOURNAL_TXN_OPS);
        const count = chunk.filter((raw) => plan.delete(raw.Key, raw)).length;
        if (fitsOne) plan.ops.splice(0, plan.ops.length, kvOp.deleteTree(wire));
        return { plan, result: () => ({ deleted: count, more: !fitsOne && chunk.length < raws.length }) };
      }, [wire]);
      deleted += round.deleted;
      if (!round.more) return deleted;
    }
  }

  async transact(conditions: readonly TxnCondition[], ops: readonly TxnOp[]): Promise<TxnResult> {
    const opKeys = new Set<string>();
    for (const op of ops) {
      if (opKeys.has(op.key)) throw new RangeError(`A transaction names key ${op.key} twice`);
      opKeys.add(op.key);
    }
    const wires = [...new Set([...conditions.map((c) => c.key), ...opKeys])].map(toWireKey);
    if (wires.length + 1 > MAX_TXN_OPS) {
      throw new RangeError(`A Consul transaction can read at most ${MAX_TXN_OPS - 1} keys; this one names ${wires.length}`);
    }
    const sessions = new Map(ops.map((op) => [op.key, op.op === 'put' ? this.sessionOf(op.lease) : undefined]));
    return this.write('transact', wires, (snap): Decision<TxnResult> => {
      for (const c of conditions) {
        if (casConflict(snap.kvs.get(toWireKey(c.key)), c.modRevision) !== undefined) return { done: { ok: false } };
      }
      const plan = new WritePlan(snap.head);
      for (const op of ops) {
        const wire = toWireKey(op.key);
        if (op.op === 'put') plan.put(wire, snap.kvs.get(wire), op.value, sessions.get(op.key));
        else plan.delete(wire, snap.kvs.get(wire));
      }
      if (plan.ops.length === 0) return { done: { ok: true, revision: snap.head } };
      return { plan, result: (revision) => ({ ok: true, revision }) };
    });
  }

  watch(prefix: string, handlers: WatchHandlers, opts: WatchOptions = {}): Watch {
    this.checkOpen('watch');
    checkFromRevision(opts.fromRevision);
    toWirePrefix(prefix);
    this.startReaper();
    const watch = new ConsulWatch(
      { api: this.api, log: this.log, url: this.url, timeoutMs: this.timeoutMs, onClose: (w) => this.watches.delete(w) },
      prefix,
      handlers,
      opts,
    );
    this.watches.add(watch);
    return watch;
  }

  async grantLease(ttlSeconds: number): Promise<Lease> {
    this.checkOpen('grantLease');
    this.startReaper();
    const lease = await ConsulLease.grant(this.leaseHost, ttlSeconds);
    this.leases.set(lease.id, lease);
    return lease;
  }

  async lock(name: string, opts?: LockOptions): Promise<Lock> {
    toWireKey(name);
    return acquireLeaseLock(this, this.log, this.closedSignal.promise, name, opts);
  }

  /**
   * Drops journal records older than `revision` (etcd's compaction): watches
   * from before it then ask for a resync. The store also trims on its own,
   * keeping `journalRetention` records. The newest record is always kept.
   */
  async compactJournal(revision: number): Promise<number> {
    const points = await this.journalPoints('compactJournal');
    // The record under points[i] holds revision points[i + 1].
    const drop = points.filter((_, i) => i + 1 < points.length && (points[i + 1] as number) < revision);
    await this.deleteJournalRecords(drop);
    return drop.length;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.closedSignal.resolve();
    this.closing.abort();
    await Promise.all([...this.watches].map((w) => w.close()));
    for (const lease of this.leases.values()) lease.release();
    this.leases.clear();
    await this.reaper?.stop();
    this.http.close();
  }

  // -------------------------------------------------------------------------

  /**
   * Plans a write on a snapshot and commits it with the journal, re-planning
   * whenever another write moved the head in between. `keys` are read exactly,
   * `trees` as prefixes.
   */
  private async write<T>(
    op: string,
    keys: readonly string[],
    decide: (snap: Snapshot) => Decision<T>,
    trees: readonly string[] = [],
  ): Promise<T> {
    const deadline = Date.now() + this.timeoutMs;
    // Writes of this client take turns: every write moves the one journal head, so concurrent ones would
    // mostly re-plan (measured: 290 writes/s one at a time, 66/s sixteen at once). Only an efficiency
    // matter: the head check keeps them correct either way, so a write whose turn does not come before
    // its deadline fails as unavailable and the queue moves on.
    const turn = this.writeTurn(op, deadline);
    try {
      await turn.ready;
      return await this.writeNow(op, keys, decide, trees, deadline);
    } finally {
      turn.done();
    }
  }

  private writeTurn(op: string, deadline: number): { ready: Promise<void>; done: () => void } {
    const before = this.writeTail;
    let done!: () => void;
    this.writeTail = new Promise<void>((resolve) => (done = resolve));
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<void>((_, reject) => {
      timer = setTimeout(
        () => reject(new StoreError('STORE_UNAVAILABLE', `Consul at ${this.url} did not get to ${op} within ${this.timeoutMs} ms (writes queued before it)`)),
        Math.max(0, deadline - Date.now()),
      );
    });
    late.catch(() => undefined);
    const ready = Promise.race([before, late]).finally(() => clearTimeout(timer));
    return { ready, done };
  }

  private async writeNow<T>(
    op: string,
    keys: readonly string[],
    decide: (snap: Snapshot) => Decision<T>,
    trees: readonly string[],
    deadline: number,
  ): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      const snap = await this.snapshot(op, keys, trees, deadline);
      const decision = decide(snap);
      if ('done' in decision) return decision.done;
      const { plan } = decision;
      const journaled = plan.journal.length > 0;
      const txnOps: TxnKvOp[] = journaled ? [...journalTxnOps(snap.head, plan.journal), ...plan.ops] : plan.ops;
      if (txnOps.length > MAX_TXN_OPS) {
        throw new RangeError(
          `Consul transactions are limited to ${MAX_TXN_OPS} operations; ${op} needs ${txnOps.length} ` +
            `(${JOURNAL_TXN_OPS} for the journal, 1 per put or delete, 2 more per leased put)`,
        );
      }
      const outcome = await this.run(op, 'unsafe', (ctx) => this.api.txn(txnOps, ctx), deadline);
      if (outcome.ok) {
        const head = outcome.results.filter((kv) => kv.Key === HEAD_KEY).pop();
        if (journaled) this.noteWrite();
        return decision.result(head?.ModifyIndex ?? snap.head);
      }
      const error = outcome.errors[0] ?? { opIndex: -1, what: 'no reason given' };
      if (/invalid session/.test(error.what)) {
        for (const [id, lease] of this.leases) if (error.what.includes(id)) lease.markLost(`Consul no longer has the session (${op})`);
        throw new StoreError('STORE_LEASE_LOST', `Consul at ${this.url} no longer has the lease used by ${op}: ${error.what}`);
      }
      // The head moved, or a session ended and released a key the plan saw held: re-plan.
      const replan = (journaled && error.opIndex === 0) || /lock is already held|failed to unlock|failed to lock/.test(error.what);
      if (!replan) throw new Error(`Consul at ${this.url} rejected ${op}: ${error.what}`);
      if (Date.now() >= deadline) {
        throw new StoreError('STORE_UNAVAILABLE', `Consul at ${this.url}: ${op} kept conflicting with other writes for ${this.timeoutMs} ms`);
      }
      // Many writers at once: spread the retries a little.
      if (attempt >= 2) await delay(Math.random() * Math.min(2 ** attempt, 50));
    }
  }

  private async snapshot(op: string, keys: readonly string[], trees: readonly string[], deadline: number): Promise<Snapshot> {
    let results: ConsulKv[];
    if (trees.includes('')) {
      // A transaction cannot read the empty prefix; the whole tree (head included) is one read anyway.
      results = (await this.run(op, 'safe', (ctx) => this.api.watchTree('', 0, 0, ctx), deadline)).kvs;
    } else {
      const reads = [kvOp.getTree(HEAD_KEY), ...keys.map(kvOp.getTree), ...trees.map(kvOp.getTree)];
      const outcome = await this.run(op, 'safe', (ctx) => this.api.txn(reads, ctx, true), deadline);
      if (!outcome.ok) {
        throw new Error(`Consul at ${this.url} refused the reads of ${op}: ${outcome.errors.map((e) => e.what).join('; ')}`);
      }
      results = outcome.results;
    }
    const exact = new Set(keys);
    const kvs = new Map<string, ConsulKv>();
    let head = 0;
    for (const kv of results) {
      if (kv.Key === HEAD_KEY) head = kv.ModifyIndex;
      // get-tree also returns keys that merely start with an exact key: keep what was asked for.
      else if (exact.has(kv.Key) || trees.some((t) => kv.Key.startsWith(t))) kvs.set(kv.Key, kv);
    }
    return { head, kvs };
  }

  /**
   * Runs one Consul call under the operation's deadline: retried when it
   * provably never reached Consul, and reads also after any transient failure;
   * a write whose outcome is unknown is not retried (see docs/store.md).
   */
  private async run<T>(
    op: string,
    retry: 'safe' | 'unsafe',
    fn: (ctx: CallCtx) => Promise<T>,
    deadline = Date.now() + this.timeoutMs,
  ): Promise<T> {
    this.checkOpen(op);
    for (let attempt = 0; ; attempt++) {
      try {
        return await fn({ deadline, signal: this.closing.signal });
      } catch (err) {
        this.checkOpen(op);
        if (err instanceof ConsulRejectedError) throw new Error(`Consul at ${this.url} rejected ${op}: ${err.message}`, { cause: err });
        if (!(err instanceof ConsulCallError)) throw err;
        if (err.failure === 'aborted') throw new StoreError('STORE_CLOSED', `The store for ${this.url} was closed (${op})`, { cause: err });
        if (err.failure === 'timeout') {
          throw new StoreError('STORE_UNAVAILABLE', `Consul at ${this.url} did not answer ${op} within ${this.timeoutMs} ms`, {
            cause: err,
          });
        }
        if (err.failure === 'transient' && retry === 'unsafe') {
          throw new StoreError(
            'STORE_UNAVAILABLE',
            `Consul at ${this.url} failed during ${op}; the write may or may not have been applied: ${err.message}`,
            { cause: err },
          );
        }
        const wait = Math.min(RETRY_FIRST_MS * 2 ** attempt, RETRY_MAX_MS, deadline - Date.now() - RETRY_FIRST_MS);
        if (wait <= 0) {
          throw new StoreError('STORE_UNAVAILABLE', `Consul at ${this.url} is unavailable (${op}): ${err.message}`, { cause: err });
        }
        this.log.debug('Retrying a Consul call', { op, attempt, waitMs: wait, err: err.message });
        await delay(wait);
      }
    }
  }

  private sessionOf(lease: Lease | undefined): string | undefined {
    if (lease === undefined) return undefined;
    if (lease instanceof ConsulLease && lease.isEnded) {
      throw new StoreError('STORE_LEASE_LOST', `The lease ${lease.id} has ended (revoked, expired or its store closed)`);
    }
    return lease.id;
  }

  private startReaper(): void {
    this.reaper ??= new LeaseReaper({
      api: this.api,
      log: this.log,
      timeoutMs: this.timeoutMs,
      signal: this.closing.signal,
      reap: (released) => this.reap(released),
      sessionEnded: (id) => this.leases.get(id)?.markLost('Consul ended the session (it expired or was destroyed)'),
    });
  }

  /** Journals the deletion of orphaned keys named by released lease-index entries, and drops the entries. */
  private async reap(released: readonly ConsulKv[]): Promise<void> {
    for (let i = 0; i < released.length; i += REAP_CHUNK) {
      const chunk = released.slice(i, i + REAP_CHUNK);
      const targets = chunk.flatMap((kv) => {
        const parsed = parseLeaseIndexKey(kv.Key);
        return parsed === undefined ? [] : [parsed.wireKey];
      });
      await this.write('reap', [...new Set(targets)], (snap): Decision<void> => {
        const plan = new WritePlan(snap.head);
        for (const wire of [...new Set(targets)].sort(compareKeys)) {
          const raw = snap.kvs.get(wire);
          if (raw !== undefined && toEntry(raw) === undefined) plan.delete(wire, raw);
        }
        for (const kv of chunk) plan.ops.push(kvOp.delete(kv.Key));
        return { plan, result: () => undefined };
      });
    }
  }

  private async reapSession(sessionId: string): Promise<void> {
    try {
      const prefix = `${LEASE_INDEX_PREFIX}${sessionId}/`;
      const { kvs } = await this.run('reapSession', 'safe', (ctx) => this.api.watchTree(prefix, 0, 0, ctx));
      await this.reap(kvs.filter((kv) => kv.Session === undefined));
    } catch (err) {
      this.log.debug('Could not journal the end of a lease yet; the reaper will', { leaseId: sessionId, err });
    }
  }

  private noteWrite(): void {
    if (++this.writesSinceTrim < TRIM_CHECK_EVERY || this.trimming) return;
    this.writesSinceTrim = 0;
    this.trimming = true;
    void this.trimJournal()
      .catch((err: unknown) => this.log.debug('Could not trim the journal', { err }))
      .finally(() => (this.trimming = false));
  }

  private async trimJournal(): Promise<void> {
    const points = await this.journalPoints('trimJournal');
    if (points.length > this.retention) await this.deleteJournalRecords(points.slice(0, points.length - this.retention));
  }

  private async journalPoints(op: string): Promise<number[]> {
    const keys = await this.run(op, 'safe', (ctx) => this.api.keys(JOURNAL_PREFIX, ctx));
    return keys
      .map(parseJournalKey)
      .filter((p): p is number => p !== undefined)
      .sort((a, b) => a - b);
  }

  /** Oldest first, so a reader never sees a gap in the middle of the chain. */
  private async deleteJournalRecords(points: readonly number[]): Promise<void> {
    for (let i = 0; i < points.length; i += MAX_TXN_OPS) {
      const ops = points.slice(i, i + MAX_TXN_OPS).map((p) => kvOp.delete(journalKey(p)));
      const outcome = await this.run('trimJournal', 'safe', (ctx) => this.api.txn(ops, ctx));
      if (!outcome.ok) throw new Error(`Consul at ${this.url} refused to trim the journal: ${outcome.errors[0]?.what ?? ''}`);
    }
  }

  private checkOpen(op: string): void {
    if (this.closed) throw new StoreError('STORE_CLOSED', `The store for ${this.url} was closed (${op})`);
  }
}

function liveEntries(snap: Snapshot, wirePrefix: string): StoreEntry[] {
  const entries: StoreEntry[] = [];
  for (const kv of snap.kvs.values()) {
    if (!kv.Key.startsWith(wirePrefix) || isReservedWire(kv.Key)) continue;
    const entry = toEntry(kv);
    if (entry !== undefined) entries.push(entry);
  }
  return entries.sort((a, b) => compareKeys(a.key, b.key));
}

/** undefined when the key is at `expected` (0 = absent); else the conflict result. */
function casConflict(raw: ConsulKv | undefined, expected: number): CasResult | undefined {
  const current = raw === undefined ? undefined : toEntry(raw);
  if ((current?.modRevision ?? 0) === expected) return undefined;
  return current === undefined ? { ok: false } : { ok: false, current };
}

function recordBytes(raws: readonly ConsulKv[]): number {
  return raws.reduce((n, kv) => n + kv.Key.length + 8, 0);
}
