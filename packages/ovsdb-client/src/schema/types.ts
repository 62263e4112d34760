import { OvsdbError } from '../errors';
import { isJsonObject } from '../jsonrpc/json-codec';
import type { Json } from '../jsonrpc/json-codec';

export type AtomicType = 'integer' | 'real' | 'boolean' | 'string' | 'uuid';

export interface BaseType {
  readonly type: AtomicType;
  /** For uuid columns: the table referenced, and whether the reference is strong. */
  readonly refTable?: string;
  readonly refType?: 'strong' | 'weak';
}

/** RFC 7047 <type>: a scalar, a set (min..max atoms) or a map (value present). */
export interface ColumnType {
  readonly key: BaseType;
  readonly value?: BaseType;
  readonly min: number;
  /** `Infinity` for "unlimited". */
  readonly max: number;
}

const ATOMIC_TYPES: ReadonlySet<string> = new Set(['integer', 'real', 'boolean', 'string', 'uuid']);

function parseBaseType(json: Json | undefined, where: string): BaseType {
  if (typeof json === 'string' && ATOMIC_TYPES.has(json)) return { type: json as AtomicType };
  if (isJsonObject(json) && typeof json.type === 'string' && ATOMIC_TYPES.has(json.type)) {
    const base: { type: AtomicType; refTable?: string; refType?: 'strong' | 'weak' } = { type: json.type as AtomicType };
    if (typeof json.refTable === 'string') {
      base.refTable = json.refTable;
      base.refType = json.refType === 'weak' ? 'weak' : 'strong';
    }
    return base;
  }
  throw new OvsdbError('OVSDB_SCHEMA', `Invalid base type in ${where}`);
}

export function parseColumnType(json: Json | undefined, where: string): ColumnType {
  if (typeof json === 'string') return { key: parseBaseType(json, where), min: 1, max: 1 };
  if (!isJsonObject(json)) throw new OvsdbError('OVSDB_SCHEMA', `Invalid column type in ${where}`);
  const min = typeof json.min === 'number' ? json.min : 1;
  const max = json.max === 'unlimited' ? Infinity : typeof json.max === 'number' ? json.max : 1;
  const type: { key: BaseType; value?: BaseType; min: number; max: number } = { key: parseBaseType(json.key, where), min, max };
  if (json.value !== undefined) type.value = parseBaseType(json.value, where);
  return type;
}

export function isMapType(t: ColumnType): boolean {
  return t.value !== undefined;
}

/** Exactly one atom: read and written as a bare atom. */
export function isScalarType(t: ColumnType): boolean {
  return t.value === undefined && t.min === 1 && t.max === 1;
}

/** Anything else without a value type is a set (including "optional" 0..1 columns). */
export function isSetType(t: ColumnType): boolean {
  return t.value === undefined && !isScalarType(t);
}
