import { OvsdbError } from '../errors';
import type { Json } from '../jsonrpc/json-codec';
import type { ColumnType } from './types';
import { isMapType, isScalarType } from './types';

/** A row reference: `["uuid", "..."]` on the wire. */
export class Uuid {
  constructor(readonly uuid: string) {}
  toString(): string {
    return this.uuid;
  }
}

/** `["named-uuid", "id"]`: a row inserted earlier in the same transaction with `uuid-name: "id"`. */
export class NamedUuid {
  constructor(readonly name: string) {}
  toString(): string {
    return this.name;
  }
}

/** integer → number, or bigint beyond ±(2^53-1); real → number. */
export type Atom = string | number | bigint | boolean | Uuid | NamedUuid;

/** `["set", [...]]` (unordered, no duplicates). */
export class OvsSet {
  constructor(readonly items: readonly Atom[]) {}
}

/** `["map", [[k, v], ...]]` (unique keys). */
export class OvsMap {
  constructor(readonly entries: readonly (readonly [Atom, Atom])[]) {}
  get(key: Atom): Atom | undefined {
    const k = atomKey(key);
    return this.entries.find(([ek]) => atomKey(ek) === k)?.[1];
  }
}

export type Datum = Atom | OvsSet | OvsMap;

export const EMPTY_UUID = '00000000-0000-0000-0000-000000000000';

export function uuid(value: string): Uuid {
  return new Uuid(value);
}
export function namedUuid(name: string): NamedUuid {
  return new NamedUuid(name);
}
export function ovsSet(items: Iterable<Atom> = []): OvsSet {
  return new OvsSet([...items]);
}
/** Builds a map from entries or from a plain record (string keys). */
export function ovsMap(source: Iterable<readonly [Atom, Atom]> | Readonly<Record<string, Atom>> = []): OvsMap {
  if (Symbol.iterator in source) return new OvsMap([...(source as Iterable<readonly [Atom, Atom]>)]);
  return new OvsMap(Object.entries(source as Record<string, Atom>));
}

/** A string identifying an atom's value (for set/map membership). */
export function atomKey(a: Atom): string {
  if (a instanceof Uuid) return `u:${a.uuid}`;
  if (a instanceof NamedUuid) return `n:${a.name}`;
  switch (typeof a) {
    case 'string':
      return `s:${a}`;
    case 'boolean':
      return a ? 'b:1' : 'b:0';
    default:
      return `#:${a.toString()}`;
  }
}

export function atomEquals(a: Atom, b: Atom): boolean {
  return atomKey(a) === atomKey(b);
}

export function datumEquals(a: Datum, b: Datum): boolean {
  if (a instanceof OvsMap || b instanceof OvsMap) {
    if (!(a instanceof OvsMap && b instanceof OvsMap) || a.entries.length !== b.entries.length) return false;
    const m = new Map(a.entries.map(([k, v]) => [atomKey(k), atomKey(v)]));
    return b.entries.every(([k, v]) => m.get(atomKey(k)) === atomKey(v));
  }
  // A bare atom equals the set holding just that atom (the set-of-one quirk).
  const as = toAtoms(a);
  const bs = toAtoms(b);
  if (as.length !== bs.length) return false;
  const keys = new Set(as.map(atomKey));
  return bs.every((x) => keys.has(atomKey(x)));
}

// ---------------------------------------------------------------- decoding

export function decodeAtom(json: Json): Atom {
  switch (typeof json) {
    case 'string':
    case 'number':
    case 'bigint':
    case 'boolean':
      return json;
    default:
      break;
  }
  if (Array.isArray(json) && json.length === 2 && typeof json[1] === 'string') {
    if (json[0] === 'uuid') return new Uuid(json[1]);
    if (json[0] === 'named-uuid') return new NamedUuid(json[1]);
  }
  throw new OvsdbError('OVSDB_PROTOCOL', `Not an OVSDB atom: ${JSON.stringify(json, bigintSafe)}`);
}

function pairList(json: Json, what: string): Json[] {
  if (!Array.isArray(json)) throw new OvsdbError('OVSDB_PROTOCOL', `Malformed ${what}`);
  return json;
}

/**
 * Decodes a datum without schema knowledge: `["set", ...]` → OvsSet,
 * `["map", ...]` → OvsMap, anything else is an atom (so a set of one stays a
 * bare atom; use toAtoms() or decodeDatumAs() to normalise).
 */
export function decodeDatum(json: Json): Datum {
  if (Array.isArray(json) && json.length === 2) {
    if (json[0] === 'set') return new OvsSet(pairList(json[1] ?? null, 'set').map(decodeAtom));
    if (json[0] === 'map') {
      return new OvsMap(
        pairList(json[1] ?? null, 'map').map((pair) => {
          if (!Array.isArray(pair) || pair.length !== 2) throw new OvsdbError('OVSDB_PROTOCOL', 'Malformed map pair');
          return [decodeAtom(pair[0] ?? null), decodeAtom(pair[1] ?? null)] as const;
        }),
      );
    }
  }
  return decodeAtom(json);
}

