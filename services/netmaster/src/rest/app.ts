/**
 * The REST API (fastify): Contiv's routes, wire format and error behaviour
 * (docs/rest-api.md). Built here, served by server.ts on the shared port.
 */
import { randomUUID } from 'node:crypto';
import type { Logger, Secret } from '@contiv/runtime';
import Fastify, { type FastifyInstance, type RouteOptions } from 'fastify';
import type { Services } from '../core/services';
import type { Gate } from '../gate';
import { registerTokenAuth } from './auth';
import { acceptAnyBody, BODY_LIMIT_BYTES } from './body';
import { clientErrorHandler, frameworkErrorHandler, refuseConnect } from './client-error';
import { registerCollection } from './collection';
import { mapError, sendError } from './error-map';
import { countRestRequests, registerMetricsRoute } from './metrics-route';
import { registerOpenApi, registerOpenApiRoute } from './openapi';
import { appProfileCollection } from './routes/app-profile';
import { registerEndpointRoutes } from './routes/endpoint';
import { endpointGroupCollection } from './routes/endpoint-group';
import { extContractsGroupCollection } from './routes/ext-contracts-group';
import { globalCollection } from './routes/global';
import { netProfileCollection } from './routes/net-profile';
import { networkCollection } from './routes/network';
import { policyCollection } from './routes/policy';
import { registerPolicyTraceRoutes } from './routes/policy-trace';
import { ruleCollection } from './routes/rule';
import { serviceLbCollection } from './routes/service-lb';
import { tenantCollection } from './routes/tenant';
import { registerVersionRoutes } from './routes/version';

export interface RestAppOptions {
  readonly services: Services;
  readonly gate: Gate;
  readonly log: Logger;
  readonly advertiseAddress: string;
  /** Set: every request but GET /version and /info must carry it (rest/auth.ts). */
  readonly authToken?: Secret;
  /** Told of every route as it is added (fastify's onRoute hook): how tests list what is served. */
  readonly onRoute?: (route: RouteOptions) => void;
}

const REQUEST_ID_RE = /^[A-Za-z0-9._:-]{1,128}$/;

export async function buildRestApp(opts: RestAppOptions): Promise<FastifyInstance> {
  const { services, gate, log } = opts;
  const app = Fastify({
    logger: false,
    bodyLimit: BODY_LIMIT_BYTES,
    // Contiv's paths end in "/"; accept both forms. Keys are up to 64+1+64 characters.
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 512 },
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && REQUEST_ID_RE.test(given) ? given : randomUUID();
    },
    // Requests refused before any route: answered in our error shape, naming what is wrong.
    clientErrorHandler: clientErrorHandler(log),
    frameworkErrors: frameworkErrorHandler(log),
  });
  const { onRoute } = opts;
  if (onRoute) app.addHook('onRoute', (route) => onRoute(route));
  // Before any route: the OpenAPI document is collected from the routes as they are added.
  await registerOpenApi(app);
  acceptAnyBody(app);
  refuseConnect(app, log);
  // First hook: a request without the token gets no further than this.
  if (opts.authToken) registerTokenAuth(app, opts.authToken, log);

  app.addHook('onSend', async (req, reply) => {
    reply.header('x-request-id', req.id);
  });
  app.addHook('onResponse', async (req, reply) => {
    const meta = { requestId: req.id, method: req.method, url: req.url, status: reply.statusCode, ms: Math.round(reply.elapsedTime) };
    if (req.method === 'GET') log.debug('Served REST request', meta);
    else log.info('Served REST request', meta);
  });
  countRestRequests(app);
  app.setErrorHandler((err, req, reply) => {
    const mapped = mapError(err);
    const meta = { requestId: req.id, method: req.method, url: req.url, status: mapped.status, code: mapped.code, message: mapped.message };
    if (mapped.status >= 500) log.error('REST request failed', { ...meta, err });
    else log.info('Refused REST request', meta);
    return sendError(req, reply, mapped);
  });
  app.setNotFoundHandler((req, reply) => sendError(req, reply, { status: 404, code: 'NOT_FOUND', message: `404 page not found: no route ${req.method} ${req.url}` }, true));

  const collections = [
    tenantCollection(services),
    networkCollection(services),
    endpointGroupCollection(services),
    policyCollection(services),
    ruleCollection(services),
    netProfileCollection(services),
    appProfileCollection(services),
    extContractsGroupCollection(services),
    serviceLbCollection(services),
    globalCollection(services),
  ];
  for (const c of collections) {
    registerCollection(app, c, gate, log);
  }
  registerEndpointRoutes(app, services, gate, log);
  registerPolicyTraceRoutes(app, services, gate, log);
  registerVersionRoutes(app, gate, opts.advertiseAddress);
  registerMetricsRoute(app);
  registerOpenApiRoute(app);
  return app;
}
