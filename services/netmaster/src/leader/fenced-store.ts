/**
 * The store as netmaster's core sees it: reads, watches, leases and locks go
 * straight through; every write becomes a transaction that also requires the
 * leader lock key to be the one this netmaster holds (the fence, see
 * election.ts). A netmaster that lost the lock, even one that has not noticed
 * yet (partitioned, paused), therefore cannot change anything: the store
 * itself refuses. Such a refusal is a NOT_LEADER error, never a plain
 * compare-and-swap conflict, so callers do not retry it as a race.
 */
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
} from '@contiv/store';
import { NetmasterError } from '../errors';

/** Keys per transaction in deletePrefix (Consul allows 64 operations, one of them the fence's read). */
const DELETE_CHUNK = 48;

export interface FencedStoreOptions {
  /** The current fence; undefined = not the leader, refuse every write. */
  readonly fence: () => TxnCondition | undefined;
  /** A write was refused because the fence no longer holds: the lock is gone (demote now). */
  readonly onFenceBroken?: (detail: string) => void;
}

export class FencedStore implements Store {
  constructor(
    private readonly inner: Store,
    private readonly opts: FencedStoreOptions,
  ) {}

  get url(): string {
    return this.inner.url;
  }

  // -- reads and the rest: unchanged --------------------------------------

  get(key: string): Promise<StoreEntry | undefined> {
    return this.inner.get(key);
  }

  list(prefix: string): Promise<ListResult> {
    return this.inner.list(prefix);
  }

  watch(prefix: string, handlers: WatchHandlers, opts?: WatchOptions): Watch {
    return this.inner.watch(prefix, handlers, opts);
  }

  grantLease(ttlSeconds: number): Promise<Lease> {
    return this.inner.grantLease(ttlSeconds);
  }

  lock(name: string, opts?: LockOptions): Promise<Lock> {
    return this.inner.lock(name, opts);
  }

  close(): Promise<void> {
    return this.inner.close();
  }

  // -- writes: fenced ------------------------------------------------------

  async transact(conditions: readonly TxnCondition[], ops: readonly TxnOp[]): Promise<TxnResult> {
    const fence = this.currentFence();
    const res = await this.inner.transact([...conditions, fence], ops);
    if (!res.ok) await this.checkFence(fence);
    return res;
  }

  async put(key: string, value: string, opts?: PutOptions): Promise<number> {
    const res = await this.transact([], [putOp(key, value, opts)]);
    if (!res.ok) throw new Error(`put ${key}: refused without a condition`);
    return res.revision;
  }

  create(key: string, value: string, opts?: PutOptions): Promise<CasResult> {
    return this.cas(key, 0, putOp(key, value, opts));
  }

  compareAndSwap(key: string, expectedModRevision: number, value: string, opts?: PutOptions): Promise<CasResult> {
    return this.cas(key, expectedModRevision, putOp(key, value, opts));
  }

  async delete(key: string): Promise<boolean> {
    const current = await this.inner.get(key);
    if (!current) return false;
    const res = await this.transact([{ key, modRevision: current.modRevision }], [{ op: 'delete', key }]);
    // Changed meanwhile: delete whatever is there now (what an unconditional delete does).
    return res.ok ? true : this.delete(key);
  }

  compareAndDelete(key: string, expectedModRevision: number): Promise<CasResult> {
    return this.cas(key, expectedModRevision, { op: 'delete', key });
  }

  /** In fenced chunks (not one atomic range delete): callers hold the locks that keep writers away. */
  async deletePrefix(prefix: string): Promise<number> {
    let deleted = 0;
    for (;;) {
      const { entries } = await this.inner.list(prefix);
      if (entries.length === 0) return deleted;
      for (let i = 0; i < entries.length; i += DELETE_CHUNK) {
        const chunk = entries.slice(i, i + DELETE_CHUNK);
        const res = await this.transact(
          chunk.map((e) => ({ key: e.key, modRevision: e.modRevision })),
          chunk.map((e): TxnOp => ({ op: 'delete', key: e.key })),
        );
        if (res.ok) deleted += chunk.length;
      }
    }
  }

  private async cas(key: string, expected: number, op: TxnOp): Promise<CasResult> {
    const res = await this.transact([{ key, modRevision: expected }], [op]);
    if (res.ok) return { ok: true, modRevision: res.revision };
    const current = await this.inner.get(key);
    return current ? { ok: false, current } : { ok: false };
  }

  private currentFence(): TxnCondition {
    const fence = this.opts.fence();
    if (!fence) throw new NetmasterError('NOT_LEADER', 'this netmaster does not hold the leader lock: nothing was written');
    return fence;
  }

  /** After a refused transaction: was it the fence? Then this netmaster is no longer the leader. */
  private async checkFence(fence: TxnCondition): Promise<void> {
    const lock = await this.inner.get(fence.key);
    if (lock?.modRevision === fence.modRevision) return;
    const detail = lock ? `the leader lock is now held by ${lock.value}` : 'the leader lock expired';
    this.opts.onFenceBroken?.(detail);
    throw new NetmasterError('NOT_LEADER', `this netmaster lost the leader lock (${detail}): nothing was written`);
  }
}

function putOp(key: string, value: string, opts?: PutOptions): TxnOp {
  return opts?.lease ? { op: 'put', key, value, lease: opts.lease } : { op: 'put', key, value };
}
