/**
 * Key spelling on the wire. Store keys start with "/" (`/contiv.io/v1/...`);
 * Consul keys must not, so the leading slash is dropped on the way in and
 * added back on the way out: callers see the same keys as with etcd.
 *
 * The store's own bookkeeping lives under `_store/` (callers' `/_store/...`,
 * which they may not use): the journal head, the journal records and the
 * lease index (see docs/store.md, "Consul").
 */

const RESERVED_WIRE = '_store/';
/** Bumped by every journaled write: its ModifyIndex is the store revision. */
export const HEAD_KEY = `${RESERVED_WIRE}head`;
export const JOURNAL_PREFIX = `${RESERVED_WIRE}journal/`;
export const LEASE_INDEX_PREFIX = `${RESERVED_WIRE}leases/`;

export function toWireKey(key: string): string {
  if (!key.startsWith('/')) throw new RangeError(`Consul store keys must start with "/", got ${JSON.stringify(key)}`);
  const wire = key.slice(1);
  if (wire.startsWith(RESERVED_WIRE)) throw new RangeError(`Key ${JSON.stringify(key)} is reserved for the store's journal`);
  return wire;
}

/** A prefix is "" (everything) or starts with "/". */
export function toWirePrefix(prefix: string): string {
  if (prefix === '') return '';
  if (!prefix.startsWith('/')) throw new RangeError(`Consul store prefixes must be "" or start with "/", got ${JSON.stringify(prefix)}`);
  const wire = prefix.slice(1);
  if (wire.startsWith(RESERVED_WIRE)) throw new RangeError(`Prefix ${JSON.stringify(prefix)} is reserved for the store's journal`);
  return wire;
}

export function fromWireKey(wire: string): string {
  return `/${wire}`;
}

export function isReservedWire(wire: string): boolean {
  return wire.startsWith(RESERVED_WIRE);
}

/** True when listing `wirePrefix` would also return the store's own keys. */
export function prefixCoversReserved(wirePrefix: string): boolean {
  return RESERVED_WIRE.startsWith(wirePrefix);
}

/** The journal record written by the write that moved the head away from `previousRevision`. */
export function journalKey(previousRevision: number): string {
  return `${JOURNAL_PREFIX}${String(previousRevision).padStart(20, '0')}`;
}

export function parseJournalKey(wire: string): number | undefined {
  const tail = wire.slice(JOURNAL_PREFIX.length);
  return wire.startsWith(JOURNAL_PREFIX) && /^\d{20}$/.test(tail) ? Number(tail) : undefined;
}

/** Records that `wireKey` was put under session `sessionId`, so its deletion can be journaled when the session ends. */
export function leaseIndexKey(sessionId: string, wireKey: string): string {
  return `${LEASE_INDEX_PREFIX}${sessionId}/${wireKey}`;
}

export function parseLeaseIndexKey(wire: string): { sessionId: string; wireKey: string } | undefined {
  if (!wire.startsWith(LEASE_INDEX_PREFIX)) return undefined;
  const rest = wire.slice(LEASE_INDEX_PREFIX.length);
  const slash = rest.indexOf('/');
  if (slash <= 0 || slash === rest.length - 1) return undefined;
  return { sessionId: rest.slice(0, slash), wireKey: rest.slice(slash + 1) };
}

/** Percent-encodes a wire key for a URL path, keeping its slashes. */
export function keyPath(wire: string): string {
  return wire.split('/').map(encodeURIComponent).join('/');
}
