import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import SwaggerParser from '@apidevtools/swagger-parser';
import { noopLogger } from '@contiv/runtime';
import type { FastifyInstance, RouteOptions } from 'fastify';
import { startFixture, type Fixture } from '../testing/fixture';
import { buildRestApp } from './app';
import { describeRoute, operationIdOf, OPENAPI_PATH, tagOf } from './openapi';

interface Doc {
  openapi: string;
  paths: Record<string, Record<string, { operationId?: string; parameters?: Array<{ name: string; in: string }>; requestBody?: { content?: Record<string, { schema?: { properties?: Record<string, unknown> } }> } }>>;
}

const HTTP_METHODS = new Set(['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace']);

/** `/api/v1/networks/:key/` as OpenAPI writes it. */
const openapiPath = (url: string): string => url.replace(/:([A-Za-z_][A-Za-z0-9_]*)/g, '{$1}');

void describe('OpenAPI document', () => {
  let f: Fixture;
  let app: FastifyInstance;
  const served = new Set<string>();
  let doc: Doc;

  before(async () => {
    f = await startFixture();
    // The same app netmaster serves, with every route it adds recorded as fastify adds it.
    app = await buildRestApp({
      services: f.nm.services,
      gate: f.nm.gate,
      log: noopLogger,
      advertiseAddress: '127.0.0.1:0',
      onRoute: (route: RouteOptions) => {
        const methods = Array.isArray(route.method) ? route.method : [route.method];
        // fastify adds a HEAD route for every GET itself (exposeHeadRoutes): documented by the GET.
        for (const m of methods) if (m !== 'HEAD') served.add(`${String(m)} ${openapiPath(route.url)}`);
      },
    });
    await app.ready();
    const res = await app.inject({ method: 'GET', url: OPENAPI_PATH });
    assert.equal(res.statusCode, 200, res.body);
    doc = res.json<Doc>();
  });
  after(async () => {
    await app.close();
    await f.close();
  });

  void it('is a valid OpenAPI 3.1 document', async () => {
    assert.equal(doc.openapi, '3.1.0');
    // The validator dereferences in place: give it a copy.
    await SwaggerParser.validate(structuredClone(doc) as never);
  });

  void it('documents exactly the routes served: none missing, none extra', () => {
    const documented = new Set<string>();
    for (const [path, ops] of Object.entries(doc.paths)) {
      for (const m of Object.keys(ops)) if (HTTP_METHODS.has(m)) documented.add(`${m.toUpperCase()} ${path}`);
    }
    assert.ok(served.size > 40, `only ${served.size} routes seen`);
    assert.deepEqual([...served].filter((r) => !documented.has(r)).sort(), [], 'served but not documented');
    assert.deepEqual([...documented].filter((r) => !served.has(r)).sort(), [], 'documented but not served');
    for (const r of ['GET /metrics', `GET ${OPENAPI_PATH}`, 'POST /api/v1/networks/{key}/', 'GET /api/v1/inspect/policyTrace/']) assert.ok(documented.has(r), r);
  });

  void it('every documented operation is answered by the running netmaster (no 404 "no route")', async () => {
    for (const [path, ops] of Object.entries(doc.paths)) {
      for (const m of Object.keys(ops)) {
        if (!HTTP_METHODS.has(m) || m !== 'get') continue;
        const url = path.replace(/\{[^}]+\}/g, 'nosuch:thing');
        const r = await f.request('GET', url);
        assert.ok(!/no route/.test(r.text), `${m} ${url}: ${r.status} ${r.text}`);
      }
    }
  });

  void it('names path parameters, gives unique operation ids, and the object schema as the body of a create', () => {
    const ids = new Set<string>();
    for (const [path, ops] of Object.entries(doc.paths)) {
      for (const [m, op] of Object.entries(ops)) {
        if (!HTTP_METHODS.has(m)) continue;
        assert.ok(op.operationId && !ids.has(op.operationId), `${m} ${path}: operationId ${op.operationId}`);
        ids.add(op.operationId);
        for (const name of [...path.matchAll(/\{([^}]+)\}/g)].map((x) => x[1])) {
          assert.ok(op.parameters?.some((p) => p.in === 'path' && p.name === name), `${m} ${path} lacks path parameter ${name}`);
        }
      }
    }
    const create = doc.paths['/api/v1/networks/{key}/']?.['post'];
    const props = create?.requestBody?.content?.['application/json']?.schema?.properties ?? {};
    assert.ok('subnet' in props && 'networkName' in props, JSON.stringify(create));
  });

  void it('derives ids, tags and summaries from the route', () => {
    assert.equal(operationIdOf('GET', '/api/v1/networks/:key/'), 'getNetworksByKey');
    assert.equal(operationIdOf('GET', '/api/v1/openapi.json'), 'getOpenapiJson');
    assert.equal(tagOf('/api/v1/inspect/networks/:key/'), 'networks');
    assert.equal(tagOf('/metrics'), 'netmaster');
    const d = describeRoute({ schema: undefined, url: '/api/v1/serviceLBs/:key/', route: { method: 'DELETE', url: '/api/v1/serviceLBs/:key/', handler: () => undefined } });
    assert.match(String(d.schema['summary']), /Delete one of serviceLBs/);
    assert.deepEqual((d.schema['params'] as { required: string[] }).required, ['key']);
  });
});
