import { StoreError } from '../errors';
import { deferred } from '../internal/deferred';
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
  WatchEvent,
  WatchHandlers,
  WatchOptions,
} from '../store';
import { MemoryBackend, type MemoryLeaseState, type MemoryOp, type MemoryWatchSink } from './memory-backend';

export interface MemoryStoreOptions {
  /** Events kept for watches that start in the past (default 10000). */
  readonly historyLimit?: number;
  readonly logger?: Logger;
}

const DEFAULT_HISTORY_LIMIT = 10_000;

/**
 * An in-process Store with etcd's semantics (revisions, leases, watches from a
 * revision), for unit tests of the packages built on the store. It passes the
 * same conformance suite as EtcdStore.
 *
 * `new MemoryStore()` is a fresh cluster; `newClient()` is another client of
 * the same cluster, as a second process would have. Test controls:
 * `expireLease`, `compact`, `setAvailable` (a simulated outage), and `close()`
 * (a crashed client: its leases stop being kept alive and expire after their TTL).
 */
export class MemoryStore implements Store {
  readonly url = 'memory://';
  private backend: MemoryBackend;
  private readonly log: Logger;
  private closed = false;
  private readonly closedSignal = deferred();
  private readonly watches = new Set<MemoryWatch>();
  private readonly ownLeases = new Set<string>();

  constructor(private readonly options: MemoryStoreOptions = {}) {
    this.log = options.logger ?? noopLogger;
    this.backend = new MemoryBackend(options.historyLimit ?? DEFAULT_HISTORY_LIMIT, this.log);
  }

  /** Another client of the same in-memory cluster. */
  newClient(): MemoryStore {
    const client = new MemoryStore(this.options);
    client.backend = this.backend;
    return client;
  }

  /** Ends a lease now, as if its TTL ran out without keep-alive: keys deleted, onLost fired. */
  expireLease(leaseId: string): void {
    this.backend.endLease(leaseId, 'lease expired (forced by test)');
  }

  /** Forgets the event history before `revision` (default: the current revision). */
  compact(revision?: number): void {
    this.backend.compact(revision ?? this.backend.revision);
  }

  /** While false, every operation of every client fails with STORE_UNAVAILABLE. */
  setAvailable(available: boolean): void {
    this.backend.available = available;
  }

  /** The current store revision. */
  get revision(): number {
    return this.backend.revision;
  }

  async get(key: string): Promise<StoreEntry | undefined> {
    this.check();
    return this.backend.data.get(key);
  }

  async list(prefix: string): Promise<ListResult> {
    this.check();
    return { entries: this.backend.list(prefix), revision: this.backend.revision };
  }

  async put(key: string, value: string, opts?: PutOptions): Promise<number> {
    this.check();
    return this.backend.commit([putOp(key, value, opts?.lease)]);
  }

  async create(key: string, value: string, opts?: PutOptions): Promise<CasResult> {
    this.check();
    const current = this.backend.data.get(key);
    if (current !== undefined) return { ok: false, current };
    return { ok: true, modRevision: this.backend.commit([putOp(key, value, opts?.lease)]) };
  }

  async compareAndSwap(key: string, expectedModRevision: number, value: string, opts?: PutOptions): Promise<CasResult> {
    this.check();
    const current = this.backend.data.get(key);
    if ((current?.modRevision ?? 0) !== expectedModRevision) return conflict(current);
    return { ok: true, modRevision: this.backend.commit([putOp(key, value, opts?.lease)]) };
  }

  async delete(key: string): Promise<boolean> {
    this.check();
    const existed = this.backend.data.has(key);
    this.backend.commit([{ op: 'delete', key }]);
    return existed;
  }

  async compareAndDelete(key: string, expectedModRevision: number): Promise<CasResult> {
    this.check();
    const current = this.backend.data.get(key);
    if ((current?.modRevision ?? 0) !== expectedModRevision) return conflict(current);
    return { ok: true, modRevision: this.backend.commit([{ op: 'delete', key }]) };
  }

  async deletePrefix(prefix: string): Promise<number> {
    this.check();
    const keys = this.backend.list(prefix).map((e) => e.key);
    this.backend.commit(keys.map((key) => ({ op: 'delete' as const, key })));
    return keys.length;
  }

  async transact(conditions: readonly TxnCondition[], ops: readonly TxnOp[]): Promise<TxnResult> {
    this.check();
    if (!this.backend.conditionsHold(conditions)) return { ok: false };
    const revision = this.backend.commit(
      ops.map((op): MemoryOp => (op.op === 'put' ? putOp(op.key, op.value, op.lease) : { op: 'delete', key: op.key })),
    );
    return { ok: true, revision };
  }

