/**
 * @module @contiv/store
 *
 * The cluster store: one interface (`Store`) over etcd and Consul, with
 * revisions, compare-and-swap, prefix watches from a revision, leases and locks.
 *
 * ```ts
 * const store = createStore('etcd://127.0.0.1:2379', { logger });
 * const { entries, revision } = await store.list(prefix);
 * const watch = store.watch(prefix, { onEvent, onResyncRequired }, { fromRevision: revision + 1 });
 * await watch.ready;
 * ```
 *
 * Semantics are in docs/store.md. The conformance suite and test controls live
 * in `@contiv/store/testing`.
 */
export type {
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
} from './store';
export { StoreError, isStoreError } from './errors';
export type { StoreErrorCode } from './errors';
export type { Logger, LogMeta } from './logger';
export { parseStoreUrl } from './url';
export type { StoreBackend, StoreUrl } from './url';
export { createStore } from './create-store';
export type { CreateStoreOptions } from './create-store';
export { EtcdStore, DEFAULT_STORE_TIMEOUT_MS } from './etcd/etcd-store';
export type { EtcdStoreOptions } from './etcd/etcd-store';
export { ConsulStore } from './consul/consul-store';
export type { ConsulStoreOptions } from './consul/consul-store';
export { MemoryStore } from './memory/memory-store';
export type { MemoryStoreOptions } from './memory/memory-store';
export { DEFAULT_LOCK_TTL_SECONDS } from './lock/lease-lock';
