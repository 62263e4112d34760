import net from 'node:net';
import { OvsdbError } from '../errors';
import type { Logger } from '../logger';
import type { Endpoint } from './endpoint';
import { isJsonObject, parseJson, stringifyJson } from './json-codec';
import type { Json, JsonObject } from './json-codec';
import { JsonStreamSplitter } from './json-splitter';

/** Called synchronously, in stream order, when the reply arrives (see Session.send). */
export interface ReplyCallbacks {
  onResult(result: Json): void;
  onError(err: OvsdbError): void;
}

export interface ConnectionHandlers {
  onNotification(method: string, params: Json[]): void;
  /** The connection is gone (also after a local close()). */
  onClose(reason: OvsdbError): void;
}

interface Pending {
  readonly method: string;
  readonly callbacks: ReplyCallbacks;
  readonly timer: NodeJS.Timeout | undefined;
}

/**
 * One JSON-RPC 1.0 connection (RFC 7047 §4): request/response matching by id,
 * notifications, and answers to the server's `echo` requests. It never
 * reconnects; Session does that.
 */
export class JsonRpcConnection {
  private readonly splitter = new JsonStreamSplitter();
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private closed = false;
  /** Time (ms since epoch) a message last arrived; the probe looks at it. */
  lastReceiveAt = Date.now();
  echoesAnswered = 0;

  private constructor(
    private readonly socket: net.Socket,
    private readonly log: Logger,
    private readonly handlers: ConnectionHandlers,
  ) {
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', (err) => this.shutdown(new OvsdbError('OVSDB_DISCONNECTED', `Connection error: ${err.message}`, { cause: err })));
    socket.on('close', () => this.shutdown(new OvsdbError('OVSDB_DISCONNECTED', 'Connection closed by peer')));
  }

  static open(endpoint: Endpoint, timeoutMs: number, log: Logger, handlers: ConnectionHandlers): Promise<JsonRpcConnection> {
    return new Promise((resolve, reject) => {
      const socket =
        endpoint.kind === 'unix' ? net.createConnection({ path: endpoint.path }) : net.createConnection({ host: endpoint.host, port: endpoint.port });
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new OvsdbError('OVSDB_TIMEOUT', `Connecting to ${endpoint.text} timed out after ${timeoutMs} ms`));
      }, timeoutMs);
      const onError = (err: Error): void => {
        clearTimeout(timer);
        socket.destroy();
        reject(new OvsdbError('OVSDB_CONNECT_FAILED', `Cannot connect to ${endpoint.text}: ${err.message}`, { cause: err }));
      };
      socket.once('error', onError);
      socket.once('connect', () => {
        clearTimeout(timer);
        socket.off('error', onError);
        if (endpoint.kind === 'tcp') socket.setNoDelay(true);
        resolve(new JsonRpcConnection(socket, log, handlers));
      });
    });
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /**
   * Sends a request. The callbacks run synchronously when the reply is read,
   * before any later message is dispatched: a monitor's initial reply is
   * therefore applied before the update notifications that follow it.
   */
  send(method: string, params: Json[], callbacks: ReplyCallbacks, timeoutMs: number): void {
    if (this.closed) {
      callbacks.onError(new OvsdbError('OVSDB_DISCONNECTED', `Cannot send ${method}: connection is closed`));
      return;
    }
    const id = this.nextId++;
    const timer =
      timeoutMs > 0
        ? setTimeout(() => {
            if (this.pending.delete(id)) {
              callbacks.onError(new OvsdbError('OVSDB_TIMEOUT', `No reply to ${method} within ${timeoutMs} ms`));
            }
          }, timeoutMs)
        : undefined;
    this.pending.set(id, { method, callbacks, timer });
    this.write({ method, params, id });
  }

  request(method: string, params: Json[], timeoutMs: number): Promise<Json> {
    return new Promise((resolve, reject) => this.send(method, params, { onResult: resolve, onError: reject }, timeoutMs));
  }

  /** Closes locally; pending requests fail with `reason`. */
  close(reason: OvsdbError): void {
    this.shutdown(reason);
  }

  private write(message: JsonObject): void {
    this.socket.write(stringifyJson(message));
  }

  private onData(chunk: Buffer): void {
    if (this.closed) return;
    this.lastReceiveAt = Date.now();
    let messages;
    try {
      messages = this.splitter.push(chunk);
    } catch (err) {
      this.shutdown(err as OvsdbError);
      return;
    }
    for (const m of messages) {
      if (this.closed) return;
      let msg: Json;
      try {
        msg = parseJson(m.text, m.maybeBigInt);
      } catch (err) {
        this.shutdown(err as OvsdbError);
        return;
      }
      this.dispatch(msg);
    }
  }

  private dispatch(msg: Json): void {
    if (!isJsonObject(msg)) {
      this.shutdown(new OvsdbError('OVSDB_PROTOCOL', 'JSON-RPC message is not an object'));
      return;
    }
    const { method, id } = msg;
    if (typeof method === 'string') {
      const params = Array.isArray(msg.params) ? msg.params : [];
      if (id === null || id === undefined) {
        this.guard('notification', () => this.handlers.onNotification(method, params));
      } else if (method === 'echo') {
        this.echoesAnswered++;
        this.write({ id, result: params, error: null });
      } else {
        this.log.warn('Rejected unknown JSON-RPC request from server', { method });
        this.write({ id, result: null, error: 'unknown method' });
      }
      return;
    }
    if (typeof id !== 'number') {
      this.log.warn('Ignored JSON-RPC reply with an unknown id', { id: stringifyJson(id ?? null) });
      return;
    }
    const p = this.pending.get(id);
    if (p === undefined) {
      this.log.debug('Ignored late JSON-RPC reply', { id });
      return;
    }
    this.pending.delete(id);
    if (p.timer !== undefined) clearTimeout(p.timer);
    const error = msg.error;
    if (error !== null && error !== undefined) {
      this.guard('reply', () => p.callbacks.onError(rpcError(p.method, error)));
    } else {
      this.guard('reply', () => p.callbacks.onResult(msg.result ?? null));
    }
  }

  private guard(what: string, fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.log.error('OVSDB handler threw', { what, err });
    }
  }

  private shutdown(reason: OvsdbError): void {
    if (this.closed) return;
    this.closed = true;
    this.socket.destroy();
    this.splitter.reset();
    const pending = [...this.pending.values()];
    this.pending.clear();
    for (const p of pending) {
      if (p.timer !== undefined) clearTimeout(p.timer);
      this.guard('reply', () => p.callbacks.onError(reason));
    }
    this.handlers.onClose(reason);
  }
}

function rpcError(method: string, error: Json): OvsdbError {
  const kind = isJsonObject(error) && typeof error.error === 'string' ? error.error : typeof error === 'string' ? error : stringifyJson(error);
  const details = isJsonObject(error) && typeof error.details === 'string' ? error.details : undefined;
  return new OvsdbError('OVSDB_RPC_ERROR', `${method} failed: ${kind}${details === undefined ? '' : `: ${details}`}`, {
    details: [{ index: 0, op: method, error: kind, ...(details === undefined ? {} : { details }) }],
  });
}