/**
 * Decodes a datum of a known column type into its normal form: scalar
 * columns → Atom, set columns (incl. optional 0..1 ones) → OvsSet even when
 * the wire carried a bare atom, map columns → OvsMap.
 */
export function decodeDatumAs(json: Json, type: ColumnType): Datum {
  const d = decodeDatum(json);
  return normalizeDatum(d, type);
}

export function normalizeDatum(d: Datum, type: ColumnType): Datum {
  if (isMapType(type)) {
    if (d instanceof OvsMap) return d;
    if (d instanceof OvsSet && d.items.length === 0) return new OvsMap([]);
    throw new OvsdbError('OVSDB_PROTOCOL', 'Expected a map datum');
  }
  if (d instanceof OvsMap) throw new OvsdbError('OVSDB_PROTOCOL', 'Unexpected map datum for a non-map column');
  if (isScalarType(type)) {
    if (d instanceof OvsSet) {
      const only = d.items[0];
      if (d.items.length !== 1 || only === undefined) throw new OvsdbError('OVSDB_PROTOCOL', 'Expected exactly one atom');
      return only;
    }
    return d;
  }
  return d instanceof OvsSet ? d : new OvsSet([d]);
}

/** The value a column has when nothing was written (update2 omits such columns). */
export function defaultDatum(type: ColumnType): Datum {
  if (isMapType(type)) return new OvsMap([]);
  if (!isScalarType(type)) return new OvsSet([]);
  switch (type.key.type) {
    case 'integer':
    case 'real':
      return 0;
    case 'boolean':
      return false;
    case 'string':
      return '';
    case 'uuid':
      return new Uuid(EMPTY_UUID);
  }
}

/**
 * Applies an update2 "modify" diff (ovsdb-server(7) §4.1.14). Columns holding
 * at most one value (scalars and optional 0..1 columns such as Port.tag: OVS's
 * "not composite") carry the new value. Sets carry the symmetric difference;
 * maps carry pairs to add (new key), remove (same key and value) or change
 * (same key, new value).
 */
export function applyDiff(old: Datum, diffJson: Json, type: ColumnType): Datum {
  if (type.max <= 1) return decodeDatumAs(diffJson, type);
  const diff = decodeDatumAs(diffJson, type);
  if (diff instanceof OvsMap) {
    const result = new Map<string, readonly [Atom, Atom]>();
    for (const e of old instanceof OvsMap ? old.entries : []) result.set(atomKey(e[0]), e);
    for (const [k, v] of diff.entries) {
      const key = atomKey(k);
      const cur = result.get(key);
      if (cur !== undefined && atomEquals(cur[1], v)) result.delete(key);
      else result.set(key, [k, v]);
    }
    return new OvsMap([...result.values()]);
  }
  const result = new Map<string, Atom>();
  for (const a of toAtoms(old)) result.set(atomKey(a), a);
  for (const a of toAtoms(diff)) {
    const key = atomKey(a);
    if (result.has(key)) result.delete(key);
    else result.set(key, a);
  }
  return new OvsSet([...result.values()]);
}

// ---------------------------------------------------------------- encoding

export function encodeAtom(a: Atom): Json {
  if (a instanceof Uuid) return ['uuid', a.uuid];
  if (a instanceof NamedUuid) return ['named-uuid', a.name];
  if (typeof a === 'number' && !Number.isFinite(a)) throw new OvsdbError('OVSDB_PROTOCOL', 'Cannot encode a non-finite number');
  return a;
}

/** Encodes a datum; sets and maps always use the explicit `["set"|"map", ...]` form. */
export function encodeDatum(d: Datum): Json {
  if (d instanceof OvsSet) return ['set', d.items.map(encodeAtom)];
  if (d instanceof OvsMap) return ['map', d.entries.map(([k, v]) => [encodeAtom(k), encodeAtom(v)])];
  return encodeAtom(d);
}

// ---------------------------------------------------------------- reading helpers

/** The atoms of a set, of a bare atom (set of one), or [] for an empty map. */
export function toAtoms(d: Datum): readonly Atom[] {
  if (d instanceof OvsSet) return d.items;
  if (d instanceof OvsMap) {
    if (d.entries.length === 0) return [];
    throw new OvsdbError('OVSDB_PROTOCOL', 'Expected a set, got a map');
  }
  return [d];
}

/** An optional (0..1) column's value, or undefined when unset. */
export function optionalAtom(d: Datum | undefined): Atom | undefined {
  return d === undefined ? undefined : toAtoms(d)[0];
}

/** A map datum as a plain object (keys and values stringified). */
export function toStringMap(d: Datum | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (d instanceof OvsMap) for (const [k, v] of d.entries) out[atomToString(k)] = atomToString(v);
  return out;
}

export function atomToString(a: Atom): string {
  return a instanceof Uuid ? a.uuid : a instanceof NamedUuid ? a.name : String(a);
}

/** The uuids in a set (or a bare uuid atom). */
export function toUuids(d: Datum | undefined): string[] {
  if (d === undefined) return [];
  return toAtoms(d).flatMap((a) => (a instanceof Uuid ? [a.uuid] : []));
}

function bigintSafe(_key: string, value: unknown): unknown {
  return typeof value === 'bigint' ? value.toString() : value;
}
