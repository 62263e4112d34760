import type { JsonObject } from '../jsonrpc/json-codec';
import { applyDiff, datumEquals, decodeDatumAs, defaultDatum } from '../schema/datum';
import type { Datum } from '../schema/datum';
import type { ColumnSchema, TableSchema } from '../schema/schema';
import type { RowUpdate } from './monitor';

/** An immutable replicated row: a change produces a new Row object. */
export interface Row {
  readonly uuid: string;
  /** Every monitored column, in normal form (see decodeDatumAs). */
  readonly values: Readonly<Record<string, Datum>>;
}

export type RowChange =
  | { readonly type: 'insert'; readonly table: string; readonly row: Row }
  | { readonly type: 'update'; readonly table: string; readonly row: Row; readonly old: Row }
  | { readonly type: 'delete'; readonly table: string; readonly row: Row };

/** The rows of one monitored table and the rules to change them. */
export class TableCache {
  readonly rows = new Map<string, Row>();

  constructor(
    readonly schema: TableSchema,
    readonly columns: readonly ColumnSchema[],
  ) {}

  /** A full row from `initial`/`insert` (update2 omits default-valued columns). */
  buildRow(uuid: string, json: JsonObject): Row {
    const values: Record<string, Datum> = {};
    for (const c of this.columns) {
      const v = json[c.name];
      values[c.name] = v === undefined ? defaultDatum(c.type) : decodeDatumAs(v, c.type);
    }
    return { uuid, values };
  }

  /** Applies one row update; returns the change, or undefined if nothing changed. */
  apply(uuid: string, u: RowUpdate): RowChange | undefined {
    const table = this.schema.name;
    const old = this.rows.get(uuid);
    switch (u.kind) {
      case 'initial':
      case 'insert': {
        const row = this.buildRow(uuid, u.row);
        this.rows.set(uuid, row);
        return old === undefined ? { type: 'insert', table, row } : { type: 'update', table, row, old };
      }
      case 'delete':
        if (old === undefined) return undefined;
        this.rows.delete(uuid);
        return { type: 'delete', table, row: old };
      case 'modify':
      case 'replace': {
        if (old === undefined) return undefined;
        const values: Record<string, Datum> = { ...old.values };
        const changes = u.kind === 'modify' ? u.diff : u.row;
        for (const c of this.columns) {
          const v = changes[c.name];
          if (v === undefined) continue;
          values[c.name] = u.kind === 'modify' ? applyDiff(old.values[c.name] ?? defaultDatum(c.type), v, c.type) : decodeDatumAs(v, c.type);
        }
        const row = { uuid, values };
        this.rows.set(uuid, row);
        return { type: 'update', table, row, old };
      }
    }
  }

  rowsEqual(a: Row, b: Row): boolean {
    return this.columns.every((c) => {
      const x = a.values[c.name];
      const y = b.values[c.name];
      return x === undefined || y === undefined ? x === y : datumEquals(x, y);
    });
  }
}
