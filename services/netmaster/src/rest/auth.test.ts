import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Secret, type Logger, type LogMeta } from '@contiv/runtime';
import { MemoryStore } from '@contiv/store';
import { startNetmaster, type NetmasterHandle } from '../netmaster';
import { rawRequest } from '../testing/fixture';
import { presentedToken, tokenMatches } from './auth';

const TOKEN = 'unit-token-0123456789-abcdef';

/** Every log line, to check that no token is ever written. */
function recordingLogger(lines: string[]): Logger {
  const log = (level: string) => (message: string, meta: LogMeta = {}) => void lines.push(`${level} ${message} ${JSON.stringify(meta)}`);
  const logger: Logger = { error: log('error'), warn: log('warn'), info: log('info'), debug: log('debug'), child: () => logger };
  return logger;
}

void describe('REST token auth', () => {
  let nm: NetmasterHandle;
  const lines: string[] = [];
  const req = (method: string, path: string, body?: unknown, headers?: Record<string, string>) => rawRequest(nm.port, method, path, body, headers);
  const tenant = { tenantName: 'blue' };

  before(async () => {
    nm = await startNetmaster(
      { listenHost: '127.0.0.1', listenPort: 0, advertiseAddress: '127.0.0.1:0', pluginMode: 'docker', leaderTtlSeconds: 5, security: { authToken: new Secret(TOKEN), warnings: [] } },
      new MemoryStore(),
      recordingLogger(lines),
    );
    await nm.leading;
  });
  after(async () => nm?.stop());

  void it('answers 401 without a token or with a wrong one, and changes nothing', async () => {
    const variants: Record<string, string>[] = [{}, { 'x-auth-token': 'wrong-token-0123456789' }, { authorization: `Basic ${Buffer.from(`u:${TOKEN}`).toString('base64')}` }, { authorization: `Bearer ${TOKEN}x` }];
    for (const headers of variants) {
      const r = await req('POST', '/api/v1/tenants/blue/', tenant, { 'content-type': 'application/json', ...headers });
      assert.equal(r.status, 401, JSON.stringify(headers));
      assert.equal(r.headers['www-authenticate'], 'Bearer realm="netmaster"');
      const err = (r.json as { error: { code: string; message: string } }).error;
      assert.equal(err.code, 'UNAUTHORIZED');
      assert.match(err.message, /^unauthorized: /);
      assert.equal(r.text.trim().split('\n').length, 1, 'one line');
    }
    assert.equal((await req('GET', '/api/v1/tenants/', undefined)).status, 401);
    // Unknown routes do not reveal themselves either.
    assert.equal((await req('GET', '/api/v1/nosuch/', undefined)).status, 401);
    const list = await req('GET', '/api/v1/tenants/', undefined, { 'x-auth-token': TOKEN });
    assert.deepEqual((list.json as { tenantName: string }[]).map((t) => t.tenantName), ['default']);
  });

  void it('accepts the token as x-auth-token (Contiv) or Authorization: Bearer', async () => {
    const a = await req('POST', '/api/v1/tenants/blue/', tenant, { 'content-type': 'application/json', 'x-auth-token': TOKEN });
    assert.equal(a.status, 200, a.text);
    const b = await req('GET', '/api/v1/tenants/blue/', undefined, { authorization: `Bearer ${TOKEN}` });
    assert.equal(b.status, 200, b.text);
    const c = await req('DELETE', '/api/v1/tenants/blue/', undefined, { authorization: `bearer  ${TOKEN}` });
    assert.equal(c.status, 200, c.text);
  });

  void it('leaves GET /version and /info open', async () => {
    assert.equal((await req('GET', '/version')).status, 200);
    assert.equal((await req('GET', '/info/')).status, 200);
    assert.equal((await req('POST', '/version', {})).status, 401, 'only GET is open');
  });

  void it('gives Contiv’s Go client the 500 with a text message it shows', async () => {
    const r = await req('GET', '/api/v1/tenants/', undefined, { 'user-agent': 'Go-http-client/1.1' });
    assert.equal(r.status, 500);
    assert.match(r.text, /^unauthorized: this netmaster requires a token/);
  });

  void it('never logs a token', () => {
    assert.ok(lines.some((l) => l.includes('Refused a REST request without a valid token')));
    assert.equal(lines.filter((l) => l.includes(TOKEN) || l.includes('wrong-token')).length, 0);
  });
});

void describe('token helpers', () => {
  void it('reads x-auth-token first, then a Bearer authorization', () => {
    assert.equal(presentedToken({ 'x-auth-token': 'a', authorization: 'Bearer b' }), 'a');
    assert.equal(presentedToken({ authorization: 'Bearer b' }), 'b');
    assert.equal(presentedToken({ authorization: 'Basic b' }), undefined);
    assert.equal(presentedToken({ authorization: 'Bearer' }), undefined);
    assert.equal(presentedToken({}), undefined);
  });

  void it('compares whole tokens of any length', () => {
    const t = new Secret(TOKEN);
    assert.equal(tokenMatches(t, TOKEN), true);
    assert.equal(tokenMatches(t, TOKEN.slice(0, -1)), false);
    assert.equal(tokenMatches(t, `${TOKEN}x`), false);
    assert.equal(tokenMatches(t, ''), false);
  });
});
