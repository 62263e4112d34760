/**
 * The OpenAPI 3 document of the REST API (docs/openapi.md), served at
 * `GET /api/v1/openapi.json`. @fastify/swagger collects every route as it is
 * registered (fastify's onRoute hook), so a new route is in the document
 * without anything done here; `describeRoute` below fills in what a route does
 * not say itself: path parameters (from the `:name`s of its URL), a summary,
 * a tag, an operation id and the error answer. A route adds more through its
 * `config.openapi` (a request body schema, query parameters, a summary); the
 * collections pass their object's TypeBox schema as the body of POST and PUT.
 * Documentation only: nothing here validates a request (the routes and the
 * model do, with Contiv's messages).
 */
import swagger from '@fastify/swagger';
import { buildInfo } from '@contiv/runtime';
import type { FastifyInstance, RouteOptions } from 'fastify';

export const OPENAPI_PATH = '/api/v1/openapi.json';

/** What a route may add to its entry (`config: { openapi: ... }`). */
export interface RouteDoc {
  readonly summary?: string;
  readonly description?: string;
  /** JSON schema of the request body (POST, PUT). */
  readonly body?: object;
  /** Query parameters: a JSON schema object whose properties are the parameters. */
  readonly querystring?: object;
  /** A 200 answer other than JSON: its content type and schema. */
  readonly content?: { readonly type: string; readonly schema: object };
}

declare module 'fastify' {
  interface FastifyContextConfig {
    openapi?: RouteDoc;
  }
}

/** Every failure's body (error-map.ts). */
const ERROR_BODY = {
  type: 'object',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message'],
      properties: {
        code: { type: 'string', description: 'stable error code (docs/errors.md), e.g. NOT_FOUND, INVALID_ARGUMENT, NOT_LEADER' },
        message: { type: 'string', description: 'one line for a person' },
      },
    },
  },
} as const;

const PARAM_RE = /:([A-Za-z_][A-Za-z0-9_]*)/g;

const words = (url: string): string[] =>
  url
    .split('/')
    .filter((s) => s !== '' && s !== 'api' && s !== 'v1')
    .map((s) => (s.startsWith(':') ? `By ${s.slice(1)}` : s))
    .flatMap((s) => s.split(/[^A-Za-z0-9]+/))
    .filter(Boolean);

/** `GET /api/v1/networks/:key/` -> `getNetworksByKey`: unique per method and route. */
export function operationIdOf(method: string, url: string): string {
  return [method.toLowerCase(), ...words(url).map((w) => w[0]!.toUpperCase() + w.slice(1))].join('');
}

/** The collection a route belongs to (`networks`), else `netmaster` for /version, /info, /metrics and this document. */
export function tagOf(url: string): string {
  const m = /^\/api\/v1\/(?:inspect\/)?([A-Za-z]+)\//.exec(url);
  return m?.[1] ?? 'netmaster';
}

function defaultSummary(method: string, url: string): string {
  const m = /^\/api\/v1\/(inspect\/)?([A-Za-z]+)\/(:key\/)?$/.exec(url);
  if (!m) return `${method} ${url}`;
  const [, inspect, plural, key] = m;
  if (inspect) return `Inspect one of ${plural}: its configuration and operational state`;
  if (!key) return method === 'GET' ? `List ${plural}` : `${method} ${url}`;
  switch (method) {
    case 'GET':
      return `Get one of ${plural}`;
    case 'POST':
    case 'PUT':
      return `Create or update one of ${plural} (Contiv: POST and PUT alike)`;
    case 'DELETE':
      return `Delete one of ${plural}; answers the key as a JSON string`;
    default:
      return `${method} ${url}`;
  }
}

interface TransformInput {
  readonly schema: object | undefined;
  readonly url: string;
  readonly route: RouteOptions;
}

/** The documented form of one route (@fastify/swagger's `transform`). */
export function describeRoute({ schema, url, route }: TransformInput): { schema: Record<string, unknown>; url: string } {
  const method = (Array.isArray(route.method) ? String(route.method[0]) : String(route.method)).toUpperCase();
  const doc: RouteDoc = route.config?.openapi ?? {};
  const params = [...url.matchAll(PARAM_RE)].map((m) => m[1] as string);
  const ok = doc.content
    ? { description: 'OK', content: { [doc.content.type]: { schema: doc.content.schema } } }
    : { description: 'OK: a JSON answer', type: 'object', additionalProperties: true };
  const out: Record<string, unknown> = {
    ...(schema ?? {}),
    operationId: operationIdOf(method, url),
    tags: [tagOf(url)],
    summary: doc.summary ?? defaultSummary(method, url),
    ...(doc.description ? { description: doc.description } : {}),
    response: {
      200: ok,
      '4XX': { description: 'refused: the request is wrong, unauthorized, or names something missing (docs/errors.md)', ...ERROR_BODY },
      '5XX': { description: 'failed: internal error, or 503 while no netmaster leads or the store is away (Retry-After)', ...ERROR_BODY },
    },
  };
  if (params.length > 0) {
    out['params'] = {
      type: 'object',
      required: params,
      properties: Object.fromEntries(params.map((p) => [p, { type: 'string', description: p === 'key' ? 'the object key: tenant:name (global: global; endpoints: the endpoint id)' : p }])),
    };
  }
  if (doc.querystring) out['querystring'] = doc.querystring;
  if (method === 'POST' || method === 'PUT' || method === 'PATCH') out['body'] = doc.body ?? { type: 'object', additionalProperties: true };
  return { schema: out, url };
}

/**
 * Registers the document's collector; await it before adding any route (a
 * route added while the plugin is still queued is not seen). Its own route is
 * added by registerOpenApiRoute.
 */
export async function registerOpenApi(app: FastifyInstance): Promise<void> {
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Contiv netmaster REST API',
        version: buildInfo().version,
        description: 'Contiv-compatible REST API of netmaster (docs/rest-api.md). Generated from the routes this netmaster serves.',
      },
    },
    transform: describeRoute as never,
  });
}

export function registerOpenApiRoute(app: FastifyInstance): void {
  app.get(OPENAPI_PATH, { config: { openapi: { summary: 'This OpenAPI 3 document' } } }, async () => app.swagger());
}
