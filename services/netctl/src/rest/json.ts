/** Narrowing helpers for the JSON netmaster returns (never trusted to be well-formed). */
export type JsonObject = Record<string, unknown>;

export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A string field, or '' when absent (Go's zero value, which Contiv printed). */
export function str(obj: JsonObject, key: string): string {
  const v = obj[key];
  return typeof v === 'string' ? v : typeof v === 'number' ? String(v) : '';
}

/** An integer field, or 0 when absent. */
export function int(obj: JsonObject, key: string): number {
  const v = obj[key];
  return typeof v === 'number' && Number.isFinite(v) ? v : 0;
}

export function strList(obj: JsonObject, key: string): string[] {
  const v = obj[key];
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}

/**
 * Drops what Go's `omitempty` drops (undefined, '', 0, empty arrays), keeping
 * key order, so request bodies look like the ones Contiv's netctl sent.
 */
export function omitEmpty(fields: Record<string, string | number | readonly string[] | undefined>): JsonObject {
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(fields)) {
    if (v === undefined || v === '' || v === 0) continue;
    if (Array.isArray(v) && v.length === 0) continue;
    out[k] = v;
  }
  return out;
}

/** Deepest nesting accepted in a netmaster answer: its objects nest a handful of levels. */
export const MAX_RESPONSE_DEPTH = 64;

