/**
 * What the REST fuzz (fuzz.test.ts) found, one regression test each: requests
 * refused before any route answered in fastify's shape or not at all, a deep
 * body that overflowed the stack (500), and messages echoing huge values.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { jsonNestingDepth } from '@contiv/model';
import { startFixture, type Fixture } from '../testing/fixture';
import { rawExchange, rawRequest } from '@contiv/testkit';
import { MAX_ERROR_MESSAGE, shortenMessage } from '@contiv/rpc';

const GO = ['User-Agent', 'Go-http-client/1.1'] as const;
const errorOf = (body: string): { code: string; message: string } => (JSON.parse(body) as { error: { code: string; message: string } }).error;

void describe('REST edge cases found by fuzzing', () => {
  let f: Fixture;
  let target: { host: string; port: number };
  const dump = async () => JSON.stringify((await f.store.list('')).entries.map((e) => [e.key, e.value, e.modRevision]));

  before(async () => {
    f = await startFixture();
    target = { host: '127.0.0.1', port: f.port };
  });
  after(async () => {
    await f.close();
  });

  void it('a request the HTTP parser refuses gets our error shape, naming what is wrong', async () => {
    const r = await rawExchange(target, Buffer.from('get /version HTTP/1.1\r\nHost: x\r\n\r\n'));
    assert.equal(r.status, 400);
    assert.match(r.headers['content-type'] ?? '', /^application\/json/);
    const e = errorOf(r.body);
    assert.equal(e.code, 'BAD_REQUEST');
    assert.match(e.message, /^malformed HTTP request: Invalid method encountered \(HPE_INVALID_METHOD\)$/);
    const big = await rawExchange(target, Buffer.from(`GET /version HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(70_000)}\r\n\r\n`));
    assert.equal(big.status, 431);
    assert.match(errorOf(big.body).message, /request line and headers exceed \d+ bytes/);
  });

  void it('a key the router cannot decode is a 400 in our shape (text for the Go client)', async () => {
    const r = await rawRequest(target, { method: 'GET', target: '/api/v1/networks/%/' });
    assert.equal(r.status, 400);
    assert.deepEqual(Object.keys(JSON.parse(r.body) as object), ['error']);
    assert.match(errorOf(r.body).message, /'\/api\/v1\/networks\/%\/' is not a valid url component/);
    const go = await rawRequest(target, { method: 'DELETE', target: '/api/v1/networks/%ff%/', headers: [GO] });
    assert.equal(go.status, 500);
    assert.match(go.headers['content-type'] ?? '', /^text\/plain/);
    assert.match(go.body, /is not a valid url component\n$/);
  });

  void it('CONNECT is answered (node dropped it without a word)', async () => {
    const r = await rawExchange(target, Buffer.from('CONNECT 127.0.0.1:22 HTTP/1.1\r\nHost: x\r\n\r\n'));
    assert.equal(r.status, 405);
    assert.deepEqual(errorOf(r.body), { code: 'METHOD_NOT_ALLOWED', message: 'CONNECT is not supported: netmaster is not a proxy (127.0.0.1:22)' });
  });

  void it('a body nested 20,000 deep is a 400 naming the limit, not a stack overflow (500)', async () => {
    const before = await dump();
    const body = `{"tenantName":${'['.repeat(20_000)}${']'.repeat(20_000)}}`;
    const r = await rawRequest(target, { method: 'POST', target: '/api/v1/tenants/deep/', body });
    assert.equal(r.status, 400, r.body);
    assert.deepEqual(errorOf(r.body), { code: 'INVALID_ARGUMENT', message: 'the request body nests arrays and objects more than 64 levels deep' });
    assert.equal(await dump(), before);
    assert.equal(jsonNestingDepth('{"a":[1,{"b":"[[[[["}]}'), 3);
    assert.equal(jsonNestingDepth('"\\"[["'), 0);
  });

  void it('a 70,000-character value is named by its start and length, not echoed whole', async () => {
    const r = await rawRequest(target, { method: 'POST', target: '/api/v1/tenants/t1/', body: JSON.stringify({ tenantName: 'A'.repeat(70_000) }) });
    assert.equal(r.status, 400);
    const { message } = errorOf(r.body);
    assert.ok(message.length < 300, message);
    assert.match(message, /^tenant t1: tenantName "A{40}\.\.\." \(70000 characters\) does not match the key "t1"$/);
    const long = await rawRequest(target, { method: 'GET', target: `/${'b'.repeat(10_000)}` });
    assert.equal(long.status, 404);
    assert.match(errorOf(long.body).message, /^404 page not found: no route GET \/b{39}\.\.\. \(10001 characters\)$/);
  });

  void it('shortenMessage keeps short messages and quoted pairs intact', () => {
    assert.equal(shortenMessage('network a:b: subnet "x" is bad; gateway "y" too'), 'network a:b: subnet "x" is bad; gateway "y" too');
    const between = `"a" ${'word '.repeat(40)}"b"`;
    assert.equal(shortenMessage(between), between);
    assert.ok(shortenMessage('x '.repeat(5000)).length <= MAX_ERROR_MESSAGE + 40);
  });
});
