import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cliSuite } from '../testing/cli-suite';

const { nm, run } = cliSuite();

void test('tenant create sends Contiv\'s body, then prints its line', async () => {
  nm.on('POST', '/api/v1/tenants/blue/', { json: { key: 'blue', tenantName: 'blue' } });
  const r = await run('tenant', 'create', 'blue');
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, 'Creating tenant: blue\n');
  assert.deepEqual(nm.calls(), ['POST /api/v1/tenants/blue/']);
  assert.equal(nm.requests[0]?.body, '{"tenantName":"blue","link-sets":{}}');
});

void test('tenant create failure: exit 3, no confirmation line', async () => {
  nm.on('POST', '/api/v1/tenants/bad_name/', {
    status: 400,
    json: { error: { code: 'INVALID_ARGUMENT', message: 'tenantName: string invalid format' } },
  });
  const r = await run('tenant', 'create', 'bad_name');
  assert.equal(r.code, 3);
  assert.equal(r.stdout, '');
  assert.equal(r.stderr, 'tenantName: string invalid format\n');
});

void test('tenant rm and delete', async () => {
  nm.on('DELETE', '/api/v1/tenants/blue/', { json: 'blue' });
  for (const verb of ['rm', 'delete']) {
    const r = await run('tenant', verb, 'blue');
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'Deleting tenant blue\n');
  }
  assert.deepEqual(nm.calls(), ['DELETE /api/v1/tenants/blue/', 'DELETE /api/v1/tenants/blue/']);
});

void test('tenant inspect prints the inspect JSON', async () => {
  const body = { Config: { key: 'default', tenantName: 'default' }, Oper: { totalNetworks: 2 } };
  nm.on('GET', '/api/v1/inspect/tenants/default/', { json: body });
  const r = await run('tenant', 'inspect', 'default');
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, `${JSON.stringify(body, null, 2)}\n`);
});

void test('tenant ls: table, -q and -j; no tenant check', async () => {
  const tenants = [
    { key: 'default', tenantName: 'default' },
    { key: 'blue', tenantName: 'blue' },
  ];
  nm.on('GET', '/api/v1/tenants/', { json: tenants });
  assert.equal((await run('tenant', 'ls')).stdout, 'Name\n----\nblue\ndefault\n');
  assert.equal((await run('tenant', 'list', '-q')).stdout, 'blue\ndefault\n');
  assert.deepEqual(JSON.parse((await run('tenant', 'ls', '-j')).stdout), [tenants[1], tenants[0]]);
  assert.deepEqual(nm.calls(), ['GET /api/v1/tenants/', 'GET /api/v1/tenants/', 'GET /api/v1/tenants/']);
});

void test('tenant usage errors send nothing', async () => {
  for (const args of [['tenant', 'create'], ['tenant', 'create', 'a', 'b'], ['tenant', 'ls', '-t', 'x'], ['tenant', 'rm']]) {
    const r = await run(...args);
    assert.equal(r.code, 1, args.join(' '));
    assert.match(r.stderr, /^error: .*\n\(run 'netctl tenant \w+ --help' for usage\)\n/);
  }
  assert.deepEqual(nm.calls(), []);
});
