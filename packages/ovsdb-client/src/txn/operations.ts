import { encodeDatum } from '../schema/datum';
import type { Datum } from '../schema/datum';
import type { Json, JsonObject } from '../jsonrpc/json-codec';

export type ConditionFunction = '==' | '!=' | '<' | '<=' | '>' | '>=' | 'includes' | 'excludes';
/** `[column, function, value]`, e.g. `['name', '==', 'br0']`. */
export type Condition = readonly [column: string, fn: ConditionFunction, value: Datum];

export type Mutator = '+=' | '-=' | '*=' | '/=' | '%=' | 'insert' | 'delete';
/** `[column, mutator, value]`, e.g. `['ports', 'insert', ovsSet([namedUuid('p')])]`. */
export type Mutation = readonly [column: string, mutator: Mutator, value: Datum];

export type RowValues = Readonly<Record<string, Datum>>;

/** The RFC 7047 §5.2 operations. */
export type Operation =
  | { readonly op: 'insert'; readonly table: string; readonly row: RowValues; readonly uuidName?: string }
  | { readonly op: 'select'; readonly table: string; readonly where: readonly Condition[]; readonly columns?: readonly string[] }
  | { readonly op: 'update'; readonly table: string; readonly where: readonly Condition[]; readonly row: RowValues }
  | { readonly op: 'mutate'; readonly table: string; readonly where: readonly Condition[]; readonly mutations: readonly Mutation[] }
  | { readonly op: 'delete'; readonly table: string; readonly where: readonly Condition[] }
  | {
      readonly op: 'wait';
      readonly table: string;
      readonly where: readonly Condition[];
      readonly columns: readonly string[];
      readonly until: '==' | '!=';
      readonly rows: readonly RowValues[];
      /** ms; 0 (the usual case for a precondition) fails at once. */
      readonly timeout?: number;
    }
  | { readonly op: 'commit'; readonly durable: boolean }
  | { readonly op: 'abort' }
  | { readonly op: 'comment'; readonly comment: string }
  | { readonly op: 'assert'; readonly lock: string };

function encodeRow(row: RowValues): JsonObject {
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(row)) out[k] = encodeDatum(v);
  return out;
}

function encodeWhere(where: readonly Condition[]): Json[] {
  return where.map(([c, f, v]) => [c, f, encodeDatum(v)]);
}

export function encodeOperation(o: Operation): JsonObject {
  switch (o.op) {
    case 'insert': {
      const j: JsonObject = { op: 'insert', table: o.table, row: encodeRow(o.row) };
      if (o.uuidName !== undefined) j['uuid-name'] = o.uuidName;
      return j;
    }
    case 'select': {
      const j: JsonObject = { op: 'select', table: o.table, where: encodeWhere(o.where) };
      if (o.columns !== undefined) j.columns = [...o.columns];
      return j;
    }
    case 'update':
      return { op: 'update', table: o.table, where: encodeWhere(o.where), row: encodeRow(o.row) };
    case 'mutate':
      return { op: 'mutate', table: o.table, where: encodeWhere(o.where), mutations: o.mutations.map(([c, m, v]) => [c, m, encodeDatum(v)]) };
    case 'delete':
      return { op: 'delete', table: o.table, where: encodeWhere(o.where) };
    case 'wait': {
      const j: JsonObject = {
        op: 'wait',
        table: o.table,
        where: encodeWhere(o.where),
        columns: [...o.columns],
        until: o.until,
        rows: o.rows.map(encodeRow),
      };
      if (o.timeout !== undefined) j.timeout = o.timeout;
      return j;
    }
    case 'commit':
      return { op: 'commit', durable: o.durable };
    case 'abort':
      return { op: 'abort' };
    case 'comment':
      return { op: 'comment', comment: o.comment };
    case 'assert':
      return { op: 'assert', lock: o.lock };
  }
}
