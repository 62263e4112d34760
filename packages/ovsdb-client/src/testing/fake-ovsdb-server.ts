import net from 'node:net';
import { JsonStreamSplitter } from '../jsonrpc/json-splitter';
import { isJsonObject, parseJson, stringifyJson } from '../jsonrpc/json-codec';
import type { Json, JsonObject } from '../jsonrpc/json-codec';

/** A tiny schema: database "Test", root table "T" with a scalar, an optional and a set column. */
export const TEST_SCHEMA: JsonObject = {
  name: 'Test',
  version: '1.0.0',
  tables: {
    T: {
      isRoot: true,
      columns: {
        name: { type: 'string' },
        n: { type: { key: 'integer', min: 0, max: 1 } },
        tags: { type: { key: 'string', min: 0, max: 'unlimited' } },
      },
      indexes: [['name']],
    },
  },
};

/** A handler's answer: a result, or `{ error }` for a JSON-RPC error, or `'no-reply'`. */
export type FakeReply = { result: Json } | { error: Json } | 'no-reply';
export type FakeHandler = (params: Json[], conn: FakeConnection) => FakeReply | Promise<FakeReply>;

interface MonitorState {
  readonly method: string;
  readonly columns: ReadonlyMap<string, readonly string[] | undefined>;
}

export class FakeConnection {
  readonly monitors = new Map<string, MonitorState>();
  private readonly splitter = new JsonStreamSplitter();
  private echoSeq = 0;
  private readonly echoWaiters = new Map<string, (params: Json) => void>();

  constructor(
    readonly socket: net.Socket,
    private readonly server: FakeOvsdbServer,
  ) {
    socket.on('data', (chunk: Buffer) => {
      for (const m of this.splitter.push(chunk)) void this.onMessage(parseJson(m.text, m.maybeBigInt));
    });
    socket.on('error', () => undefined);
  }

  send(msg: JsonObject): void {
    if (!this.socket.destroyed) this.socket.write(stringifyJson(msg));
  }

  /** Sends a server-side `echo` request and resolves with the client's reply params. */
  echo(params: Json[]): Promise<Json> {
    const id = `echo-${++this.echoSeq}`;
    return new Promise((resolve) => {
      this.echoWaiters.set(id, resolve);
      this.send({ method: 'echo', params, id });
    });
  }

  private async onMessage(msg: Json): Promise<void> {
    if (!isJsonObject(msg)) return;
    if (typeof msg.method !== 'string') {
      const waiter = typeof msg.id === 'string' ? this.echoWaiters.get(msg.id) : undefined;
      if (waiter !== undefined && typeof msg.id === 'string') {
        this.echoWaiters.delete(msg.id);
        waiter(msg.result ?? null);
      }
      return;
    }
    const params = Array.isArray(msg.params) ? msg.params : [];
    this.server.requests.push({ method: msg.method, params });
    if (this.server.silent) return;
    const reply = await this.server.dispatch(msg.method, params, this);
    if (reply === 'no-reply') return;
    this.send('error' in reply ? { id: msg.id ?? null, result: null, error: reply.error } : { id: msg.id ?? null, result: reply.result, error: null });
  }
}

/**
 * An in-process stand-in for ovsdb-server (listening on 127.0.0.1, random
 * port) for unit tests of the session, monitor and replica logic: list_dbs,
 * get_schema, echo, monitor / monitor_cond (initial contents plus updates
 * for rows changed through insertRow/updateRow/deleteRow), transact (every op
 * answers `{}` unless overridden), and knobs to drop connections, go silent,
 * stop listening and come back. update2 "modify" sends new values, which is
 * exact for the scalar and optional columns of TEST_SCHEMA.
 */
export class FakeOvsdbServer {
  readonly requests: { method: string; params: Json[] }[] = [];
  readonly rows = new Map<string, Map<string, JsonObject>>();
  readonly connections = new Set<FakeConnection>();
  /** When true, requests are recorded but never answered (a hung server). */
  silent = false;
  supportsMonitorCond = true;
  private readonly handlers = new Map<string, FakeHandler>();
  private server: net.Server;
  private portValue = 0;

  private constructor(readonly schema: JsonObject) {
    this.server = this.createServer();
  }

  static async start(opts: { schema?: JsonObject } = {}): Promise<FakeOvsdbServer> {
    const s = new FakeOvsdbServer(opts.schema ?? TEST_SCHEMA);
    await s.listen(0);
    return s;
  }

  get endpoint(): string {
    return `tcp:127.0.0.1:${this.portValue}`;
  }

  get dbName(): string {
    return String(this.schema.name);
  }

  /** Overrides (or adds) a method. */
  handle(method: string, handler: FakeHandler): void {
    this.handlers.set(method, handler);
  }

  countRequests(method: string): number {
    return this.requests.filter((r) => r.method === method).length;
  }

  insertRow(table: string, uuid: string, row: JsonObject): void {
    this.table(table).set(uuid, row);
    this.broadcast(table, uuid, undefined, row);
  }

