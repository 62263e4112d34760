import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cliSuite } from '../testing/cli-suite';

const { nm, run } = cliSuite();

void test('endpoint inspect (and ep) by container name', async () => {
  const body = { Oper: { endpointID: '3f2a', containerName: 'c1', ipAddress: ['100.1.1.1', ''], network: 'contiv-net.default' } };
  nm.on('GET', '/api/v1/inspect/endpoints/c1/', { json: body });
  for (const word of ['endpoint', 'ep']) {
    const r = await run(word, 'inspect', 'c1');
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, `${JSON.stringify(body, null, 2)}\n`);
  }
});

void test('endpoint not found: exit 3 with the message', async () => {
  nm.on('GET', '/api/v1/inspect/endpoints/zz/', { status: 404, json: { error: { code: 'NOT_FOUND', message: 'endpoint not found' } } });
  const r = await run('endpoint', 'inspect', 'zz');
  assert.equal(r.code, 3);
  assert.equal(r.stderr, 'endpoint not found\n');
});

void test('endpoint inspect needs exactly one argument', async () => {
  assert.equal((await run('endpoint', 'inspect')).code, 1);
  assert.equal((await run('ep', 'inspect', 'a', 'b')).code, 1);
  assert.deepEqual(nm.calls(), []);
});
