import { OvsdbError } from '../errors';
import type { Logger } from '../logger';
import type { ReplyCallbacks } from './connection';
import { JsonRpcConnection } from './connection';
import type { Endpoint } from './endpoint';
import type { Json } from './json-codec';
import { Backoff } from './reconnect';
import type { BackoffOptions } from './reconnect';

export interface SessionOptions {
  readonly endpoint: Endpoint;
  readonly logger: Logger;
  /** Default deadline for a request, including time spent waiting for a reconnect. */
  readonly requestTimeoutMs: number;
  readonly connectTimeoutMs: number;
  /** Send our own `echo` after this much silence; drop the connection if it is not answered in as long. 0 = off. */
  readonly probeIntervalMs: number;
  /** Reconnect policy; `false` = never reconnect (requests then fail with OVSDB_DISCONNECTED). */
  readonly reconnect: BackoffOptions | false;
}

export type SessionState = 'connected' | 'reconnecting' | 'failed' | 'closed';

export interface SessionStats {
  readonly connects: number;
  readonly disconnects: number;
  /** Server `echo` requests answered (over all connections). */
  readonly echoesAnswered: number;
  /** Our own `echo` probes sent. */
  readonly probesSent: number;
  /** Requests handed to a connection, by method (probes excluded). */
  readonly requestsSent: Readonly<Record<string, number>>;
}

type ConnectHook = (reconnect: boolean) => void;
type DisconnectListener = (reason: OvsdbError) => void;
type NotificationListener = (method: string, params: Json[]) => void;

interface Waiter {
  readonly method: string;
  readonly params: Json[];
  readonly callbacks: ReplyCallbacks;
  readonly deadline: number;
  readonly timer: NodeJS.Timeout;
}

/**
 * A JSON-RPC session that survives connection loss (python ovs.jsonrpc.Session):
 * reconnects with backoff, probes an idle connection with `echo`, holds requests
 * made while reconnecting until the connection is back (or their deadline),
 * and runs connect hooks (monitors re-issue themselves there) before those
 * held requests are sent.
 */
export class Session {
  private conn: JsonRpcConnection | undefined;
  private stateValue: SessionState = 'reconnecting';
  private readonly backoff: Backoff;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private probeTimer: NodeJS.Timeout | undefined;
  private probeOutstanding = false;
  private connectedAt = 0;
  private waiters: Waiter[] = [];
  private readonly connectHooks = new Set<ConnectHook>();
  private readonly disconnectListeners = new Set<DisconnectListener>();
  private readonly notificationListeners = new Set<NotificationListener>();
  private readonly counters = { connects: 0, disconnects: 0, echoesAnswered: 0, probesSent: 0 };
  private readonly requestsSent: Record<string, number> = {};

  private constructor(private readonly opts: SessionOptions) {
    this.backoff = new Backoff(opts.reconnect === false ? undefined : opts.reconnect);
  }

  /** Connects once; a failure here is OVSDB_CONNECT_FAILED (no retry). */
  static async open(opts: SessionOptions): Promise<Session> {
    const session = new Session(opts);
    try {
      session.attach(await session.dial());
    } catch (err) {
      throw new OvsdbError('OVSDB_CONNECT_FAILED', `Cannot connect to OVSDB at ${opts.endpoint.text}: ${(err as Error).message}`, { cause: err });
    }
    return session;
  }

  get state(): SessionState {
    return this.stateValue;
  }

  get stats(): SessionStats {
    return {
      ...this.counters,
      echoesAnswered: this.counters.echoesAnswered + (this.conn?.echoesAnswered ?? 0),
      requestsSent: { ...this.requestsSent },
    };
  }

  /** Runs synchronously after each connection is established; hooks may send() at once. */
  onConnect(hook: ConnectHook): () => void {
    this.connectHooks.add(hook);
    return () => this.connectHooks.delete(hook);
  }

  onDisconnect(listener: DisconnectListener): () => void {
    this.disconnectListeners.add(listener);
    return () => this.disconnectListeners.delete(listener);
  }

  onNotification(listener: NotificationListener): () => void {
    this.notificationListeners.add(listener);
    return () => this.notificationListeners.delete(listener);
  }

  /**
   * Sends a request now, or once reconnected. Callbacks run synchronously in
   * stream order. A request in flight when the connection drops fails with
   * OVSDB_DISCONNECTED (it is never resent: a transaction may have committed).
   */
  send(method: string, params: Json[], callbacks: ReplyCallbacks, timeoutMs = this.opts.requestTimeoutMs): void {
    if (this.stateValue === 'connected' && this.conn !== undefined) {
      this.requestsSent[method] = (this.requestsSent[method] ?? 0) + 1;
      this.conn.send(method, params, callbacks, timeoutMs);
      return;
    }
    if (this.stateValue === 'closed') {
      callbacks.onError(new OvsdbError('OVSDB_CLOSED', `Cannot send ${method}: the OVSDB client is closed`));
      return;
    }
    if (this.stateValue === 'failed') {
      callbacks.onError(new OvsdbError('OVSDB_DISCONNECTED', `Cannot send ${method}: the OVSDB connection is lost`));
      return;
    }
    const timer = setTimeout(() => {
      this.waiters = this.waiters.filter((w) => w !== waiter);
      callbacks.onError(new OvsdbError('OVSDB_TIMEOUT', `OVSDB not reconnected within ${timeoutMs} ms; ${method} not sent`));
    }, timeoutMs);
    const waiter: Waiter = { method, params, callbacks, deadline: Date.now() + timeoutMs, timer };
    this.waiters.push(waiter);
  }

  request(method: string, params: Json[], timeoutMs?: number): Promise<Json> {
    return new Promise((resolve, reject) => this.send(method, params, { onResult: resolve, onError: reject }, timeoutMs));
  }

