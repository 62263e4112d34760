/**
 * The cluster store contract: everything netmaster and the agents share goes
 * through this interface. Implementations: MemoryStore (unit tests), EtcdStore
 * (etcd v3 through `etcd3`), ConsulStore (Consul's HTTP API, with a journal
 * for history). All of them pass the same conformance suite
 * (`@contiv/store/testing`).
 *
 * Values are strings (JSON written by the callers). Revisions are store-wide
 * and monotonic (etcd's revision, the ModifyIndex of ConsulStore's journal
 * head; a key's ModifyIndex on Consul): a key's `modRevision`
 * is the revision of its last write, and is what compare-and-swap compares.
 */

export interface StoreEntry {
  readonly key: string;
  readonly value: string;
  /** Revision of the last write to this key. */
  readonly modRevision: number;
  /** Revision at which this key was created. */
  readonly createRevision: number;
  /** Lease the key is attached to, if any. */
  readonly leaseId?: string;
}

export interface ListResult {
  readonly entries: StoreEntry[];
  /** Store revision the listing reflects: watch from `revision + 1` to miss nothing. */
  readonly revision: number;
}

/** Outcome of a conditional write: an expected conflict is a result, not an exception. */
export type CasResult =
  | { readonly ok: true; readonly modRevision: number }
  | { readonly ok: false; readonly current?: StoreEntry };

export interface PutOptions {
  /** Attach the key to this lease: it disappears when the lease expires or is revoked. */
  readonly lease?: Lease;
}

/** A condition of a transaction. `modRevision: 0` means "the key does not exist". */
export interface TxnCondition {
  readonly key: string;
  readonly modRevision: number;
}

export type TxnOp =
  | { readonly op: 'put'; readonly key: string; readonly value: string; readonly lease?: Lease }
  | { readonly op: 'delete'; readonly key: string };

export type TxnResult = { readonly ok: true; readonly revision: number } | { readonly ok: false };

export type WatchEvent =
  | { readonly type: 'put'; readonly key: string; readonly value: string; readonly modRevision: number }
  | { readonly type: 'delete'; readonly key: string; readonly modRevision: number };

export interface WatchOptions {
  /**
   * First revision to deliver (inclusive). Use `list().revision + 1` after a
   * listing. Omitted: events after the watch is established.
   */
  readonly fromRevision?: number;
}

export interface WatchHandlers {
  /** Events in revision order, each exactly once, across reconnects. */
  onEvent(event: WatchEvent): void;
  /**
   * The watch cannot continue without a gap (e.g. the revision was compacted):
   * the caller must re-list and watch again. The watch is closed when this fires.
   */
  onResyncRequired?(reason: string): void;
}

export interface Watch {
  /** Resolves once the watch is established with the server. */
  readonly ready: Promise<void>;
  close(): Promise<void>;
}

export interface Lease {
  readonly id: string;
  readonly ttlSeconds: number;
  /** Fires once if the lease is lost (expired, revoked elsewhere, keep-alive failed for longer than the TTL). */
  onLost(listener: (reason: string) => void): void;
  /** Revokes the lease: every key attached to it is deleted. */
  revoke(): Promise<void>;
}

export interface Lock {
  readonly name: string;
  /** Fires once if the lock is lost (its lease expired): the holder must stop acting as owner. */
  onLost(listener: (reason: string) => void): void;
  release(): Promise<void>;
}

export interface LockOptions {
  readonly ttlSeconds?: number;
  /** Value stored with the lock (e.g. the holder's address), readable by others through `get`. */
  readonly value?: string;
  /** How long to wait for the lock; omitted = wait until acquired. */
  readonly timeoutMs?: number;
}

export interface Store {
  /** The backend and endpoint, for logs (`etcd://127.0.0.1:2379`). */
  readonly url: string;

  get(key: string): Promise<StoreEntry | undefined>;
  /** Every key under `prefix` (a plain string prefix), sorted by key. */
  list(prefix: string): Promise<ListResult>;

  /** Unconditional write; returns the new modRevision. */
  put(key: string, value: string, opts?: PutOptions): Promise<number>;
  /** Writes only if the key does not exist. */
  create(key: string, value: string, opts?: PutOptions): Promise<CasResult>;
  /** Writes only if the key's modRevision equals `expectedModRevision`. */
  compareAndSwap(key: string, expectedModRevision: number, value: string, opts?: PutOptions): Promise<CasResult>;
  /** Deletes; resolves true if the key existed. */
  delete(key: string): Promise<boolean>;
  /** Deletes only if the key's modRevision equals `expectedModRevision`. */
  compareAndDelete(key: string, expectedModRevision: number): Promise<CasResult>;
  /** Deletes every key under `prefix`; returns how many. */
  deletePrefix(prefix: string): Promise<number>;
  /** All `ops` atomically if every condition holds, otherwise nothing. */
  transact(conditions: readonly TxnCondition[], ops: readonly TxnOp[]): Promise<TxnResult>;

  /** Watches every key under `prefix`. */
  watch(prefix: string, handlers: WatchHandlers, opts?: WatchOptions): Watch;

  /** A lease kept alive in the background until revoked or the store is closed. */
  grantLease(ttlSeconds: number): Promise<Lease>;
  /** A cluster-wide mutual-exclusion lock held under a lease. */
  lock(name: string, opts?: LockOptions): Promise<Lock>;

  /** Closes watches, revokes nothing (leases expire on their own), releases sockets. */
  close(): Promise<void>;
}
