import { StoreError } from '../errors';
import { LostSignal } from '../internal/lost-signal';
import { compareKeys } from '../internal/prefix';
import type { Logger } from '../logger';
import type { StoreEntry, TxnCondition, WatchEvent } from '../store';

export type MemoryOp =
  | { readonly op: 'put'; readonly key: string; readonly value: string; readonly leaseId?: string }
  | { readonly op: 'delete'; readonly key: string };

/** Receives the events of one watch; implemented by MemoryWatch. */
export interface MemoryWatchSink {
  readonly prefix: string;
  push(event: WatchEvent): void;
}

export interface MemoryLeaseState {
  readonly id: string;
  readonly ttlSeconds: number;
  readonly keys: Set<string>;
  readonly lost: LostSignal;
  /** Set while nobody keeps the lease alive: it expires when this fires. */
  expiryTimer?: NodeJS.Timeout;
}

/**
 * The shared state of an in-memory "cluster": keys, the store-wide revision, a
 * bounded event history for watches that start in the past, and leases. Every
 * MemoryStore client of one cluster points at the same backend. Revisions
 * follow etcd: the empty store is at revision 1, every write that changes
 * something takes the next revision, and all events of one write share it.
 */
export class MemoryBackend {
  revision = 1;
  available = true;
  /** Events with a revision below this are gone (compacted or trimmed). */
  compactedBefore = 0;
  readonly data = new Map<string, StoreEntry>();
  readonly sinks = new Set<MemoryWatchSink>();
  readonly leases = new Map<string, MemoryLeaseState>();
  private history: WatchEvent[] = [];
  private nextLeaseId = 1;

  constructor(
    private readonly historyLimit: number,
    private readonly log: Logger,
  ) {}

  list(prefix: string): StoreEntry[] {
    const out: StoreEntry[] = [];
    for (const entry of this.data.values()) if (entry.key.startsWith(prefix)) out.push(entry);
    return out.sort((a, b) => compareKeys(a.key, b.key));
  }

  conditionsHold(conditions: readonly TxnCondition[]): boolean {
    return conditions.every((c) => (this.data.get(c.key)?.modRevision ?? 0) === c.modRevision);
  }

  /**
   * Applies `ops` atomically as one revision. Returns the store revision after
   * the write (unchanged if nothing changed, e.g. deleting absent keys).
   */
  commit(ops: readonly MemoryOp[]): number {
    const seen = new Set<string>();
    for (const op of ops) {
      if (seen.has(op.key)) throw new RangeError(`A transaction names key ${op.key} twice`);
      seen.add(op.key);
      if (op.op === 'put' && op.leaseId !== undefined && !this.leases.has(op.leaseId)) {
        throw new StoreError('STORE_LEASE_LOST', `Lease ${op.leaseId} is expired or revoked`);
      }
    }
    const rev = this.revision + 1;
    const events: WatchEvent[] = [];
    for (const op of ops) {
      const prev = this.data.get(op.key);
      if (prev?.leaseId !== undefined) this.leases.get(prev.leaseId)?.keys.delete(op.key);
      if (op.op === 'put') {
        this.data.set(op.key, {
          key: op.key,
          value: op.value,
          modRevision: rev,
          createRevision: prev?.createRevision ?? rev,
          ...(op.leaseId === undefined ? {} : { leaseId: op.leaseId }),
        });
        if (op.leaseId !== undefined) this.leases.get(op.leaseId)?.keys.add(op.key);
        events.push({ type: 'put', key: op.key, value: op.value, modRevision: rev });
      } else if (prev !== undefined) {
        this.data.delete(op.key);
        events.push({ type: 'delete', key: op.key, modRevision: rev });
      }
    }
    if (events.length === 0) return this.revision;
    this.revision = rev;
    this.record(events);
    return rev;
  }

  /** Events at or after `fromRevision` under `prefix`, or undefined if some are gone. */
  replay(prefix: string, fromRevision: number): WatchEvent[] | undefined {
    if (fromRevision < this.compactedBefore) return undefined;
    return this.history.filter((ev) => ev.modRevision >= fromRevision && ev.key.startsWith(prefix));
  }

  compact(revision: number): void {
    this.compactedBefore = Math.max(this.compactedBefore, revision);
    this.history = this.history.filter((ev) => ev.modRevision >= this.compactedBefore);
  }

  grantLease(ttlSeconds: number): MemoryLeaseState {
    const id = String(this.nextLeaseId++);
    const state: MemoryLeaseState = { id, ttlSeconds, keys: new Set(), lost: new LostSignal(this.log, `lease ${id}`) };
    this.leases.set(id, state);
    return state;
  }

  /**
   * Starts the TTL countdown of a lease whose client closed. Its listeners
   * belonged to that client, so they are dropped (as EtcdStore.close does).
   */
  stopKeepAlive(id: string): void {
    const state = this.leases.get(id);
    if (state === undefined || state.expiryTimer !== undefined) return;
    state.lost.dispose();
    state.expiryTimer = setTimeout(
      () => this.endLease(id, `lease TTL of ${state.ttlSeconds} s expired without keep-alive`),
      state.ttlSeconds * 1000,
    );
    state.expiryTimer.unref();
  }

  /** Ends a lease: its keys are deleted in one revision; `lostReason` fires onLost. */
  endLease(id: string, lostReason?: string): void {
    const state = this.leases.get(id);
    if (state === undefined) return;
    this.leases.delete(id);
    if (state.expiryTimer !== undefined) clearTimeout(state.expiryTimer);
    this.commit([...state.keys].sort(compareKeys).map((key) => ({ op: 'delete' as const, key })));
    if (lostReason === undefined) state.lost.dispose();
    else state.lost.fire(lostReason);
  }

  private record(events: WatchEvent[]): void {
    this.history.push(...events);
    if (this.history.length > 2 * this.historyLimit) {
      // Trim whole revisions only, so "every event at or after compactedBefore
      // is retained" stays true.
      let cut = this.history.length - this.historyLimit;
      const boundary = (this.history[cut - 1] as WatchEvent).modRevision;
      while (cut < this.history.length && (this.history[cut] as WatchEvent).modRevision === boundary) cut++;
      this.compactedBefore = boundary + 1;
      this.history = this.history.slice(cut);
    }
    for (const sink of this.sinks) {
      for (const ev of events) if (ev.key.startsWith(sink.prefix)) sink.push(ev);
    }
  }
}