  /** Resolves when connected (at once if already), rejects after timeoutMs or on close. */
  waitConnected(timeoutMs: number): Promise<void> {
    if (this.stateValue === 'connected') return Promise.resolve();
    if (this.stateValue === 'closed') return Promise.reject(new OvsdbError('OVSDB_CLOSED', 'The OVSDB client is closed'));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        unsubscribe();
        reject(new OvsdbError('OVSDB_TIMEOUT', `OVSDB not reconnected within ${timeoutMs} ms`));
      }, timeoutMs);
      const unsubscribe = this.onConnect(() => {
        clearTimeout(timer);
        unsubscribe();
        resolve();
      });
    });
  }

  /** Drops the current connection (if any) so the session reconnects and monitors resync. */
  reset(reason: OvsdbError): void {
    this.conn?.close(reason);
  }

  /** Closes for good; pending and held requests fail with OVSDB_CLOSED. */
  close(): void {
    if (this.stateValue === 'closed') return;
    this.stateValue = 'closed';
    this.stopTimers();
    const reason = new OvsdbError('OVSDB_CLOSED', 'The OVSDB client is closed');
    this.failWaiters(reason);
    const conn = this.conn;
    this.conn = undefined;
    conn?.close(reason);
  }

  private dial(): Promise<JsonRpcConnection> {
    let opened: JsonRpcConnection | undefined;
    return JsonRpcConnection.open(this.opts.endpoint, this.opts.connectTimeoutMs, this.opts.logger, {
      onNotification: (method, params) => {
        for (const l of [...this.notificationListeners]) l(method, params);
      },
      // Socket events fire after open() resolves, so `opened` is set by then;
      // a connection that is not the current one (opened after close()) is ignored.
      onClose: (reason) => {
        if (opened !== undefined && opened === this.conn) this.onConnectionClosed(reason);
      },
    }).then((conn) => (opened = conn));
  }

  private attach(conn: JsonRpcConnection): void {
    const reconnect = this.counters.connects > 0;
    this.conn = conn;
    this.counters.connects++;
    this.connectedAt = Date.now();
    this.stateValue = 'connected';
    this.probeOutstanding = false;
    this.startProbe();
    if (reconnect) this.opts.logger.info('Reconnected to OVSDB', { endpoint: this.opts.endpoint.text });
    for (const hook of [...this.connectHooks]) {
      try {
        hook(reconnect);
      } catch (err) {
        this.opts.logger.error('OVSDB connect hook threw', { err });
      }
    }
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) {
      clearTimeout(w.timer);
      this.send(w.method, w.params, w.callbacks, Math.max(1, w.deadline - Date.now()));
    }
  }

  private onConnectionClosed(reason: OvsdbError): void {
    if (this.stateValue === 'closed') return;
    this.counters.disconnects++;
    if (this.conn !== undefined) this.counters.echoesAnswered += this.conn.echoesAnswered;
    this.conn = undefined;
    this.stopTimers();
    if (Date.now() - this.connectedAt >= STABLE_CONNECTION_MS) this.backoff.reset();
    for (const l of [...this.disconnectListeners]) {
      try {
        l(reason);
      } catch (err) {
        this.opts.logger.error('OVSDB disconnect listener threw', { err });
      }
    }
    if (this.opts.reconnect === false) {
      this.stateValue = 'failed';
      this.opts.logger.warn('Lost OVSDB connection', { endpoint: this.opts.endpoint.text, err: reason.message });
      this.failWaiters(reason);
      return;
    }
    this.stateValue = 'reconnecting';
    this.opts.logger.warn('Lost OVSDB connection; reconnecting', { endpoint: this.opts.endpoint.text, err: reason.message });
    this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    const delay = this.backoff.next();
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = undefined;
      this.dial().then(
        (conn) => {
          if (this.stateValue === 'closed') {
            conn.close(new OvsdbError('OVSDB_CLOSED', 'The OVSDB client is closed'));
            return;
          }
          this.attach(conn);
        },
        (err: unknown) => {
          if (this.stateValue === 'closed') return;
          this.opts.logger.debug('OVSDB reconnect attempt failed', { endpoint: this.opts.endpoint.text, err: (err as Error).message });
          this.scheduleReconnect();
        },
      );
    }, delay);
  }

  private startProbe(): void {
    const interval = this.opts.probeIntervalMs;
    if (interval <= 0) return;
    this.probeTimer = setInterval(() => {
      const conn = this.conn;
      if (conn === undefined || this.probeOutstanding) return;
      if (Date.now() - conn.lastReceiveAt < interval) return;
      this.probeOutstanding = true;
      this.counters.probesSent++;
      conn.send(
        'echo',
        [],
        {
          onResult: () => {
            this.probeOutstanding = false;
          },
          onError: (err) => {
            this.probeOutstanding = false;
            if (err.code === 'OVSDB_TIMEOUT' && this.conn === conn) {
              conn.close(new OvsdbError('OVSDB_DISCONNECTED', `OVSDB peer did not answer echo within ${interval} ms`));
            }
          },
        },
        interval,
      );
    }, Math.max(10, Math.floor(interval / 2)));
  }

  private stopTimers(): void {
    if (this.probeTimer !== undefined) clearInterval(this.probeTimer);
    if (this.reconnectTimer !== undefined) clearTimeout(this.reconnectTimer);
    this.probeTimer = undefined;
    this.reconnectTimer = undefined;
  }

  private failWaiters(reason: OvsdbError): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) {
      clearTimeout(w.timer);
      w.callbacks.onError(reason);
    }
  }
}

/** A connection that lived this long resets the backoff when it drops. */
const STABLE_CONNECTION_MS = 2000;
