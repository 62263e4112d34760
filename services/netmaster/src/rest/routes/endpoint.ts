/** `/api/v1/inspect/endpoints/<id>/`: endpoints are inspect-only, as in Contiv. */
import type { Logger } from '@contiv/runtime';
import type { FastifyInstance } from 'fastify';
import type { Services } from '../../core/services';
import type { Gate } from '../../gate';

export function registerEndpointRoutes(app: FastifyInstance, s: Services, gate: Gate, _log: Logger): void {
  app.get<{ Params: { key: string } }>('/api/v1/inspect/endpoints/:key/', async (req) => {
    gate.assertReadable();
    return s.views.endpoint(req.params.key);
  });
}
