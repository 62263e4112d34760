/**
 * OpenFlowClient: an OpenFlow 1.3 session that survives connection loss.
 * Reconnects with backoff, probes an idle connection with ECHO, holds
 * requests made while reconnecting until it is back (or their deadline),
 * and tells its owner about every (re)connect, because a restarted
 * ovs-vswitchd has empty flow tables: the owner replays its flows then.
 */
import { OpenFlowError } from './errors';
import type { Logger } from './logger';
import { noopLogger } from './logger';
import type { OfMessage, OutgoingMessage } from './codec/message';
import type { Features, MessageOutcome } from './conn/connection';
import { OfConnection } from './conn/connection';
import type { Endpoint } from './conn/endpoint';
import { parseEndpoint } from './conn/endpoint';
import type { BackoffOptions } from './conn/backoff';
import { Backoff, DEFAULT_BACKOFF } from './conn/backoff';

export interface OpenFlowClientOptions {
  /** `unix:<OVS_RUNDIR>/<bridge>.mgmt` (see bridgeMgmtEndpoint) or `tcp:HOST:PORT` of a `ptcp:` listener. */
  readonly endpoint: string;
  readonly logger?: Logger;
  /** Default deadline of a request, including time spent waiting for a reconnect (default 30 s). */
  readonly timeoutMs?: number;
  /** Deadline for connect + handshake (default 10 s). */
  readonly connectTimeoutMs?: number;
  /** Send ECHO after this much silence; reconnect if it is not answered in as long. 0 = off (default 5 s). */
  readonly probeIntervalMs?: number;
  /** Reconnect policy (default 100 ms doubling to 8 s); `false` = never reconnect. */
  readonly reconnect?: BackoffOptions | false;
  /**
   * Sent as SET_CONFIG after every (re)connect. A connection to the bridge's
   * management socket is a "service" connection and gets no PACKET_IN until
   * it asks with a non-zero miss_send_len (ofproto/connmgr.c).
   */
  readonly missSendLen?: number;
}

export type ConnectionEvent =
  | { readonly connected: true; readonly reconnect: boolean; readonly features: Features }
  | { readonly connected: false; readonly error: OpenFlowError };

export type ClientState = 'connected' | 'reconnecting' | 'failed' | 'closed';

export interface ClientStats {
  readonly connects: number;
  readonly disconnects: number;
  readonly echoesAnswered: number;
  readonly probesSent: number;
  /** Messages sent by type (barriers and probes excluded). */
  readonly messagesSent: Readonly<Record<string, number>>;
}

export const DEFAULT_TIMEOUT_MS = 30_000;
export const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;
export const DEFAULT_PROBE_INTERVAL_MS = 5_000;
/** A connection that lived this long resets the backoff when it drops. */
const STABLE_CONNECTION_MS = 2000;

interface Held {
  readonly messages: readonly OutgoingMessage[];
  readonly deadline: number;
  readonly timer: NodeJS.Timeout;
  readonly resolve: (o: MessageOutcome[]) => void;
  readonly reject: (e: OpenFlowError) => void;
}

export class OpenFlowClient {
  private conn: OfConnection | undefined;
  private stateValue: ClientState = 'reconnecting';
  private readonly backoff: Backoff;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private probeTimer: NodeJS.Timeout | undefined;
  private probeOutstanding = false;
  private connectedAt = 0;
  private held: Held[] = [];
  private lastFeatures: Features | undefined;
  private readonly connectionListeners = new Set<(e: ConnectionEvent) => void>();
  private readonly messageListeners = new Set<(m: OfMessage) => void>();
  private readonly counters = { connects: 0, disconnects: 0, echoesAnswered: 0, probesSent: 0 };
  private readonly sent: Record<string, number> = {};
  private readonly endpoint: Endpoint;
  private readonly logger: Logger;
  private readonly timeoutMs: number;
  private readonly connectTimeoutMs: number;
  private readonly probeIntervalMs: number;

  private constructor(private readonly opts: OpenFlowClientOptions) {
    this.endpoint = parseEndpoint(opts.endpoint);
    this.logger = (opts.logger ?? noopLogger).child({ component: 'openflow', endpoint: this.endpoint.text });
    this.timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.connectTimeoutMs = opts.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
    this.probeIntervalMs = opts.probeIntervalMs ?? DEFAULT_PROBE_INTERVAL_MS;
    this.backoff = new Backoff(opts.reconnect === false ? DEFAULT_BACKOFF : (opts.reconnect ?? DEFAULT_BACKOFF));
  }

  /** Connects once: OF_CONNECT_FAILED / OF_HANDSHAKE_FAILED on failure (no retry; the caller decides). */
  static async connect(opts: OpenFlowClientOptions): Promise<OpenFlowClient> {
    const client = new OpenFlowClient(opts);
    const conn = await client.dial();
    try {
      await client.attach(conn);
    } catch (err) {
      conn.close(err as OpenFlowError);
      throw err;
    }
    return client;
  }