  watch(prefix: string, handlers: WatchHandlers, opts: WatchOptions = {}): Watch {
    this.checkOpen();
    checkFromRevision(opts.fromRevision);
    const detach = (w: MemoryWatch): void => {
      this.backend.sinks.delete(w);
      this.watches.delete(w);
    };
    if (!this.backend.available) return new MemoryWatch(prefix, handlers, this.log, detach, unavailable());
    const watch = new MemoryWatch(prefix, handlers, this.log, detach);
    if (opts.fromRevision !== undefined) {
      const past = this.backend.replay(prefix, opts.fromRevision);
      if (past === undefined) {
        watch.resync(
          `revision ${opts.fromRevision} is no longer in the history (oldest available: ${this.backend.compactedBefore})`,
        );
        return watch;
      }
      for (const ev of past) watch.push(ev);
    }
    this.backend.sinks.add(watch);
    this.watches.add(watch);
    return watch;
  }

  async grantLease(ttlSeconds: number): Promise<Lease> {
    this.check();
    if (!(ttlSeconds >= 1)) throw new RangeError(`A lease TTL must be at least 1 second, got ${ttlSeconds}`);
    const state = this.backend.grantLease(ttlSeconds);
    this.ownLeases.add(state.id);
    return new MemoryLease(state, async () => {
      this.check();
      this.ownLeases.delete(state.id);
      this.backend.endLease(state.id);
    });
  }

  lock(name: string, opts?: LockOptions): Promise<Lock> {
    return acquireLeaseLock(this, this.log, this.closedSignal.promise, name, opts);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.closedSignal.resolve();
    for (const watch of [...this.watches]) await watch.close();
    for (const id of this.ownLeases) this.backend.stopKeepAlive(id);
    this.ownLeases.clear();
  }

  private checkOpen(): void {
    if (this.closed) throw new StoreError('STORE_CLOSED', 'The memory store was closed');
  }

  private check(): void {
    this.checkOpen();
    if (!this.backend.available) throw unavailable();
  }
}

function putOp(key: string, value: string, lease: Lease | undefined): MemoryOp {
  return lease === undefined ? { op: 'put', key, value } : { op: 'put', key, value, leaseId: lease.id };
}

function conflict(current: StoreEntry | undefined): CasResult {
  return current === undefined ? { ok: false } : { ok: false, current };
}

function unavailable(): StoreError {
  return new StoreError('STORE_UNAVAILABLE', 'The memory store is unavailable (simulated outage)');
}

class MemoryLease implements Lease {
  constructor(
    private readonly state: MemoryLeaseState,
    private readonly doRevoke: () => Promise<void>,
  ) {}

  get id(): string {
    return this.state.id;
  }

  get ttlSeconds(): number {
    return this.state.ttlSeconds;
  }

  onLost(listener: (reason: string) => void): void {
    this.state.lost.add(listener);
  }

  revoke(): Promise<void> {
    return this.doRevoke();
  }
}

/** Delivers events asynchronously, in order, each once; a throwing handler is logged. */
class MemoryWatch implements Watch, MemoryWatchSink {
  readonly ready: Promise<void>;
  private queue: WatchEvent[] = [];
  private scheduled = false;
  private closed = false;

  constructor(
    readonly prefix: string,
    private readonly handlers: WatchHandlers,
    private readonly log: Logger,
    private readonly detach: (w: MemoryWatch) => void,
    failure?: Error,
  ) {
    if (failure === undefined) {
      this.ready = Promise.resolve();
    } else {
      this.closed = true;
      this.ready = Promise.reject(failure);
      // A caller that never awaits `ready` must not see an unhandled rejection.
      this.ready.catch(() => undefined);
    }
  }

  push(event: WatchEvent): void {
    if (this.closed) return;
    this.queue.push(event);
    if (!this.scheduled) {
      this.scheduled = true;
      queueMicrotask(() => this.drain());
    }
  }

  resync(reason: string): void {
    this.closed = true;
    this.detach(this);
    queueMicrotask(() => {
      if (this.handlers.onResyncRequired === undefined) {
        this.log.warn('Watch needs a resync but has no onResyncRequired handler', { prefix: this.prefix, reason });
        return;
      }
      this.call(() => this.handlers.onResyncRequired?.(reason));
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    this.queue = [];
    this.detach(this);
  }

  private drain(): void {
    this.scheduled = false;
    while (this.queue.length > 0 && !this.closed) {
      const ev = this.queue.shift() as WatchEvent;
      this.call(() => this.handlers.onEvent(ev));
    }
  }

  private call(fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.log.error('Watch handler threw', { prefix: this.prefix, err });
    }
  }
}