  updateRow(table: string, uuid: string, changes: JsonObject): void {
    const old = this.table(table).get(uuid);
    if (old === undefined) throw new Error(`no row ${uuid}`);
    const row = { ...old, ...changes };
    this.table(table).set(uuid, row);
    this.broadcast(table, uuid, old, row, changes);
  }

  deleteRow(table: string, uuid: string): void {
    const old = this.table(table).get(uuid);
    if (old === undefined) return;
    this.table(table).delete(uuid);
    this.broadcast(table, uuid, old, undefined);
  }

  /** Closes every client connection (the listener stays: clients can reconnect). */
  dropConnections(): void {
    for (const c of this.connections) c.socket.destroy();
    this.connections.clear();
  }

  /** Stops listening and drops connections (reconnect attempts now fail). */
  async pause(): Promise<void> {
    this.dropConnections();
    await new Promise<void>((r) => this.server.close(() => r()));
  }

  /** Listens again on the same port after pause(). */
  async resume(): Promise<void> {
    this.server = this.createServer();
    await this.listen(this.portValue);
  }

  async stop(): Promise<void> {
    this.dropConnections();
    await new Promise<void>((r) => (this.server.listening ? this.server.close(() => r()) : r()));
  }

  /** @internal */
  async dispatch(method: string, params: Json[], conn: FakeConnection): Promise<FakeReply> {
    const custom = this.handlers.get(method);
    if (custom !== undefined) return custom(params, conn);
    switch (method) {
      case 'echo':
        return { result: params };
      case 'list_dbs':
        return { result: [this.dbName] };
      case 'get_schema':
        return params[0] === this.dbName ? { result: this.schema } : { error: 'unknown database' };
      case 'monitor':
      case 'monitor_cond':
        if (method === 'monitor_cond' && !this.supportsMonitorCond) return { error: 'unknown method' };
        return { result: this.startMonitor(method, params, conn) };
      case 'monitor_cancel':
        conn.monitors.delete(String(params[0]));
        return { result: {} };
      case 'transact':
        return { result: params.slice(1).map(() => ({})) };
      default:
        return { error: 'unknown method' };
    }
  }

  private startMonitor(method: string, params: Json[], conn: FakeConnection): Json {
    const [, id, requests] = params;
    const columns = new Map<string, readonly string[] | undefined>();
    if (isJsonObject(requests)) {
      for (const [table, req] of Object.entries(requests)) {
        const r = Array.isArray(req) ? req[0] : req;
        const cols = isJsonObject(r ?? null) && Array.isArray((r as JsonObject).columns) ? ((r as JsonObject).columns as Json[]).map(String) : undefined;
        columns.set(table, cols);
      }
    }
    conn.monitors.set(String(id), { method, columns });
    const initial: JsonObject = {};
    for (const [table, cols] of columns) {
      const rows: JsonObject = {};
      for (const [uuid, row] of this.table(table)) {
        const r = project(row, cols);
        rows[uuid] = method === 'monitor_cond' ? { initial: r } : { new: r };
      }
      initial[table] = rows;
    }
    return initial;
  }

  private broadcast(table: string, uuid: string, old: JsonObject | undefined, row: JsonObject | undefined, changes?: JsonObject): void {
    for (const conn of this.connections) {
      for (const [id, m] of conn.monitors) {
        if (!m.columns.has(table)) continue;
        const cols = m.columns.get(table);
        let update: Json;
        if (m.method === 'monitor_cond') {
          if (row === undefined) update = { delete: null };
          else if (old === undefined) update = { insert: project(row, cols) };
          else update = { modify: project(changes ?? {}, cols) };
          conn.send({ method: 'update2', params: [id, { [table]: { [uuid]: update } }], id: null });
        } else {
          const u: JsonObject = {};
          if (old !== undefined) u.old = row === undefined ? project(old, cols) : project(pick(old, Object.keys(changes ?? {})), cols);
          if (row !== undefined) u.new = project(row, cols);
          conn.send({ method: 'update', params: [id, { [table]: { [uuid]: u } }], id: null });
        }
      }
    }
  }

  private table(name: string): Map<string, JsonObject> {
    let t = this.rows.get(name);
    if (t === undefined) {
      t = new Map();
      this.rows.set(name, t);
    }
    return t;
  }

  private createServer(): net.Server {
    return net.createServer((socket) => {
      const conn = new FakeConnection(socket, this);
      this.connections.add(conn);
      socket.on('close', () => this.connections.delete(conn));
    });
  }

  private listen(port: number): Promise<void> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, '127.0.0.1', () => {
        const addr = this.server.address();
        if (typeof addr === 'object' && addr !== null) this.portValue = addr.port;
        resolve();
      });
    });
  }
}

function project(row: JsonObject, cols: readonly string[] | undefined): JsonObject {
  return cols === undefined ? { ...row } : pick(row, cols);
}

function pick(row: JsonObject, cols: readonly string[]): JsonObject {
  const out: JsonObject = {};
  for (const c of cols) {
    const v = row[c];
    if (v !== undefined) out[c] = v;
  }
  return out;
}
