import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { inspect } from 'node:util';
import { createTestPki, type TestCa, type TestCert, type TestPki } from '@contiv/rpc/testing';
import { ConfigError, loadConfig, type NetmasterConfig } from './options';
import { describeSecurity } from './security';

const TOKEN = 'tok-0123456789abcdef-XYZ';

const problemsOf = (argv: string[], env: Record<string, string> = {}): string[] => {
  try {
    loadConfig(argv, env);
  } catch (err) {
    assert.ok(err instanceof ConfigError, String(err));
    return [...err.problems];
  }
  assert.fail('expected a ConfigError');
};

void describe('security settings', () => {
  let pki: TestPki;
  let ca: TestCa;
  let cert: TestCert;
  let other: TestCert;
  let tokenFile: string;
  const load = (argv: string[], env: Record<string, string> = {}) => loadConfig(argv, env) as NetmasterConfig;

  before(async () => {
    pki = await createTestPki();
    ca = await pki.newCa('ca');
    cert = await ca.issue('nm');
    other = await ca.issue('other');
    tokenFile = path.join(pki.dir, 'token');
    fs.writeFileSync(tokenFile, `${TOKEN}\n`, { mode: 0o600 });
  });
  after(() => pki?.cleanup());

  void it('are all off by default, as before', () => {
    const c = load([]);
    assert.deepEqual(describeSecurity(c.security), { rest: 'http', restAuth: 'none', grpc: 'plaintext' });
    assert.deepEqual(c.security.warnings, []);
  });

  void it('come from flags or from the environment', () => {
    const flags = load(['--tls-cert-file', cert.cert, '--tls-key-file', cert.key, '--auth-token-file', tokenFile, '--grpc-tls-ca', ca.cert, '--grpc-tls-cert', cert.cert, '--grpc-tls-key', cert.key]);
    assert.deepEqual(describeSecurity(flags.security), { rest: 'https', restAuth: 'token', grpc: 'mutual-tls' });
    assert.equal(flags.security.authToken?.reveal(), TOKEN, 'the newline a file ends with is not part of the token');
    assert.deepEqual(flags.security.warnings, []);
    const env = load([], {
      CONTIV_TLS_CERT_FILE: cert.cert,
      CONTIV_TLS_KEY_FILE: cert.key,
      CONTIV_AUTH_TOKEN: TOKEN,
      CONTIV_GRPC_TLS_CA: ca.cert,
      CONTIV_GRPC_TLS_CERT: cert.cert,
      CONTIV_GRPC_TLS_KEY: cert.key,
    });
    assert.deepEqual(describeSecurity(env.security), { rest: 'https', restAuth: 'token', grpc: 'mutual-tls' });
    assert.equal(env.security.authToken?.reveal(), TOKEN);
    // The flag wins over the environment, also over a token given directly.
    assert.equal(load(['--auth-token-file', tokenFile], { CONTIV_AUTH_TOKEN: 'another-token-0123456789' }).security.authToken?.reveal(), TOKEN);
  });

  void it('never show a secret when the config is logged', () => {
    const c = load(['--tls-cert-file', cert.cert, '--tls-key-file', cert.key, '--auth-token-file', tokenFile, '--grpc-tls-ca', ca.cert, '--grpc-tls-cert', cert.cert, '--grpc-tls-key', cert.key]);
    const key = fs.readFileSync(cert.key, 'utf8').split('\n')[1] as string;
    const shown = `${JSON.stringify(c)} ${inspect(c, { depth: 10 })}`;
    assert.equal(shown.includes(TOKEN), false);
    assert.equal(shown.includes(key), false);
    assert.doesNotMatch(shown, /PRIVATE KEY/);
  });

  void it('refuse incomplete or wrong settings, naming the setting and never the token', () => {
    assert.deepEqual(problemsOf(['--tls-cert-file', cert.cert]), ['--tls-cert-file and --tls-key-file go together: give both or neither']);
    assert.deepEqual(problemsOf(['--grpc-tls-ca', ca.cert, '--grpc-tls-key', cert.key]), ['--grpc-tls-ca, --grpc-tls-cert and --grpc-tls-key go together: give all three or none']);
    assert.deepEqual(problemsOf(['--tls-cert-file', cert.cert, '--tls-key-file', other.key]), [`--tls-key-file ${other.key} is not the key of the certificate in --tls-cert-file ${cert.cert}`]);
    assert.deepEqual(problemsOf(['--auth-token-file', '/nonexistent/token']), ['--auth-token-file /nonexistent/token: cannot read it (ENOENT)']);
    assert.deepEqual(problemsOf([], { CONTIV_AUTH_TOKEN: 'short' }), ['the auth token from CONTIV_AUTH_TOKEN is shorter than 16 characters']);
    assert.deepEqual(problemsOf([], { CONTIV_AUTH_TOKEN: 'has a space in it, long enough' }), ['the auth token from CONTIV_AUTH_TOKEN has characters other than visible ASCII (no spaces)']);
    assert.deepEqual(problemsOf(['--tls-ca-file', ca.cert]), ["--tls-ca-file verifies other netmasters' HTTPS: it needs --tls-cert-file and --tls-key-file"]);
    // A token on the command line would show in ps: refused, and not echoed.
    const onCli = problemsOf(['--auth-token', TOKEN]);
    assert.deepEqual(onCli, ['--auth-token is not accepted (the command line shows in ps): use --auth-token-file FILE or env CONTIV_AUTH_TOKEN']);
    assert.deepEqual(problemsOf([`--auth-token=${TOKEN}`]), onCli);
  });

  void it('warn about what stays open or readable', () => {
    const loose = path.join(pki.dir, 'loose-token');
    fs.writeFileSync(loose, TOKEN, { mode: 0o644 });
    fs.chmodSync(loose, 0o644);
    const c = load(['--auth-token-file', loose, '--listen-url', '0.0.0.0:9999']);
    assert.deepEqual(c.security.warnings, [
      `--auth-token-file ${loose} may be read by others than its owner (mode 0644); chmod 600 it`,
      'REST requires a token but is served over plain HTTP: the token crosses the network in clear text (set --tls-cert-file and --tls-key-file)',
      'the gRPC Control API (agents) accepts any client on the REST port: set --grpc-tls-ca, --grpc-tls-cert and --grpc-tls-key to require agent certificates',
    ]);
    // On loopback only, a token without TLS is fine.
    assert.equal(load(['--auth-token-file', tokenFile, '--listen-url', '127.0.0.1:9999', '--grpc-tls-ca', ca.cert, '--grpc-tls-cert', cert.cert, '--grpc-tls-key', cert.key]).security.warnings.length, 0);
  });
});
