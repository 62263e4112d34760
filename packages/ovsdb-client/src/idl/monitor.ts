import { OvsdbError, isOvsdbError } from '../errors';
import type { Logger } from '../logger';
import { isJsonObject } from '../jsonrpc/json-codec';
import type { Json, JsonObject } from '../jsonrpc/json-codec';
import type { Session } from '../jsonrpc/session';
import type { Condition } from '../txn/operations';
import { encodeDatum } from '../schema/datum';

export type MonitorMethod = 'monitor' | 'monitor_cond';

export interface MonitorSelect {
  readonly initial?: boolean;
  readonly insert?: boolean;
  readonly delete?: boolean;
  readonly modify?: boolean;
}

export interface MonitorTableRequest {
  /** Columns to replicate; all columns when omitted. */
  readonly columns?: readonly string[];
  /** monitor_cond only: rows to replicate (all when omitted). */
  readonly where?: readonly Condition[];
  readonly select?: MonitorSelect;
}

/** One row's change, normalised over `update` (monitor) and `update2` (monitor_cond). */
export type RowUpdate =
  /** A whole row. From update2 it omits columns that hold their default value. */
  | { readonly kind: 'initial' | 'insert'; readonly row: JsonObject }
  | { readonly kind: 'delete' }
  /** update2: per-column diffs of the changed columns (see applyDiff). */
  | { readonly kind: 'modify'; readonly diff: JsonObject }
  /** update (v1): new values of the changed columns. */
  | { readonly kind: 'replace'; readonly row: JsonObject };

/** table name → row uuid → change. */
export type TableUpdates = ReadonlyMap<string, ReadonlyMap<string, RowUpdate>>;

export interface MonitorListener {
  /** Full contents: when the monitor is first set up and again after every reconnect. */
  onInitial(updates: TableUpdates, info: { readonly reconnect: boolean }): void;
  onUpdate(updates: TableUpdates): void;
  /** Re-issuing the monitor after a reconnect failed (the session keeps running). */
  onError?(err: OvsdbError): void;
}

function parseTableUpdates(json: Json, format: 'update' | 'update2', initial: boolean): TableUpdates {
  if (!isJsonObject(json)) throw new OvsdbError('OVSDB_PROTOCOL', 'Monitor update is not an object');
  const tables = new Map<string, Map<string, RowUpdate>>();
  for (const [table, rows] of Object.entries(json)) {
    if (!isJsonObject(rows)) throw new OvsdbError('OVSDB_PROTOCOL', `Monitor update for ${table} is not an object`);
    const out = new Map<string, RowUpdate>();
    for (const [uuid, u] of Object.entries(rows)) {
      if (!isJsonObject(u)) throw new OvsdbError('OVSDB_PROTOCOL', `Row update ${uuid} is not an object`);
      out.set(uuid, format === 'update2' ? parseRowUpdate2(u) : parseRowUpdate1(u, initial));
    }
    tables.set(table, out);
  }
  return tables;
}

function parseRowUpdate2(u: JsonObject): RowUpdate {
  if (isJsonObject(u.initial)) return { kind: 'initial', row: u.initial };
  if (isJsonObject(u.insert)) return { kind: 'insert', row: u.insert };
  if (isJsonObject(u.modify)) return { kind: 'modify', diff: u.modify };
  if ('delete' in u) return { kind: 'delete' };
  throw new OvsdbError('OVSDB_PROTOCOL', 'Malformed <row-update2>');
}

function parseRowUpdate1(u: JsonObject, initial: boolean): RowUpdate {
  const hasOld = isJsonObject(u.old);
  if (!isJsonObject(u.new)) {
    if (hasOld) return { kind: 'delete' };
    throw new OvsdbError('OVSDB_PROTOCOL', 'Malformed <row-update>');
  }
  if (!hasOld) return { kind: initial ? 'initial' : 'insert', row: u.new };
  // "old" lists exactly the changed columns; take their new values.
  const changed: JsonObject = {};
  for (const col of Object.keys(u.old as JsonObject)) {
    const v = u.new[col];
    if (v !== undefined) changed[col] = v;
  }
  return { kind: 'replace', row: changed };
}

let monitorSeq = 0;

/**
 * One monitor on a session. It re-issues itself on every reconnect (monitor
 * ids are per connection; we allocate a fresh one each time) and hands the
 * new initial contents to the listener, which rebuilds its replica.
 */
export class Monitor {
  private currentId: string | undefined;
  private cancelled = false;

  constructor(
    private readonly session: Session,
    private readonly db: string,
    private readonly requests: Readonly<Record<string, MonitorTableRequest>>,
    private readonly listener: MonitorListener,
    private method: MonitorMethod,
    private readonly allowFallback: boolean,
    private readonly log: Logger,
  ) {}

  get id(): string | undefined {
    return this.currentId;
  }

  get monitorMethod(): MonitorMethod {
    return this.method;
  }

  /** Sends the monitor request; resolves once the initial contents were delivered. */
  issue(reconnect: boolean): Promise<void> {
    return new Promise((resolve, reject) => {
      const id = `m${++monitorSeq}`;
      const method = this.method;
      this.currentId = id;
      this.session.send(method, [this.db, id, this.encodeRequests(method)], {
        onResult: (result) => {
          if (this.cancelled || this.currentId !== id) return resolve();
          try {
            this.listener.onInitial(parseTableUpdates(result, method === 'monitor_cond' ? 'update2' : 'update', true), { reconnect });
            resolve();
          } catch (err) {
            reject(err as Error);
          }
        },
        onError: (err) => {
          if (method === 'monitor_cond' && this.allowFallback && isUnknownMethod(err)) {
            this.log.info('Server lacks monitor_cond; falling back to monitor', { db: this.db });
            this.method = 'monitor';
            this.issue(reconnect).then(resolve, reject);
            return;
          }
          reject(err);
        },
      });
    });
  }

  /** Routes an update/update2 notification; returns false if it is not ours. */
  handleNotification(method: string, params: Json[]): boolean {
    const [id, updates] = params;
    if (this.cancelled || id !== this.currentId) return false;
    const format = method === 'update2' ? 'update2' : 'update';
    this.listener.onUpdate(parseTableUpdates(updates ?? null, format, false));
    return true;
  }

  /** Reports a failure to re-establish the monitor to its listener. */
  listenerError(err: OvsdbError): void {
    this.listener.onError?.(err);
  }

  async cancel(): Promise<void> {
    if (this.cancelled) return;
    this.cancelled = true;
    const id = this.currentId;
    if (id === undefined) return;
    try {
      await this.session.request('monitor_cancel', [id]);
    } catch (err) {
      // After a disconnect the server has forgotten the monitor anyway.
      if (!isOvsdbError(err)) throw err;
    }
  }

  private encodeRequests(method: MonitorMethod): JsonObject {
    const out: JsonObject = {};
    for (const [table, req] of Object.entries(this.requests)) {
      const r: JsonObject = {};
      if (req.columns !== undefined) r.columns = [...req.columns];
      if (req.select !== undefined) r.select = { ...req.select };
      if (method === 'monitor_cond') {
        if (req.where !== undefined) r.where = req.where.map(([c, f, v]) => [c, f, encodeDatum(v)]);
        out[table] = [r];
      } else {
        out[table] = r;
      }
    }
    return out;
  }
}

function isUnknownMethod(err: OvsdbError): boolean {
  return err.code === 'OVSDB_RPC_ERROR' && err.details.some((d) => d.error === 'unknown method');
}
