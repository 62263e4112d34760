import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { inspect } from 'node:util';
import { UsageError } from './errors';
import { loadConfig } from './options';
import { FakeNetmaster } from './testing/fake-netmaster';
import { runCli } from './testing/run-cli';

const TOKEN = 'netctl-token-0123456789';

void describe('netctl token and TLS settings', () => {
  let dir: string;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'netctl-sec-'));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  void it('takes the token from --token, else NETCTL_TOKEN, and never shows it', () => {
    assert.equal(loadConfig({}, {}).token, undefined);
    assert.equal(loadConfig({ netmaster: 'https://nm:9999', token: TOKEN }, { NETCTL_TOKEN: 'other' }).token?.reveal(), TOKEN);
    const c = loadConfig({ netmaster: 'https://nm:9999' }, { NETCTL_TOKEN: TOKEN });
    assert.equal(c.token?.reveal(), TOKEN);
    assert.equal(`${JSON.stringify(c)} ${inspect(c)}`.includes(TOKEN), false);
  });

  void it('sends a token over https, or over http only to this machine', () => {
    assert.equal(loadConfig({ netmaster: 'http://localhost:9999', token: TOKEN }, {}).token?.reveal(), TOKEN);
    assert.equal(loadConfig({ netmaster: 'http://127.0.0.1:9999', token: TOKEN }, {}).token?.reveal(), TOKEN);
    assert.throws(
      () => loadConfig({ netmaster: 'http://10.0.0.5:9999' }, { NETCTL_TOKEN: TOKEN }),
      (err: unknown) => err instanceof UsageError && err.message === 'a token is only sent over https: use an https:// netmaster URL instead of http://10.0.0.5:9999 (or unset NETCTL_TOKEN)',
    );
    assert.throws(() => loadConfig({ netmaster: 'https://nm', token: 'two words' }, {}), (err: unknown) => err instanceof UsageError && !err.message.includes('two words'));
  });

  void it('reads the CA file and --insecure (or Contiv’s INSECURE) for https only', () => {
    const ca = path.join(dir, 'ca.pem');
    fs.writeFileSync(ca, '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n');
    assert.equal(loadConfig({ netmaster: 'http://nm:9999', tlsCaFile: ca }, {}).tls, undefined);
    assert.deepEqual(loadConfig({ netmaster: 'https://nm:9999' }, {}).tls, { insecure: false });
    assert.equal(loadConfig({ netmaster: 'https://nm:9999' }, { INSECURE: 'true' }).tls?.insecure, true);
    assert.equal(loadConfig({ netmaster: 'https://nm:9999', insecure: true }, {}).tls?.insecure, true);
    assert.match(loadConfig({ netmaster: 'https://nm:9999' }, { NETCTL_TLS_CA_FILE: ca }).tls?.ca?.toString() ?? '', /BEGIN CERTIFICATE/);
    assert.throws(() => loadConfig({ netmaster: 'https://nm:9999', tlsCaFile: path.join(dir, 'nope') }, {}), /cannot read the CA file .*nope: ENOENT/);
    const notPem = path.join(dir, 'not.pem');
    fs.writeFileSync(notPem, 'hello');
    assert.throws(() => loadConfig({ netmaster: 'https://nm:9999', tlsCaFile: notPem }, {}), /holds no PEM certificate/);
  });

  void describe('on the wire', () => {
    let nm: FakeNetmaster;
    before(async () => {
      nm = await FakeNetmaster.start();
      nm.on('GET', '/api/v1/tenants/', { json: [] });
    });
    after(async () => nm.close());

    void it('sends x-auth-token with every request when a token is set, and nothing otherwise', async () => {
      const withFlag = await runCli(['--netmaster', nm.url, '--token', TOKEN, 'tenant', 'ls'], {});
      assert.equal(withFlag.code, 0, withFlag.stderr);
      const withEnv = await runCli(['tenant', 'ls'], { NETMASTER: nm.url, NETCTL_TOKEN: TOKEN });
      assert.equal(withEnv.code, 0, withEnv.stderr);
      const without = await runCli(['tenant', 'ls'], { NETMASTER: nm.url });
      assert.equal(without.code, 0, without.stderr);
      assert.deepEqual(
        nm.requests.map((r) => r.headers['x-auth-token']),
        [TOKEN, TOKEN, undefined],
      );
    });

    void it('reports a 401 in one line (exit 3) and a refused token setting as a usage error (exit 1)', async () => {
      nm.on('GET', '/api/v1/tenants/', { status: 401, json: { error: { code: 'UNAUTHORIZED', message: 'unauthorized: the token is not valid' } } });
      const r = await runCli(['--netmaster', nm.url, '--token', 'wrong-token-0123456', 'tenant', 'ls'], {});
      assert.equal(r.code, 3);
      assert.equal(r.stderr, 'unauthorized: the token is not valid\n');
      const u = await runCli(['--netmaster', 'http://10.0.0.5:9999', '--token', TOKEN, 'tenant', 'ls'], {});
      assert.equal(u.code, 1);
      assert.match(u.stderr, /a token is only sent over https/);
      assert.equal(u.stderr.includes(TOKEN), false);
    });
  });
});
