import { OvsdbError, isOvsdbError } from './errors';
import type { Logger } from './logger';
import { noopLogger } from './logger';
import { parseEndpoint } from './jsonrpc/endpoint';
import type { Json } from './jsonrpc/json-codec';
import { DEFAULT_BACKOFF } from './jsonrpc/reconnect';
import type { BackoffOptions } from './jsonrpc/reconnect';
import { Session } from './jsonrpc/session';
import type { SessionState, SessionStats } from './jsonrpc/session';
import { Monitor } from './idl/monitor';
import type { MonitorListener, MonitorMethod, MonitorTableRequest } from './idl/monitor';
import { parseDatabaseSchema } from './schema/schema';
import type { DatabaseSchema } from './schema/schema';
import { encodeOperation } from './txn/operations';
import type { Operation } from './txn/operations';
import { interpretTransactResult } from './txn/status';
import type { OperationResult, TransactOutcome } from './txn/status';

export interface OvsdbClientOptions {
  /** `unix:/path/db.sock` or `tcp:host:port`. */
  readonly endpoint: string;
  readonly logger?: Logger;
  /** Default per-request deadline, including time spent waiting for a reconnect. Default 30 000. */
  readonly timeoutMs?: number;
  /** Deadline for one connection attempt. Default 10 000. */
  readonly connectTimeoutMs?: number;
  /** Our own echo after this much silence (and the deadline for its answer). Default 5 000; 0 = off. */
  readonly probeIntervalMs?: number;
  /** Reconnect backoff, or `false` to never reconnect. */
  readonly reconnect?: Partial<BackoffOptions> | false;
}

export const DEFAULT_TIMEOUT_MS = 30_000;
export const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;
export const DEFAULT_PROBE_INTERVAL_MS = 5_000;

export type ConnectionEvent =
  | { readonly connected: true; readonly reconnect: boolean }
  | { readonly connected: false; readonly error: OvsdbError };

export interface MonitorOptions {
  /** Default: monitor_cond (update2), falling back to monitor if the server does not know it. */
  readonly method?: MonitorMethod;
}

export interface MonitorHandle {
  readonly method: MonitorMethod;
  cancel(): Promise<void>;
}

/**
 * The RFC 7047 client: one session (reconnecting), the methods of §4.1, and
 * monitors that survive reconnects. Transactions are never retried here: a
 * transaction in flight when the connection drops reports `try-again`.
 */
export class OvsdbClient {
  private readonly monitors = new Set<Monitor>();
  private readonly log: Logger;

  private constructor(
    private readonly session: Session,
    log: Logger,
    readonly endpoint: string,
  ) {
    this.log = log;
    session.onNotification((method, params) => this.onNotification(method, params));
    session.onConnect((reconnect) => {
      if (!reconnect) return;
      for (const m of this.monitors) {
        m.issue(true).catch((err: unknown) => {
          this.log.warn('Re-issuing OVSDB monitor after reconnect failed', { err: (err as Error).message });
          if (isOvsdbError(err)) m.listenerError(err);
        });
      }
    });
  }

  static async connect(opts: OvsdbClientOptions): Promise<OvsdbClient> {
    const endpoint = parseEndpoint(opts.endpoint);
    const log = (opts.logger ?? noopLogger).child({ component: 'ovsdb', endpoint: endpoint.text });
    const session = await Session.open({
      endpoint,
      logger: log,
      requestTimeoutMs: opts.timeoutMs ?? DEFAULT_TIMEOUT_MS,
      connectTimeoutMs: opts.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
      probeIntervalMs: opts.probeIntervalMs ?? DEFAULT_PROBE_INTERVAL_MS,
      reconnect: opts.reconnect === false ? false : { ...DEFAULT_BACKOFF, ...opts.reconnect },
    });
    log.debug('Connected to OVSDB');
    return new OvsdbClient(session, log, endpoint.text);
  }

  get state(): SessionState {
    return this.session.state;
  }

  get stats(): SessionStats {
    return this.session.stats;
  }

