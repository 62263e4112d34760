/**
 * One OpenFlow 1.3 connection: socket, framing, HELLO negotiation, FEATURES,
 * echo replies, xid allocation and request/response matching.
 *
 * Requests go out in batches (`transact`): the messages, then a BARRIER.
 * The switch handles a connection's messages in order, so when the barrier
 * reply arrives every reply and every error for the batch has arrived too:
 * successful FLOW_MODs are silent, and the barrier is what tells "no error"
 * from "no answer yet". Errors are matched to the message that caused them
 * by xid.
 */
import net from 'node:net';
import { OpenFlowError } from '../errors';
import type { OfErrorInfo } from '../errors';
import type { Logger } from '../logger';
import { OFP13_VERSION, OFPMPF_MORE } from '../codec/constants';
import { describeError } from '../codec/error-msg';
import type { OfMessage, OutgoingMessage } from '../codec/message';
import { decodeMessage, encodeMessage, readHeader } from '../codec/message';
import type { Endpoint } from './endpoint';
import { MessageFramer } from './framer';

export interface Features {
  readonly datapathId: bigint;
  readonly nBuffers: number;
  readonly nTables: number;
  readonly auxiliaryId: number;
  readonly capabilities: number;
}

/** What one message of a batch got back: its replies (multipart parts in order) or the switch's error. */
export interface MessageOutcome {
  readonly xid: number;
  readonly replies: readonly OfMessage[];
  readonly error?: OfErrorInfo;
}

export interface ConnectionHandlers {
  /** Messages that answer nothing we sent: PACKET_IN, PORT_STATUS, FLOW_REMOVED, stray errors. */
  onAsync(msg: OfMessage): void;
  /** Called once when the connection ends (not called for close() by the owner). */
  onClose(reason: OpenFlowError): void;
}

interface Slot {
  readonly batch: Batch;
  readonly index: number;
}

interface Batch {
  readonly outcomes: { xid: number; replies: OfMessage[]; error?: OfErrorInfo }[];
  readonly xids: number[];
  readonly resolve: (o: MessageOutcome[]) => void;
  readonly reject: (e: OpenFlowError) => void;
  readonly timer: NodeJS.Timeout;
}

/** What may arrive unasked; a reply nobody waits for any more (after a timeout) is dropped instead. */
const ASYNC_TYPES: ReadonlySet<OfMessage['type']> = new Set(['packet_in', 'error', 'experimenter', 'unknown']);

/** Opens the socket; rejects with the socket error or a timeout. */
function connectSocket(ep: Endpoint, timeoutMs: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = ep.kind === 'unix' ? net.createConnection({ path: ep.path }) : net.createConnection({ host: ep.host, port: ep.port });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`connect timed out after ${timeoutMs} ms`));
    }, timeoutMs);
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.removeAllListeners('error');
      resolve(socket);
    });
    socket.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
  });
}

export class OfConnection {
  private readonly framer = new MessageFramer();
  private readonly slots = new Map<number, Slot>();
  private nextXid = 1;
  private closed = false;
  private helloResolve: ((versions: readonly number[]) => void) | undefined;
  private helloReject: ((err: OpenFlowError) => void) | undefined;
  private featuresValue: Features | undefined;
  /** Time of the last message received (for the idle probe). */
  lastReceiveAt = Date.now();
  echoesAnswered = 0;

  private constructor(
    private readonly socket: net.Socket,
    private readonly endpoint: Endpoint,
    private readonly logger: Logger,
    private readonly handlers: ConnectionHandlers,
  ) {
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', (err) => this.fail(new OpenFlowError('OF_DISCONNECTED', `OpenFlow connection to ${endpoint.text} failed: ${err.message}`, { cause: err })));
    socket.on('close', () => this.fail(new OpenFlowError('OF_DISCONNECTED', `OpenFlow connection to ${endpoint.text} closed by the peer`)));
  }

  /**
   * Connects and negotiates OpenFlow 1.3 (HELLO with a version bitmap, then
   * FEATURES). Errors: OF_CONNECT_FAILED (socket), OF_HANDSHAKE_FAILED.
   */
  static async open(endpoint: Endpoint, opts: { connectTimeoutMs: number; logger: Logger; handlers: ConnectionHandlers }): Promise<OfConnection> {
    let socket: net.Socket;
    try {
      socket = await connectSocket(endpoint, opts.connectTimeoutMs);
    } catch (err) {
      throw new OpenFlowError('OF_CONNECT_FAILED', `Cannot connect to OpenFlow endpoint ${endpoint.text}: ${(err as Error).message}`, { cause: err });
    }
    const conn = new OfConnection(socket, endpoint, opts.logger, opts.handlers);
    try {
      await conn.handshake(opts.connectTimeoutMs);
    } catch (err) {
      conn.close(err instanceof OpenFlowError ? err : new OpenFlowError('OF_HANDSHAKE_FAILED', String(err)));
      if (err instanceof OpenFlowError && err.code === 'OF_HANDSHAKE_FAILED') throw err;
      throw new OpenFlowError('OF_HANDSHAKE_FAILED', `OpenFlow handshake with ${endpoint.text} failed: ${(err as Error).message}`, { cause: err });
    }
    return conn;
  }

