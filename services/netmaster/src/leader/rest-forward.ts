/**
 * REST on a follower (docs/architecture.md, "Several netmasters"): every
 * request is relayed byte for byte to the leader named by the leader lock and
 * the leader's answer streamed back, so netctl pointed at any netmaster sees
 * one consistent API (a read through a follower sees a write made through the
 * leader a moment before). What a follower answers itself:
 *
 * - `GET /info`: this netmaster's own view (local-ip, leader-ip, current-state);
 *   `GET /metrics`: its own metrics; `GET /api/v1/openapi.json`;
 * - reads while the leader cannot be reached (or nobody leads): from its own
 *   store copy, which follows the store's watch;
 * - writes while nobody leads, or the leader cannot be reached: 503 NOT_LEADER
 *   with Retry-After, which netctl retries for a few seconds; nothing was sent,
 *   so nothing was done;
 * - a relayed request whose connection broke after it was sent: 502, as its
 *   outcome is unknown (never retried automatically).
 *
 * A relayed request carries `x-contiv-forwarded-by`; a netmaster receiving one
 * never relays it again (no loops while two views of the lock disagree).
 */
import http from 'node:http';
import https from 'node:https';
import type { Logger } from '@contiv/runtime';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Gate } from '../gate';
import { sendError } from '../rest/error-map';

export const FORWARDED_BY_HEADER = 'x-contiv-forwarded-by';
/** Seconds a client should wait before retrying a 503 (failover, starting). */
export const RETRY_AFTER_SECONDS = 1;

/** Paths a follower always answers itself: its own state and metrics, and the API document (the same everywhere). */
const LOCAL_PATHS = new Set(['/info', '/info/', '/metrics', '/metrics/', '/api/v1/openapi.json']);

/** Hop-by-hop headers (RFC 9110 7.6.1): never relayed. */
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'te', 'trailer', 'upgrade', 'proxy-authorization', 'proxy-authenticate']);

export interface RestForwardingOptions {
  readonly gate: Gate;
  readonly log: Logger;
  /** How to reach the leader's REST API: plain HTTP by default; with REST TLS, https and what verifies the leader. */
  readonly tls?: { readonly ca?: string | Buffer; readonly rejectUnauthorized?: boolean };
  /** Give up connecting to the leader after this long (then: 503 / a local read). */
  readonly connectTimeoutMs?: number;
}

type Outcome =
  | { readonly kind: 'relayed' }
  /** Nothing reached the leader: safe to answer locally or to retry. */
  | { readonly kind: 'unreachable'; readonly reason: string }
  /** The request went out, the answer did not come back. */
  | { readonly kind: 'broken'; readonly reason: string };

