/**
 * Contiv's routes for one collection (`/api/v1/<plural>/...`, trailing slash
 * optional): list, get, create-or-update (POST and PUT), delete, inspect.
 */
import type { WireObject } from '@contiv/model';
import type { Logger } from '@contiv/runtime';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Gate } from '../gate';
import { parseJsonBody } from './body';

export interface RequestContext {
  readonly requestId: string;
  readonly log: Logger;
}

export interface Collection {
  /** Contiv's generated plural: `networks`, `endpointGroups`, ... */
  readonly plural: string;
  /** The object's JSON schema (the model's TypeBox schema): the request body in the OpenAPI document (openapi.ts). */
  readonly schema?: object;
  list(): WireObject[];
  get(key: string): WireObject;
  upsert(key: string, body: unknown, ctx: RequestContext): Promise<WireObject>;
  remove(key: string, ctx: RequestContext): Promise<void>;
  inspect(key: string): { Config: WireObject; Oper?: object };
}

interface KeyParams {
  key: string;
}

export function contextOf(req: FastifyRequest, log: Logger): RequestContext {
  return { requestId: req.id, log: log.child({ requestId: req.id }) };
}

export function registerCollection(app: FastifyInstance, c: Collection, gate: Gate, log: Logger): void {
  const base = `/api/v1/${c.plural}`;
  app.get(`${base}/`, async () => {
    gate.assertReadable();
    return c.list();
  });
  app.get<{ Params: KeyParams }>(`${base}/:key/`, async (req) => {
    gate.assertReadable();
    return c.get(req.params.key);
  });
  const upsert = async (req: FastifyRequest<{ Params: KeyParams }>): Promise<WireObject> => {
    gate.assertWritable();
    return c.upsert(req.params.key, parseJsonBody(req.body), contextOf(req, log));
  };
  const docs = c.schema ? { config: { openapi: { body: c.schema } } } : {};
  app.post<{ Params: KeyParams }>(`${base}/:key/`, docs, upsert);
  app.put<{ Params: KeyParams }>(`${base}/:key/`, docs, upsert);
  app.delete<{ Params: KeyParams }>(`${base}/:key/`, async (req, reply) => {
    gate.assertWritable();
    await c.remove(req.params.key, contextOf(req, log));
    // Contiv answers a delete with the key as a JSON string.
    return reply.type('application/json; charset=utf-8').send(JSON.stringify(req.params.key));
  });
  app.get<{ Params: KeyParams }>(`/api/v1/inspect/${c.plural}/:key/`, async (req) => {
    gate.assertReadable();
    return c.inspect(req.params.key);
  });
}
