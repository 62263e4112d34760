import { OvsdbError } from '../errors';
import { isJsonObject } from '../jsonrpc/json-codec';
import type { Json } from '../jsonrpc/json-codec';
import { parseColumnType } from './types';
import type { ColumnType } from './types';

export interface ColumnSchema {
  readonly name: string;
  readonly type: ColumnType;
  readonly ephemeral: boolean;
  readonly mutable: boolean;
}

export interface TableSchema {
  readonly name: string;
  readonly columns: ReadonlyMap<string, ColumnSchema>;
  readonly isRoot: boolean;
  readonly indexes: readonly (readonly string[])[];
}

export interface DatabaseSchema {
  readonly name: string;
  readonly version: string;
  readonly tables: ReadonlyMap<string, TableSchema>;
  /** The schema exactly as the server sent it. */
  readonly raw: Json;
}

const UUID_TYPE: ColumnType = { key: { type: 'uuid' }, min: 1, max: 1 };

/** Parses a get_schema reply (RFC 7047 §3.2), adding the implicit _uuid and _version columns. */
export function parseDatabaseSchema(json: Json): DatabaseSchema {
  if (!isJsonObject(json) || typeof json.name !== 'string' || !isJsonObject(json.tables)) {
    throw new OvsdbError('OVSDB_SCHEMA', 'get_schema reply is not a database schema');
  }
  const tables = new Map<string, TableSchema>();
  for (const [tableName, t] of Object.entries(json.tables)) {
    if (!isJsonObject(t) || !isJsonObject(t.columns)) throw new OvsdbError('OVSDB_SCHEMA', `Table ${tableName} has no columns`);
    const columns = new Map<string, ColumnSchema>();
    columns.set('_uuid', { name: '_uuid', type: UUID_TYPE, ephemeral: false, mutable: false });
    columns.set('_version', { name: '_version', type: UUID_TYPE, ephemeral: false, mutable: false });
    for (const [colName, c] of Object.entries(t.columns)) {
      if (!isJsonObject(c)) throw new OvsdbError('OVSDB_SCHEMA', `Column ${tableName}.${colName} is not an object`);
      columns.set(colName, {
        name: colName,
        type: parseColumnType(c.type, `${tableName}.${colName}`),
        ephemeral: c.ephemeral === true,
        mutable: c.mutable !== false,
      });
    }
    const indexes = Array.isArray(t.indexes)
      ? t.indexes.filter(Array.isArray).map((ix) => ix.filter((x): x is string => typeof x === 'string'))
      : [];
    tables.set(tableName, { name: tableName, columns, isRoot: t.isRoot === true, indexes });
  }
  return { name: json.name, version: typeof json.version === 'string' ? json.version : '', tables, raw: json };
}

export function tableSchema(schema: DatabaseSchema, table: string): TableSchema {
  const t = schema.tables.get(table);
  if (t === undefined) throw new OvsdbError('OVSDB_SCHEMA', `Database ${schema.name} has no table ${table}`);
  return t;
}

export function columnSchema(table: TableSchema, column: string): ColumnSchema {
  const c = table.columns.get(column);
  if (c === undefined) throw new OvsdbError('OVSDB_SCHEMA', `Table ${table.name} has no column ${column}`);
  return c;
}
