/**
 * Forwards a query the agent cannot answer to the host's resolvers and hands
 * back their answer. One UDP socket per address family, bound to an ephemeral
 * port of the agent's (host) namespace: these queries never enter the bridge,
 * so they cannot be punted back to the agent. Each forward gets a fresh
 * random message id (the container's id is put back on the answer), and an
 * answer counts only if it comes from an upstream it was sent to, with that
 * id and the same question.
 *
 * Upstreams are tried in turn, ATTEMPT_TIMEOUT_MS each, for at most
 * MAX_ATTEMPTS attempts (a single upstream is asked twice), so a failure is
 * known within 3 s: before Docker's embedded DNS (4 s) gives up on the agent.
 * At most `maxInFlight` forwards wait at once; more fail at once ('busy').
 */
import { randomInt } from 'node:crypto';
import dgram from 'node:dgram';
import net from 'node:net';
import type { Logger } from '@contiv/runtime';
import { errorMessage } from '../errors';
import type { DnsQuery } from './dns-message';
import { answersQuestion, clampEdnsPayloadSize } from './dns-message';
import type { Upstream } from './upstreams';
import { upstreamText } from './upstreams';

export const ATTEMPT_TIMEOUT_MS = 1_000;
export const MAX_ATTEMPTS = 3;
export const DEFAULT_MAX_IN_FLIGHT = 256;

export type ForwardOutcome =
  | { readonly kind: 'answer'; readonly message: Buffer; readonly upstream: Upstream }
  | { readonly kind: 'failed'; readonly reason: 'busy' | 'no-upstream' | 'timeout' };

export interface DnsForwarderOptions {
  /** The servers to ask, in order (read on every forward: resolv.conf may change). */
  readonly upstreams: () => readonly Upstream[];
  readonly log: Logger;
  readonly attemptTimeoutMs?: number;
  readonly maxAttempts?: number;
  readonly maxInFlight?: number;
  /** A random 16-bit message id (a seam for tests). */
  readonly randomId?: () => number;
}

export interface ForwarderCounters {
  readonly sent: number;
  readonly answers: number;
  readonly timeouts: number;
  readonly busy: number;
  /** Datagrams that matched no forward (late, spoofed, or not an answer to its question). */
  readonly stray: number;
  readonly sendErrors: number;
}

interface Pending {
  readonly originalId: number;
  readonly question: Buffer;
  readonly message: Buffer;
  readonly upstreams: readonly Upstream[];
  readonly tried: Set<string>;
  attempt: number;
  timer: NodeJS.Timeout | undefined;
  readonly resolve: (o: ForwardOutcome) => void;
}

const key = (address: string, port: number): string => `${address.replace(/^::ffff:(?=\d+\.)/, '')}|${port}`;

export class DnsForwarder {
  private readonly pending = new Map<number, Pending>();
  private readonly sockets = new Map<4 | 6, dgram.Socket>();
  private readonly counts = { sent: 0, answers: 0, timeouts: 0, busy: 0, stray: 0, sendErrors: 0 };
  private closed = false;
  private readonly attemptTimeoutMs: number;
  private readonly maxAttempts: number;
  private readonly maxInFlight: number;
  private readonly randomId: () => number;

  constructor(private readonly o: DnsForwarderOptions) {
    this.attemptTimeoutMs = o.attemptTimeoutMs ?? ATTEMPT_TIMEOUT_MS;
    this.maxAttempts = o.maxAttempts ?? MAX_ATTEMPTS;
    this.maxInFlight = o.maxInFlight ?? DEFAULT_MAX_IN_FLIGHT;
    // A cryptographic id: with the random source port it is what an off-path spoofer must guess.
    this.randomId = o.randomId ?? (() => randomInt(0x10000));
  }

  get counters(): ForwarderCounters {
    return { ...this.counts };
  }

  get inFlight(): number {
    return this.pending.size;
  }

  /**
   * Whether a punted query is one of this forwarder's own, come back: sent
   * from one of its sockets' ports with the id of a waiting forward. That
   * happens only if the agent's own traffic goes through a Contiv gateway
   * (an agent run inside a container of a Contiv network); the caller drops it.
   */
  isOwnQuery(srcPort: number, id: number): boolean {
    if (!this.pending.has(id)) return false;
    for (const s of this.sockets.values()) {
      try {
        if (s.address().port === srcPort) return true;
      } catch {
        // not bound yet
      }
    }
    return false;
  }