  onConnectionChange(listener: (e: ConnectionEvent) => void): () => void {
    const offUp = this.session.onConnect((reconnect) => listener({ connected: true, reconnect }));
    const offDown = this.session.onDisconnect((error) => listener({ connected: false, error }));
    return () => {
      offUp();
      offDown();
    };
  }

  /** Resolves when connected (immediately if already). */
  waitConnected(timeoutMs: number): Promise<void> {
    return this.session.waitConnected(timeoutMs);
  }

  async listDbs(): Promise<string[]> {
    const r = await this.session.request('list_dbs', []);
    if (!Array.isArray(r)) throw new OvsdbError('OVSDB_PROTOCOL', 'list_dbs reply is not an array');
    return r.filter((x): x is string => typeof x === 'string');
  }

  async getSchema(db: string): Promise<DatabaseSchema> {
    return parseDatabaseSchema(await this.session.request('get_schema', [db]));
  }

  /** Round trip; the server answers with the same params. */
  async echo(...params: Json[]): Promise<Json[]> {
    const r = await this.session.request('echo', params);
    return Array.isArray(r) ? r : [r];
  }

  /** Raw JSON-RPC call, for methods without a wrapper. */
  request(method: string, params: Json[], timeoutMs?: number): Promise<Json> {
    return this.session.request(method, params, timeoutMs);
  }

  /**
   * Runs a transaction and returns its outcome; never throws for an OVSDB-level
   * failure (only for OVSDB_TIMEOUT / OVSDB_CLOSED / protocol errors).
   */
  async tryTransact(db: string, ops: readonly Operation[], opts?: { timeoutMs?: number }): Promise<TransactOutcome> {
    if (ops.length === 0) return { status: 'success', results: [] };
    let reply: Json;
    try {
      reply = await this.session.request('transact', [db, ...ops.map(encodeOperation)], opts?.timeoutMs);
    } catch (err) {
      if (isOvsdbError(err, 'OVSDB_DISCONNECTED')) {
        return {
          status: 'try-again',
          error: new OvsdbError('OVSDB_TXN_TRY_AGAIN', 'Connection lost before the transaction reply; outcome unknown', { cause: err }),
        };
      }
      throw err;
    }
    return interpretTransactResult(ops, reply);
  }

  /** Like tryTransact, but any status other than success is thrown as its OvsdbError. */
  async transact(db: string, ops: readonly Operation[], opts?: { timeoutMs?: number }): Promise<readonly OperationResult[]> {
    const outcome = await this.tryTransact(db, ops, opts);
    if (outcome.status !== 'success') throw outcome.error;
    return outcome.results;
  }

  /**
   * Starts a monitor; resolves after the listener received the initial
   * contents. The monitor is re-issued after every reconnect (onInitial again,
   * with `reconnect: true`).
   */
  async monitor(
    db: string,
    requests: Readonly<Record<string, MonitorTableRequest>>,
    listener: MonitorListener,
    opts?: MonitorOptions,
  ): Promise<MonitorHandle> {
    const m = new Monitor(this.session, db, requests, listener, opts?.method ?? 'monitor_cond', opts?.method === undefined, this.log);
    this.monitors.add(m);
    try {
      await m.issue(false);
    } catch (err) {
      this.monitors.delete(m);
      throw err;
    }
    return {
      method: m.monitorMethod,
      cancel: async () => {
        this.monitors.delete(m);
        await m.cancel();
      },
    };
  }

  /** Closes the session; pending requests fail with OVSDB_CLOSED. */
  async close(): Promise<void> {
    this.monitors.clear();
    this.session.close();
    return Promise.resolve();
  }

  private onNotification(method: string, params: Json[]): void {
    if (method !== 'update' && method !== 'update2') {
      this.log.debug('Ignored OVSDB notification', { method });
      return;
    }
    for (const m of this.monitors) {
      try {
        if (m.handleNotification(method, params)) return;
      } catch (err) {
        // The replica can no longer be trusted: reconnect, which resends the full contents.
        this.log.error('Cannot apply OVSDB monitor update; reconnecting to resync', { err });
        this.session.reset(new OvsdbError('OVSDB_PROTOCOL', 'Bad monitor update', { cause: err }));
        return;
      }
    }
    this.log.debug('Ignored update for an unknown monitor', { method });
  }
}
