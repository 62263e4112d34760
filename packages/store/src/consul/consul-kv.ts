/**
 * Consul's KV wire format: entries as the KV and transaction endpoints return
 * them, the transaction verbs we use, and their validation. Values travel
 * base64-encoded; ours are UTF-8 strings.
 */
import type { StoreEntry } from '../store';
import { fromWireKey } from './consul-keys';

export interface ConsulKv {
  readonly Key: string;
  /** base64, or null for an empty value. */
  readonly Value: string | null;
  readonly Flags: number;
  readonly CreateIndex: number;
  readonly ModifyIndex: number;
  readonly LockIndex: number;
  /** The session holding the key (our lease), if any. */
  readonly Session?: string;
}

/**
 * Flags of keys we write: bit 0 = "put under a lease"; the rest holds the
 * journal head the write was planned at. Consul skips a write that changes
 * nothing (same value, flags, session), keeping the old ModifyIndex; the
 * stamp makes every write a change, so a key's ModifyIndex is always the
 * revision of its last write.
 *
 * Sessions are created with behavior "release": when one ends, Consul clears
 * `Session` on its keys but keeps them. A leased key with no session is
 * therefore "orphaned": gone for every reader, waiting for a journaled delete
 * (see LeaseReaper).
 */
export function writeFlags(stamp: number, leased: boolean): number {
  return stamp * 2 + (leased ? 1 : 0);
}

export function isOrphaned(kv: ConsulKv): boolean {
  return kv.Flags % 2 === 1 && (kv.Session === undefined || kv.Session === '');
}

export function decodeValue(kv: ConsulKv): string {
  return kv.Value === null ? '' : Buffer.from(kv.Value, 'base64').toString('utf8');
}

/** The entry a reader sees; undefined for an orphaned key. */
export function toEntry(kv: ConsulKv): StoreEntry | undefined {
  if (isOrphaned(kv)) return undefined;
  const entry = {
    key: fromWireKey(kv.Key),
    value: decodeValue(kv),
    modRevision: kv.ModifyIndex,
    createRevision: kv.CreateIndex,
  };
  return kv.Session === undefined || kv.Session === '' ? entry : { ...entry, leaseId: kv.Session };
}

export function parseKvList(json: unknown, what: string): ConsulKv[] {
  if (json === null) return [];
  if (!Array.isArray(json)) throw new Error(`Consul answered ${what} with ${typeof json}, not a list`);
  return json.map((item) => parseKv(item, what));
}

export function parseKv(item: unknown, what: string): ConsulKv {
  const o = item as Partial<Record<keyof ConsulKv, unknown>> | null;
  if (
    typeof o !== 'object' ||
    o === null ||
    typeof o.Key !== 'string' ||
    !(o.Value === null || o.Value === undefined || typeof o.Value === 'string') ||
    typeof o.CreateIndex !== 'number' ||
    typeof o.ModifyIndex !== 'number'
  ) {
    throw new Error(`Consul answered ${what} with a malformed KV entry: ${JSON.stringify(item)}`);
  }
  return {
    Key: o.Key,
    Value: typeof o.Value === 'string' ? o.Value : null,
    Flags: typeof o.Flags === 'number' ? o.Flags : 0,
    CreateIndex: o.CreateIndex,
    ModifyIndex: o.ModifyIndex,
    LockIndex: typeof o.LockIndex === 'number' ? o.LockIndex : 0,
    ...(typeof o.Session === 'string' && o.Session !== '' ? { Session: o.Session } : {}),
  };
}

// ---------------------------------------------------------------------------
// Transactions (/v1/txn). Consul applies at most 64 operations per transaction.

export const MAX_TXN_OPS = 64;

export interface TxnKvOp {
  readonly KV: {
    readonly Verb: 'get-tree' | 'check-index' | 'check-not-exists' | 'set' | 'lock' | 'unlock' | 'delete' | 'delete-tree';
    readonly Key: string;
    readonly Value?: string;
    readonly Flags?: number;
    readonly Index?: number;
    readonly Session?: string;
  };
}

const b64 = (value: string): string => Buffer.from(value, 'utf8').toString('base64');

export const kvOp = {
  getTree: (prefix: string): TxnKvOp => ({ KV: { Verb: 'get-tree', Key: prefix } }),
  checkIndex: (key: string, index: number): TxnKvOp => ({ KV: { Verb: 'check-index', Key: key, Index: index } }),
  checkNotExists: (key: string): TxnKvOp => ({ KV: { Verb: 'check-not-exists', Key: key } }),
  set: (key: string, value: string, flags = 0): TxnKvOp => ({ KV: { Verb: 'set', Key: key, Value: b64(value), Flags: flags } }),
  lock: (key: string, value: string, session: string, flags: number): TxnKvOp => ({
    KV: { Verb: 'lock', Key: key, Value: b64(value), Flags: flags, Session: session },
  }),
  /** Releases `session`'s hold and writes the value, unleased, in one step. */
  unlock: (key: string, value: string, session: string, flags: number): TxnKvOp => ({
    KV: { Verb: 'unlock', Key: key, Value: b64(value), Flags: flags, Session: session },
  }),
  delete: (key: string): TxnKvOp => ({ KV: { Verb: 'delete', Key: key } }),
  deleteTree: (prefix: string): TxnKvOp => ({ KV: { Verb: 'delete-tree', Key: prefix } }),
};

export interface TxnError {
  readonly opIndex: number;
  readonly what: string;
}

export type TxnOutcome = { readonly ok: true; readonly results: ConsulKv[] } | { readonly ok: false; readonly errors: TxnError[] };

/** Parses a /v1/txn answer: 200 = applied (or read), 409 = rolled back with the reasons. */
export function parseTxnAnswer(status: number, text: string): TxnOutcome {
  if (status !== 200 && status !== 409) throw new Error(`Consul answered a transaction with HTTP ${status}: ${text.trim()}`);
  const json = JSON.parse(text) as { Results?: unknown; Errors?: unknown };
  if (status === 200) {
    const results = Array.isArray(json.Results) ? json.Results : [];
    return { ok: true, results: results.map((r) => parseKv((r as { KV?: unknown }).KV, 'a transaction')) };
  }
  const errors = Array.isArray(json.Errors) ? json.Errors : [];
  return {
    ok: false,
    errors: errors.map((e) => {
      const o = e as { OpIndex?: unknown; What?: unknown };
      return { opIndex: typeof o.OpIndex === 'number' ? o.OpIndex : -1, what: typeof o.What === 'string' ? o.What : String(e) };
    }),
  };
}
