/**
 * `GET /metrics` (Prometheus text format, docs/metrics.md) and the hook that
 * counts every REST answer by route pattern, method and status.
 */
import { METRICS_CONTENT_TYPE } from '@contiv/runtime/metrics';
import type { FastifyInstance } from 'fastify';
import { observeRestRequest, registry } from '../metrics';

export const METRICS_PATH = '/metrics';

export function registerMetricsRoute(app: FastifyInstance): void {
  app.get(
    METRICS_PATH,
    { config: { openapi: { summary: 'Prometheus metrics of this netmaster (docs/metrics.md)', content: { type: 'text/plain', schema: { type: 'string' } } } } },
    async (_req, reply) => reply.type(METRICS_CONTENT_TYPE).send(await registry.metrics()),
  );
}

/** Counts each answer (onResponse: after it was sent, with its final status). */
export function countRestRequests(app: FastifyInstance): void {
  app.addHook('onResponse', async (req, reply) => {
    observeRestRequest(req.routeOptions.url, req.method, reply.statusCode, reply.elapsedTime / 1000);
  });
}