  get state(): ClientState {
    return this.stateValue;
  }

  /** FEATURES_REPLY of the current (or last) connection: datapath id, number of tables. */
  get features(): Features {
    if (this.lastFeatures === undefined) throw new OpenFlowError('OF_CLOSED', 'Not connected yet');
    return this.lastFeatures;
  }

  get stats(): ClientStats {
    return { ...this.counters, echoesAnswered: this.counters.echoesAnswered + (this.conn?.echoesAnswered ?? 0), messagesSent: { ...this.sent } };
  }

  /**
   * Connection changes. `{ connected: true, reconnect: true }` comes after
   * every reconnect, before requests held during the outage are sent: a
   * restarted vswitchd has no flows, so this is where an owner replays them.
   */
  onConnectionChange(listener: (e: ConnectionEvent) => void): () => void {
    this.connectionListeners.add(listener);
    return () => this.connectionListeners.delete(listener);
  }

  /** Asynchronous messages: PACKET_IN, PORT_STATUS, FLOW_REMOVED, errors nobody waits for. */
  onMessage(listener: (m: OfMessage) => void): () => void {
    this.messageListeners.add(listener);
    return () => this.messageListeners.delete(listener);
  }

  /**
   * Sends messages and a BARRIER, and resolves with each message's replies or
   * error (errors do not reject: the caller decides). Rejects with
   * OF_TIMEOUT, OF_DISCONNECTED (in flight when the connection dropped: the
   * outcome is unknown), OF_CLOSED or OF_ENCODE. `watch`: xids of earlier
   * messages whose errors may still arrive (see OfConnection.transact); only
   * meaningful on the connection they were sent on.
   */
  transact(messages: readonly OutgoingMessage[], timeoutMs = this.timeoutMs, watch: readonly number[] = []): Promise<MessageOutcome[]> {
    if (this.stateValue === 'closed') return Promise.reject(new OpenFlowError('OF_CLOSED', 'The OpenFlow client is closed'));
    if (this.stateValue === 'failed') return Promise.reject(new OpenFlowError('OF_DISCONNECTED', `The OpenFlow connection to ${this.endpoint.text} is lost`));
    if (this.stateValue === 'connected' && this.conn !== undefined) {
      for (const m of messages) this.sent[m.type] = (this.sent[m.type] ?? 0) + 1;
      return this.conn.transact(messages, timeoutMs, watch);
    }
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.held = this.held.filter((h) => h !== held);
        reject(new OpenFlowError('OF_TIMEOUT', `OpenFlow not reconnected to ${this.endpoint.text} within ${timeoutMs} ms`));
      }, timeoutMs);
      const held: Held = { messages, deadline: Date.now() + timeoutMs, timer, resolve, reject };
      this.held.push(held);
    });
  }

  /** One request; its replies (several for multipart), or OF_ERROR_REPLY with the switch's error. */
  async request(message: OutgoingMessage, timeoutMs?: number): Promise<readonly OfMessage[]> {
    const [outcome] = await this.transact([message], timeoutMs);
    if (outcome?.error !== undefined) {
      throw new OpenFlowError('OF_ERROR_REPLY', `${message.type} failed: ${outcome.error.name} (${outcome.error.description})`, { ofError: outcome.error });
    }
    return outcome?.replies ?? [];
  }

  /** A BARRIER round trip: everything sent before it has been handled. */
  async barrier(timeoutMs?: number): Promise<void> {
    await this.transact([], timeoutMs);
  }

  /** Resolves when connected (at once if already); OF_TIMEOUT / OF_CLOSED otherwise. */
  waitConnected(timeoutMs = this.timeoutMs): Promise<void> {
    if (this.stateValue === 'connected') return Promise.resolve();
    if (this.stateValue === 'closed') return Promise.reject(new OpenFlowError('OF_CLOSED', 'The OpenFlow client is closed'));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        off();
        reject(new OpenFlowError('OF_TIMEOUT', `OpenFlow not reconnected within ${timeoutMs} ms`));
      }, timeoutMs);
      const off = this.onConnectionChange((e) => {
        if (!e.connected) return;
        clearTimeout(timer);
        off();
        resolve();
      });
    });
  }

  /** Closes for good: pending and held requests fail with OF_CLOSED. */
  close(): void {
    if (this.stateValue === 'closed') return;
    this.stateValue = 'closed';
    this.stopTimers();
    const reason = new OpenFlowError('OF_CLOSED', 'The OpenFlow client is closed');
    this.failHeld(reason);
    const conn = this.conn;
    this.conn = undefined;
    conn?.close(reason);
  }

  private dial(): Promise<OfConnection> {
    let opened: OfConnection | undefined;
    return OfConnection.open(this.endpoint, {
      connectTimeoutMs: this.connectTimeoutMs,
      logger: this.logger,
      handlers: {
        onAsync: (m) => {
          for (const l of [...this.messageListeners]) {
            try {
              l(m);
            } catch (err) {
              this.logger.error('OpenFlow message listener threw', { err });
            }
          }
        },
        onClose: (reason) => {
          if (opened !== undefined && opened === this.conn) this.onConnectionClosed(reason);
        },
      },
    }).then((c) => (opened = c));
  }

  private async attach(conn: OfConnection): Promise<void> {
    if (this.opts.missSendLen !== undefined) {
      const [outcome] = await conn.transact([{ type: 'set_config', flags: 0, missSendLen: this.opts.missSendLen }], this.connectTimeoutMs);
      if (outcome?.error !== undefined) throw new OpenFlowError('OF_HANDSHAKE_FAILED', `SET_CONFIG failed: ${outcome.error.name}`, { ofError: outcome.error });
    }
    const reconnect = this.counters.connects > 0;
    this.conn = conn;
    this.lastFeatures = conn.features;
    this.counters.connects++;
    this.connectedAt = Date.now();
    this.stateValue = 'connected';
    this.probeOutstanding = false;
    this.startProbe();
    if (reconnect) this.logger.info('Reconnected to OpenFlow switch', { datapathId: conn.features.datapathId.toString(16) });
    this.emit({ connected: true, reconnect, features: conn.features });
    const held = this.held;
    this.held = [];
    for (const h of held) {
      clearTimeout(h.timer);
      this.transact(h.messages, Math.max(1, h.deadline - Date.now())).then(h.resolve, h.reject);
    }
  }

  private emit(e: ConnectionEvent): void {
    for (const l of [...this.connectionListeners]) {
      try {
        l(e);
      } catch (err) {
        this.logger.error('OpenFlow connection listener threw', { err });
      }
    }
  }

  private onConnectionClosed(reason: OpenFlowError): void {
    if (this.stateValue === 'closed') return;
    this.counters.disconnects++;
    if (this.conn !== undefined) this.counters.echoesAnswered += this.conn.echoesAnswered;
    this.conn = undefined;
    this.stopTimers();
    if (Date.now() - this.connectedAt >= STABLE_CONNECTION_MS) this.backoff.reset();
    this.emit({ connected: false, error: reason });
    if (this.opts.reconnect === false) {
      this.stateValue = 'failed';
      this.logger.warn('Lost OpenFlow connection', { err: reason.message });
      this.failHeld(reason);
      return;
    }
    this.stateValue = 'reconnecting';
    this.logger.warn('Lost OpenFlow connection; reconnecting', { err: reason.message });
    this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    const delay = this.backoff.next();
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = undefined;
      this.dial()
        .then(async (conn) => {
          if (this.stateValue === 'closed') {
            conn.close(new OpenFlowError('OF_CLOSED', 'The OpenFlow client is closed'));
            return;
          }
          try {
            await this.attach(conn);
          } catch (err) {
            conn.close(err as OpenFlowError);
            throw err;
          }
        })
        .catch((err: unknown) => {
          if (this.stateValue === 'closed') return;
          this.logger.debug('OpenFlow reconnect attempt failed', { err: (err as Error).message });
          this.scheduleReconnect();
        });
    }, delay);
  }

  private startProbe(): void {
    const interval = this.probeIntervalMs;
    if (interval <= 0) return;
    this.probeTimer = setInterval(() => {
      const conn = this.conn;
      if (conn === undefined || this.probeOutstanding || Date.now() - conn.lastReceiveAt < interval) return;
      this.probeOutstanding = true;
      this.counters.probesSent++;
      conn.transact([{ type: 'echo_request', data: Buffer.alloc(0) }], interval).then(
        () => {
          this.probeOutstanding = false;
        },
        (err: OpenFlowError) => {
          this.probeOutstanding = false;
          if (err.code === 'OF_TIMEOUT' && this.conn === conn) {
            const reason = new OpenFlowError('OF_DISCONNECTED', `OpenFlow peer did not answer ECHO within ${interval} ms`);
            conn.close(reason);
            this.onConnectionClosed(reason);
          }
        },
      );
    }, Math.max(10, Math.floor(interval / 2)));
    this.probeTimer.unref();
  }

  private stopTimers(): void {
    if (this.probeTimer !== undefined) clearInterval(this.probeTimer);
    if (this.reconnectTimer !== undefined) clearTimeout(this.reconnectTimer);
    this.probeTimer = undefined;
    this.reconnectTimer = undefined;
  }

  private failHeld(reason: OpenFlowError): void {
    const held = this.held;
    this.held = [];
    for (const h of held) {
      clearTimeout(h.timer);
      h.reject(reason);
    }
  }
}