export function installRestForwarding(app: FastifyInstance, opts: RestForwardingOptions): void {
  const { gate, log } = opts;
  const connectTimeoutMs = opts.connectTimeoutMs ?? 2_000;

  // Every 503 (failover, starting, store unavailable) says when to come back.
  app.addHook('onSend', async (_req, reply) => {
    if (reply.statusCode === 503 && !reply.hasHeader('retry-after')) reply.header('retry-after', String(RETRY_AFTER_SECONDS));
  });

  app.addHook('onRequest', async (req, reply) => {
    if (gate.canWrite || !gate.canRead) return;
    if (req.headers[FORWARDED_BY_HEADER] !== undefined) return;
    const path = (req.raw.url ?? '/').split('?')[0] ?? '/';
    if (LOCAL_PATHS.has(path)) return;
    const leader = gate.leaderAddress;
    const isRead = req.method === 'GET' || req.method === 'HEAD';
    // Nobody leads, or the lock still names us from a previous run: reads from the
    // store copy, writes refused by the gate (503 NOT_LEADER) in the route itself.
    if (!leader || leader === gate.selfAddress) return;

    const started = performance.now();
    const outcome = await relay(req, reply, leader);
    const meta = { requestId: req.id, method: req.method, url: req.url, leader, ms: Math.round(performance.now() - started) };
    switch (outcome.kind) {
      case 'relayed':
        log.debug('Forwarded REST request to the leader', meta);
        return reply;
      case 'unreachable':
        if (isRead) {
          log.info('Leader unreachable; serving a read from this netmaster\'s store copy', { ...meta, reason: outcome.reason });
          return;
        }
        log.info('Leader unreachable; refused a write', { ...meta, reason: outcome.reason });
        return sendError(req, reply, {
          status: 503,
          code: 'NOT_LEADER',
          message: `the leader netmaster ${leader} does not answer (${outcome.reason}); a new leader takes over once its lock expires: retry in a moment (nothing was changed)`,
        });
      case 'broken':
        log.warn('Forwarded REST request lost its answer', { ...meta, reason: outcome.reason });
        return sendError(req, reply, {
          status: 502,
          code: 'LEADER_FAILED',
          message: `the leader netmaster ${leader} failed while handling the request (${outcome.reason}); it may or may not have been applied: check, then retry`,
        });
    }
  });

  const relay = (req: FastifyRequest, reply: FastifyReply, leader: string): Promise<Outcome> =>
    new Promise<Outcome>((resolve) => {
      let host: string;
      let port: number;
      try {
        ({ host, port } = splitAddress(leader));
      } catch (err) {
        resolve({ kind: 'unreachable', reason: (err as Error).message });
        return;
      }
      const headers: http.OutgoingHttpHeaders = {};
      for (const [name, value] of Object.entries(req.headers)) if (value !== undefined && !HOP_BY_HOP.has(name)) headers[name] = value;
      headers['host'] = leader;
      headers['x-request-id'] = req.id;
      headers[FORWARDED_BY_HEADER] = gate.selfAddress || 'follower';
      const xff = req.headers['x-forwarded-for'];
      headers['x-forwarded-for'] = xff ? `${String(xff)}, ${req.ip}` : req.ip;
      headers['connection'] = 'close';

      const base = { host, port, method: req.method, path: req.raw.url ?? '/', headers, agent: false as const };
      const upstream = opts.tls ? https.request({ ...base, ...opts.tls }) : http.request(base);
      let connected = false;
      let settled = false;
      const finish = (o: Outcome): void => {
        if (settled) return;
        settled = true;
        clearTimeout(connectTimer);
        resolve(o);
      };
      const connectTimer = setTimeout(() => {
        if (!connected) upstream.destroy(new Error(`no connection within ${connectTimeoutMs} ms`));
      }, connectTimeoutMs);
      upstream.on('socket', (socket) => {
        const onConnect = (): void => {
          connected = true;
        };
        socket.once(opts.tls ? 'secureConnect' : 'connect', onConnect);
      });
      upstream.on('response', (res) => {
        reply.hijack();
        const out: http.OutgoingHttpHeaders = {};
        for (const [name, value] of Object.entries(res.headers)) if (value !== undefined && !HOP_BY_HOP.has(name)) out[name] = value;
        reply.raw.writeHead(res.statusCode ?? 502, res.statusMessage, out);
        res.pipe(reply.raw);
        res.on('error', () => reply.raw.destroy());
        finish({ kind: 'relayed' });
      });
      upstream.on('error', (err: NodeJS.ErrnoException) => {
        const reason = err.code ?? err.message;
        finish(connected ? { kind: 'broken', reason } : { kind: 'unreachable', reason });
      });
      // The client gave up: so does the relay (the leader sees a closed connection).
      req.raw.once('close', () => {
        if (!settled && !req.raw.complete) upstream.destroy();
      });
      reply.raw.once('close', () => {
        if (!settled) upstream.destroy();
      });
      req.raw.pipe(upstream);
    });
}

/** `host:port` or `[v6]:port`. */
export function splitAddress(address: string): { host: string; port: number } {
  const m = /^\[([^\]]+)\]:(\d+)$/.exec(address) ?? /^([^:]+):(\d+)$/.exec(address);
  if (!m) throw new Error(`the leader lock holds "${address}", which is not host:port`);
  return { host: m[1] as string, port: Number(m[2]) };
}