  /** Forwards `message` (a parsed standard query, `query`); resolves with the upstream's answer, its id the container's, or why there is none. Never rejects. */
  forward(message: Buffer, query: DnsQuery): Promise<ForwardOutcome> {
    const upstreams = this.o.upstreams();
    if (this.closed || upstreams.length === 0) return Promise.resolve({ kind: 'failed', reason: 'no-upstream' });
    if (this.pending.size >= this.maxInFlight) {
      this.counts.busy++;
      return Promise.resolve({ kind: 'failed', reason: 'busy' });
    }
    const id = this.freeId();
    const out = clampEdnsPayloadSize(message, query.question.length);
    const copy = out === message ? Buffer.from(message) : out;
    copy.writeUInt16BE(id, 0);
    return new Promise((resolve) => {
      const p: Pending = { originalId: query.id, question: query.question, message: copy, upstreams, tried: new Set(), attempt: 0, timer: undefined, resolve };
      this.pending.set(id, p);
      this.send(id, p);
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const [id, p] of this.pending) this.finish(id, p, { kind: 'failed', reason: 'timeout' });
    await Promise.all([...this.sockets.values()].map((s) => new Promise<void>((r) => s.close(() => r()))));
    this.sockets.clear();
  }

  private freeId(): number {
    for (;;) {
      const id = this.randomId() & 0xffff;
      if (!this.pending.has(id)) return id;
    }
  }

  private socket(family: 4 | 6): dgram.Socket {
    let s = this.sockets.get(family);
    if (s === undefined) {
      s = dgram.createSocket(family === 4 ? 'udp4' : 'udp6');
      s.on('message', (msg, rinfo) => this.received(msg, rinfo));
      s.on('error', (err) => this.o.log.debug('DNS forwarding socket error', { family, err: errorMessage(err) }));
      s.unref();
      this.sockets.set(family, s);
    }
    return s;
  }

  /** Sends attempt `p.attempt` (upstreams in turn) and arms its timer. */
  private send(id: number, p: Pending): void {
    const u = p.upstreams[p.attempt % p.upstreams.length] as Upstream;
    p.tried.add(key(u.address, u.port));
    this.counts.sent++;
    p.timer = setTimeout(() => this.timedOut(id, p), this.attemptTimeoutMs);
    this.socket(net.isIPv6(u.address) ? 6 : 4).send(p.message, u.port, u.address, (err) => {
      if (!err) return;
      // Unreachable upstream (no route): try the next one now rather than after the timeout.
      this.counts.sendErrors++;
      this.o.log.debug('Forwarding a DNS query failed', { upstream: upstreamText(u), err: errorMessage(err) });
      if (this.pending.get(id) === p) {
        clearTimeout(p.timer);
        this.timedOut(id, p);
      }
    });
  }

  private timedOut(id: number, p: Pending): void {
    if (this.pending.get(id) !== p) return;
    p.attempt++;
    const attempts = Math.min(this.maxAttempts, Math.max(2, p.upstreams.length));
    if (p.attempt >= attempts || this.closed) {
      this.counts.timeouts++;
      this.finish(id, p, { kind: 'failed', reason: 'timeout' });
      return;
    }
    this.send(id, p);
  }

  private received(msg: Buffer, rinfo: dgram.RemoteInfo): void {
    const p = msg.length >= 2 ? this.pending.get(msg.readUInt16BE(0)) : undefined;
    if (p === undefined || !p.tried.has(key(rinfo.address, rinfo.port)) || !answersQuestion(msg, p.question)) {
      this.counts.stray++;
      return;
    }
    const id = msg.readUInt16BE(0);
    const answer = Buffer.from(msg);
    answer.writeUInt16BE(p.originalId, 0);
    this.counts.answers++;
    const upstream = p.upstreams.find((u) => key(u.address, u.port) === key(rinfo.address, rinfo.port)) ?? { address: rinfo.address, port: rinfo.port };
    this.finish(id, p, { kind: 'answer', message: answer, upstream });
  }

  private finish(id: number, p: Pending, outcome: ForwardOutcome): void {
    clearTimeout(p.timer);
    this.pending.delete(id);
    p.resolve(outcome);
  }
}
