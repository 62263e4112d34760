import type { OvsdbClient, MonitorHandle } from '../client';
import { OvsdbError } from '../errors';
import type { Logger } from '../logger';
import { noopLogger } from '../logger';
import { columnSchema, tableSchema } from '../schema/schema';
import type { DatabaseSchema } from '../schema/schema';
import type { MonitorMethod, TableUpdates } from './monitor';
import { TableCache } from './table-cache';
import type { Row, RowChange } from './table-cache';

export interface ReplicaOptions {
  readonly client: OvsdbClient;
  readonly db: string;
  /** Tables to replicate and their columns (`'all'` = every column in the schema). */
  readonly tables: Readonly<Record<string, readonly string[] | 'all'>>;
  readonly logger?: Logger;
  /** Use the schema already fetched (saves a round trip). */
  readonly schema?: DatabaseSchema;
  readonly method?: MonitorMethod;
}

export interface ReplicaChange {
  readonly seqno: number;
  /** True when this change is the rebuild after a reconnect. */
  readonly resync: boolean;
  readonly changes: readonly RowChange[];
}

/**
 * An in-memory replica of selected tables (python ovs.db.idl.Idl): rows by
 * uuid, a change seqno bumped on every applied update, and per-row events.
 * After a reconnect the monitor resends everything; the replica diffs that
 * against what it held and reports only real differences (resync: true).
 * Readers must treat rows as read-only; writes go through transactions.
 */
export class Replica {
  private readonly caches = new Map<string, TableCache>();
  private readonly listeners = new Set<(c: ReplicaChange) => void>();
  private seq = 0;
  private syncedValue = false;
  private handle: MonitorHandle | undefined;
  private readonly offConn: () => void;

  private constructor(
    client: OvsdbClient,
    readonly db: string,
    readonly schema: DatabaseSchema,
    tables: ReplicaOptions['tables'],
    private readonly log: Logger,
  ) {
    for (const [name, cols] of Object.entries(tables)) {
      const t = tableSchema(schema, name);
      const columns = cols === 'all' ? [...t.columns.values()].filter((c) => !c.name.startsWith('_')) : cols.map((c) => columnSchema(t, c));
      this.caches.set(name, new TableCache(t, columns));
    }
    this.offConn = client.onConnectionChange((e) => {
      if (!e.connected) this.syncedValue = false;
    });
  }

  /** Fetches the schema (unless given), starts the monitor and waits for the initial contents. */
  static async create(opts: ReplicaOptions): Promise<Replica> {
    const schema = opts.schema ?? (await opts.client.getSchema(opts.db));
    const log = (opts.logger ?? noopLogger).child({ component: 'ovsdb-replica', db: opts.db });
    const replica = new Replica(opts.client, opts.db, schema, opts.tables, log);
    const requests: Record<string, { columns: string[] }> = {};
    for (const [name, cache] of replica.caches) requests[name] = { columns: cache.columns.map((c) => c.name) };
    replica.handle = await opts.client.monitor(
      opts.db,
      requests,
      {
        onInitial: (updates, info) => replica.applyInitial(updates, info.reconnect),
        onUpdate: (updates) => replica.applyUpdate(updates),
        onError: (err) => log.error('Replica monitor could not be re-established', { err: err.message }),
      },
      opts.method === undefined ? undefined : { method: opts.method },
    );
    return replica;
  }

  /** Increases on every applied change (python IDL change_seqno). */
  get seqno(): number {
    return this.seq;
  }

  /** False from a disconnect until the monitor's contents after the reconnect were applied. */
  get synced(): boolean {
    return this.syncedValue;
  }

  get monitorMethod(): MonitorMethod | undefined {
    return this.handle?.method;
  }

  rows(table: string): ReadonlyMap<string, Row> {
    return this.cache(table).rows;
  }

  row(table: string, uuid: string): Row | undefined {
    return this.cache(table).rows.get(uuid);
  }

  /** Called after each applied update batch, and after a resync. */
  onChange(listener: (c: ReplicaChange) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Resolves with probe()'s first non-undefined result, evaluated now and after
   * every change; rejects if probe throws, or with OVSDB_TIMEOUT.
   */
  waitFor<T>(probe: () => T | undefined, timeoutMs: number, what: string): Promise<T> {
    return new Promise((resolve, reject) => {
      const check = (): boolean => {
        let v: T | undefined;
        try {
          v = probe();
        } catch (err) {
          done();
          reject(err as Error);
          return true;
        }
        if (v === undefined) return false;
        done();
        resolve(v);
        return true;
      };
      const timer = setTimeout(() => {
        done();
        reject(new OvsdbError('OVSDB_TIMEOUT', `Timed out after ${timeoutMs} ms waiting for ${what}`));
      }, timeoutMs);
      const off = this.onChange(() => void check());
      const done = (): void => {
        clearTimeout(timer);
        off();
      };
      check();
    });
  }

  async close(): Promise<void> {
    this.offConn();
    this.listeners.clear();
    const h = this.handle;
    this.handle = undefined;
    await h?.cancel();
  }

  private cache(table: string): TableCache {
    const c = this.caches.get(table);
    if (c === undefined) throw new OvsdbError('OVSDB_SCHEMA', `Table ${table} is not replicated`);
    return c;
  }

  private applyInitial(updates: TableUpdates, reconnect: boolean): void {
    const changes: RowChange[] = [];
    for (const [name, cache] of this.caches) {
      const fresh = new Map<string, Row>();
      for (const [uuid, u] of updates.get(name) ?? []) {
        if (u.kind === 'initial' || u.kind === 'insert') fresh.set(uuid, cache.buildRow(uuid, u.row));
      }
      for (const [uuid, old] of cache.rows) {
        const row = fresh.get(uuid);
        if (row === undefined) changes.push({ type: 'delete', table: name, row: old });
        else if (!cache.rowsEqual(old, row)) changes.push({ type: 'update', table: name, row, old });
      }
      for (const [uuid, row] of fresh) if (!cache.rows.has(uuid)) changes.push({ type: 'insert', table: name, row });
      cache.rows.clear();
      for (const [uuid, row] of fresh) cache.rows.set(uuid, row);
    }
    this.syncedValue = true;
    if (reconnect) this.log.info('Replica resynchronised after reconnect', { changes: changes.length });
    this.emit({ seqno: ++this.seq, resync: reconnect, changes });
  }

  private applyUpdate(updates: TableUpdates): void {
    const changes: RowChange[] = [];
    for (const [name, rows] of updates) {
      const cache = this.caches.get(name);
      if (cache === undefined) continue;
      for (const [uuid, u] of rows) {
        const c = cache.apply(uuid, u);
        if (c !== undefined) changes.push(c);
        else if (u.kind !== 'delete') this.log.warn('Monitor update for an unknown row', { table: name, uuid, kind: u.kind });
      }
    }
    this.emit({ seqno: ++this.seq, resync: false, changes });
  }

  private emit(change: ReplicaChange): void {
    for (const l of [...this.listeners]) {
      try {
        l(change);
      } catch (err) {
        this.log.error('Replica change listener threw', { err });
      }
    }
  }
}
