/**
 * The one place errors become HTTP responses (docs/rest-api.md).
 *
 * Modern clients get a proper status (400 bad input, 404 not found, 409
 * conflict / in use / exhausted, 503 not ready or store unavailable, 500 bug)
 * and `{"error": {"code", "message"}}`. Contiv's Go REST client (netctl 1.x,
 * User-Agent `Go-http-client/...`) only shows a body when the status is 500,
 * so it gets exactly what Contiv's netmaster sent: 500 with the plain-text
 * message and a newline.
 */
import { isModelError } from '@contiv/model';
import { shortenMessage } from '@contiv/rpc';
import { isStoreError } from '@contiv/store';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { isNetmasterError, type NetmasterErrorCode } from '../errors';

export interface MappedError {
  readonly status: number;
  readonly code: string;
  readonly message: string;
}

const STATUS: Record<NetmasterErrorCode, number> = {
  INVALID_ARGUMENT: 400,
  MALFORMED_JSON: 400,
  NOT_FOUND: 404,
  ALREADY_EXISTS: 409,
  IMMUTABLE: 409,
  IN_USE: 409,
  SUBNET_OVERLAP: 409,
  ADDRESS_IN_USE: 409,
  IPAM_POOL_EXHAUSTED: 409,
  TAG_POOL_EXHAUSTED: 409,
  NOT_LEADER: 503,
  INTERNAL: 500,
};

export function mapError(err: unknown): MappedError {
  const m = mapErrorUnshortened(err);
  return m.message.length < 100 ? m : { ...m, message: shortenMessage(m.message) };
}

function mapErrorUnshortened(err: unknown): MappedError {
  if (isNetmasterError(err)) return { status: STATUS[err.code], code: err.code, message: err.message };
  if (isModelError(err, 'MODEL_INVALID')) return { status: 400, code: 'INVALID_ARGUMENT', message: err.message };
  if (isModelError(err)) return { status: 500, code: 'INTERNAL', message: err.message };
  if (isStoreError(err)) {
    const unavailable = err.code === 'STORE_UNAVAILABLE' || err.code === 'STORE_CLOSED';
    return { status: unavailable ? 503 : 500, code: unavailable ? 'STORE_UNAVAILABLE' : 'INTERNAL', message: `cluster store: ${err.message}` };
  }
  const fst = err as { statusCode?: unknown; code?: unknown; message?: unknown };
  if (typeof fst.statusCode === 'number' && fst.statusCode >= 400 && fst.statusCode < 500) {
    return { status: fst.statusCode, code: fst.statusCode === 413 ? 'BODY_TOO_LARGE' : 'BAD_REQUEST', message: String(fst.message) };
  }
  return { status: 500, code: 'INTERNAL', message: `internal error: ${err instanceof Error ? err.message : String(err)}` };
}

/** Contiv's generated Go client (and netctl 1.x built on it). */
export function isContivGoClient(req: FastifyRequest): boolean {
  return /^Go-http-client\//.test(req.headers['user-agent'] ?? '');
}

/**
 * Sends `e`. For the Go client every failure is a 500 with the message (a
 * missing object too: it treats 404 on DELETE as success), except an unknown
 * route, which is a 404 as with Contiv's router.
 */
export function sendError(req: FastifyRequest, reply: FastifyReply, mapped: MappedError, unknownRoute = false): FastifyReply {
  // Also for what did not come through mapError (the unknown-route answer echoes the URL).
  const e = mapped.message.length < 100 ? mapped : { ...mapped, message: shortenMessage(mapped.message) };
  if (isContivGoClient(req)) {
    return reply
      .code(unknownRoute ? 404 : 500)
      .type('text/plain; charset=utf-8')
      .send(`${e.message}\n`);
  }
  return reply.code(e.status).send({ error: { code: e.code, message: e.message } });
}
