/**
 * Token authentication of the REST API (docs/security.md). With a token set,
 * every request must carry it, as Contiv's auth_proxy clients sent it
 * (`x-auth-token: T`) or as most HTTP clients do (`Authorization: Bearer T`);
 * anything else is a 401 and the request goes no further (no body parsed, no
 * handler run). GET /version and GET /info stay open: they hold no state, and
 * health checks and `netctl version` use them before anyone has a token; so do
 * GET /metrics and GET /api/v1/openapi.json (OPEN_ROUTES).
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { Logger, Secret } from '@contiv/runtime';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { sendError } from './error-map';

export const AUTH_TOKEN_HEADER = 'x-auth-token';

/**
 * Routes (as registered) anyone may GET. /metrics and the OpenAPI document
 * hold no object, name or address (counts by route pattern; the API's shape),
 * and Prometheus scrapers and API tools fetch them without a token
 * (docs/metrics.md, docs/openapi.md).
 */
export const OPEN_ROUTES: ReadonlySet<string> = new Set(['/version', '/info', '/metrics', '/api/v1/openapi.json']);

/** The token a request carries: x-auth-token first, else an `Authorization: Bearer` one. */
export function presentedToken(headers: FastifyRequest['headers']): string | undefined {
  const x = headers[AUTH_TOKEN_HEADER];
  if (typeof x === 'string' && x !== '') return x.trim();
  const auth = headers.authorization;
  const m = typeof auth === 'string' ? /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(auth) : null;
  return m?.[1];
}

const digest = (s: string): Buffer => createHash('sha256').update(s, 'utf8').digest();

/**
 * Constant time in the content: both sides are hashed first, so neither the
 * position of the first difference nor the length of the token shows in the
 * time taken.
 */
export function tokenMatches(expected: Secret, presented: string): boolean {
  return timingSafeEqual(digest(expected.reveal()), digest(presented));
}

export function isOpenRoute(req: FastifyRequest): boolean {
  const url = req.routeOptions.url;
  return (req.method === 'GET' || req.method === 'HEAD') && url !== undefined && OPEN_ROUTES.has(url);
}

/** Adds the check as the first onRequest hook of `app`. */
export function registerTokenAuth(app: FastifyInstance, token: Secret, log: Logger): void {
  app.addHook('onRequest', async (req, reply) => {
    if (isOpenRoute(req)) return;
    const presented = presentedToken(req.headers);
    if (presented !== undefined && tokenMatches(token, presented)) return;
    const reason = presented === undefined ? 'no token' : 'wrong token';
    // Never the token itself: a wrong one may be a real token of another system.
    log.warn('Refused a REST request without a valid token', { requestId: req.id, method: req.method, url: req.url, remote: req.ip, reason });
    reply.header('www-authenticate', 'Bearer realm="netmaster"');
    const message =
      presented === undefined
        ? `unauthorized: this netmaster requires a token (header ${AUTH_TOKEN_HEADER} or Authorization: Bearer; netctl --token or NETCTL_TOKEN)`
        : 'unauthorized: the token is not valid';
    return sendError(req, reply, { status: 401, code: 'UNAUTHORIZED', message });
  });
}