  get features(): Features {
    if (this.featuresValue === undefined) throw new OpenFlowError('OF_HANDSHAKE_FAILED', 'Features are not known before the handshake');
    return this.featuresValue;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  private async handshake(timeoutMs: number): Promise<void> {
    const peerHello = new Promise<readonly number[]>((resolve, reject) => {
      this.helloResolve = resolve;
      this.helloReject = reject;
    });
    const timer = setTimeout(() => this.helloReject?.(new OpenFlowError('OF_HANDSHAKE_FAILED', `No HELLO from ${this.endpoint.text} within ${timeoutMs} ms`)), timeoutMs);
    try {
      this.write([encodeMessage({ type: 'hello', xid: this.allocXid(), versions: [OFP13_VERSION] })]);
      const versions = await peerHello;
      if (!versions.includes(OFP13_VERSION)) {
        // Tell the switch why we leave, as OVS does (OFPHFC_INCOMPATIBLE).
        const text = Buffer.from('We support only OpenFlow 1.3 (0x04)');
        this.write([encodeMessage({ type: 'error', xid: 0, errType: 0, code: 0, data: text })]);
        throw new OpenFlowError(
          'OF_HANDSHAKE_FAILED',
          `${this.endpoint.text} does not speak OpenFlow 1.3 (it offers ${versions.map((v) => `0x0${v.toString(16)}`).join(', ') || 'nothing'}); add OpenFlow13 to Bridge.protocols`,
        );
      }
    } finally {
      clearTimeout(timer);
      this.helloResolve = undefined;
      this.helloReject = undefined;
    }
    const [features] = await this.transact([{ type: 'features_request' }], timeoutMs);
    const reply = features?.replies[0];
    if (features?.error !== undefined) throw new OpenFlowError('OF_HANDSHAKE_FAILED', `FEATURES_REQUEST failed: ${features.error.name}`, { ofError: features.error });
    if (reply?.type !== 'features_reply') throw new OpenFlowError('OF_HANDSHAKE_FAILED', 'No FEATURES_REPLY');
    this.featuresValue = {
      datapathId: reply.datapathId,
      nBuffers: reply.nBuffers,
      nTables: reply.nTables,
      auxiliaryId: reply.auxiliaryId,
      capabilities: reply.capabilities,
    };
  }

  private allocXid(): number {
    let xid = this.nextXid;
    // Skip 0 and any xid still waiting for an answer after a wrap-around.
    while (xid === 0 || this.slots.has(xid)) xid = (xid + 1) >>> 0;
    this.nextXid = (xid + 1) >>> 0;
    return xid;
  }

  /**
   * Sends `messages` followed by a BARRIER_REQUEST and resolves, once the
   * barrier is answered, with each message's replies or error. Rejects with
   * OF_TIMEOUT (late answers are then dropped) or OF_DISCONNECTED.
   *
   * `watch` lists xids of messages sent earlier whose errors may still come
   * (a bundle commit reports the failing BUNDLE_ADD by that add's xid); their
   * outcomes follow the messages' in the result.
   */
  transact(messages: readonly OutgoingMessage[], timeoutMs: number, watch: readonly number[] = []): Promise<MessageOutcome[]> {
    if (this.closed) return Promise.reject(new OpenFlowError('OF_DISCONNECTED', `OpenFlow connection to ${this.endpoint.text} is closed`));
    return new Promise((resolve, reject) => {
      let encoded: Buffer[];
      const xids: number[] = [];
      try {
        let continued: number | undefined;
        encoded = messages.map((m) => {
          // The parts of one multipart request share an xid (all but the last carry REQ_MORE).
          const xid = m.xid ?? continued ?? this.allocXid();
          continued = m.type === 'multipart_request' && (m.flags & OFPMPF_MORE) !== 0 ? xid : undefined;
          xids.push(xid);
          return encodeMessage({ ...m, xid } as OfMessage);
        });
      } catch (err) {
        reject(err instanceof OpenFlowError ? err : new OpenFlowError('OF_ENCODE', String(err), { cause: err }));
        return;
      }
      const barrierXid = this.allocXid();
      const timer = setTimeout(() => {
        for (const x of batch.xids) this.slots.delete(x);
        reject(new OpenFlowError('OF_TIMEOUT', `No BARRIER_REPLY from ${this.endpoint.text} within ${timeoutMs} ms`));
      }, timeoutMs);
      const watched = watch.filter((x) => !xids.includes(x) && !this.slots.has(x));
      const all = [...xids, ...watched];
      const batch: Batch = { outcomes: all.map((xid) => ({ xid, replies: [] })), xids: [...new Set(all), barrierXid], resolve, reject, timer };
      // Answers to a multipart request sent in parts land on its first part.
      all.forEach((xid, index) => {
        if (!this.slots.has(xid)) this.slots.set(xid, { batch, index });
      });
      this.slots.set(barrierXid, { batch, index: -1 });
      this.write([...encoded, encodeMessage({ type: 'barrier_request', xid: barrierXid })]);
    });
  }

  /** Sends one message without waiting for anything (echo replies, probes). */
  sendRaw(msg: OfMessage): void {
    this.write([encodeMessage(msg)]);
  }

  private write(bufs: Buffer[]): void {
    if (this.closed) return;
    this.socket.write(bufs.length === 1 ? (bufs[0] as Buffer) : Buffer.concat(bufs));
  }

  private onData(chunk: Buffer): void {
    if (this.closed) return;
    this.lastReceiveAt = Date.now();
    let frames: Buffer[];
    try {
      frames = this.framer.push(chunk);
    } catch (err) {
      this.fail(err as OpenFlowError);
      return;
    }
    for (const frame of frames) {
      if (this.closed) return;
      let msg: OfMessage;
      try {
        msg = decodeMessage(frame);
      } catch (err) {
        const h = readHeader(frame);
        // A message we cannot parse fails only the request it answers; anything else is fatal.
        const slot = this.slots.get(h.xid);
        if (slot !== undefined && h.type !== 0) {
          this.logger.warn('Undecodable OpenFlow reply', { type: h.type, xid: h.xid, err: (err as Error).message });
          this.finishBatch(slot.batch, new OpenFlowError('OF_PROTOCOL', `Cannot decode reply (type ${h.type}): ${(err as Error).message}`, { cause: err }));
          continue;
        }
        this.fail(new OpenFlowError('OF_PROTOCOL', `Cannot decode OpenFlow message from ${this.endpoint.text}: ${(err as Error).message}`, { cause: err }));
        return;
      }
      this.dispatch(msg, frame);
    }
  }

  private dispatch(msg: OfMessage, frame: Buffer): void {
    if (msg.type === 'hello') {
      // A bitmap-less HELLO means "up to my header's version" (OpenFlow 1.3.1 §6.3.1).
      const version = frame.readUInt8(0);
      this.helloResolve?.(msg.versions.length > 0 ? msg.versions : version >= OFP13_VERSION ? [OFP13_VERSION] : [version]);
      return;
    }
    if (msg.type === 'echo_request') {
      this.echoesAnswered++;
      this.sendRaw({ type: 'echo_reply', xid: msg.xid, data: msg.data });
      return;
    }
    if (msg.type === 'error' && this.helloReject !== undefined && msg.errType === 0) {
      this.helloReject(new OpenFlowError('OF_HANDSHAKE_FAILED', `${this.endpoint.text} refused the handshake: ${msg.data.toString('utf8').replace(/\0+$/, '')}`));
      return;
    }
    const slot = this.slots.get(msg.xid);
    if (slot === undefined) {
      if (msg.type === 'error') this.logger.warn('OpenFlow error for no pending request', { xid: msg.xid, error: describeError(msg.xid, msg).name });
      if (ASYNC_TYPES.has(msg.type)) this.handlers.onAsync(msg);
      else this.logger.debug('Dropped a late OpenFlow reply', { type: msg.type, xid: msg.xid });
      return;
    }
    const { batch, index } = slot;
    if (index < 0) {
      if (msg.type === 'barrier_reply') this.finishBatch(batch);
      else if (msg.type === 'error') this.finishBatch(batch, new OpenFlowError('OF_ERROR_REPLY', `BARRIER_REQUEST failed: ${describeError(msg.xid, msg).name}`, { ofError: describeError(msg.xid, msg) }));
      return;
    }
    const outcome = batch.outcomes[index];
    if (outcome === undefined) return;
    // Multipart parts simply accumulate: the barrier reply comes after the last one.
    if (msg.type === 'error') outcome.error = describeError(msg.xid, msg);
    else outcome.replies.push(msg);
  }

  private finishBatch(batch: Batch, err?: OpenFlowError): void {
    clearTimeout(batch.timer);
    for (const x of batch.xids) this.slots.delete(x);
    if (err !== undefined) batch.reject(err);
    else batch.resolve(batch.outcomes.map((o) => ({ xid: o.xid, replies: o.replies, ...(o.error !== undefined ? { error: o.error } : {}) })));
  }

  private failAll(reason: OpenFlowError): void {
    const batches = new Set([...this.slots.values()].map((s) => s.batch));
    for (const b of batches) this.finishBatch(b, reason);
  }

  /** The connection broke: fail everything in flight and tell the owner once. */
  private fail(reason: OpenFlowError): void {
    if (this.closed) return;
    this.closed = true;
    this.helloReject?.(new OpenFlowError('OF_HANDSHAKE_FAILED', `Connection lost during the handshake: ${reason.message}`, { cause: reason }));
    this.failAll(reason);
    this.socket.destroy();
    this.handlers.onClose(reason);
  }

  /** Closes by our own decision; in-flight requests fail with `reason`. onClose is not called. */
  close(reason: OpenFlowError): void {
    if (this.closed) return;
    this.closed = true;
    this.helloReject?.(reason);
    this.failAll(reason);
    this.socket.end();
    this.socket.destroy();
  }
}
