import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { inspect } from 'node:util';
import { createTestPki, type TestCa, type TestCert, type TestPki } from '@contiv/rpc/testing';
import { loadConfig, UsageError } from './options';

const ip = (): string => '192.168.1.5';
let pki: TestPki;
let ca: TestCa;
let agent: TestCert;

before(async () => {
  pki = await createTestPki();
  ca = await pki.newCa('ca');
  agent = await ca.issue('agent');
});
after(() => pki?.cleanup());

void test('gRPC to netmaster is plaintext unless the three TLS files are given (flags or env)', () => {
  assert.equal(loadConfig([], {}, ip).grpcTls, undefined);
  const flags = loadConfig(['--grpc-tls-ca', ca.cert, '--grpc-tls-cert', agent.cert, '--grpc-tls-key', agent.key], {}, ip);
  assert.match(flags.grpcTls?.pair.subject ?? '', /CN=agent/);
  const env = loadConfig([], { CONTIV_GRPC_TLS_CA: ca.cert, CONTIV_GRPC_TLS_CERT: agent.cert, CONTIV_GRPC_TLS_KEY: agent.key }, ip);
  assert.equal(env.grpcTls?.caFile, ca.cert);
  // The config is logged in parts; even whole, it shows no key.
  assert.doesNotMatch(`${JSON.stringify(env)} ${inspect(env, { depth: 10 })}`, /PRIVATE KEY/);
});

void test('an incomplete or wrong TLS setting stops the start with the setting named', () => {
  assert.throws(() => loadConfig(['--grpc-tls-ca', ca.cert], {}, ip), (err: unknown) => err instanceof UsageError && /give all three or none/.test(err.message));
  assert.throws(
    () => loadConfig(['--grpc-tls-ca', ca.cert, '--grpc-tls-cert', agent.cert, '--grpc-tls-key', ca.key], {}, ip),
    (err: unknown) => err instanceof UsageError && err.message === `--grpc-tls-key ${ca.key} is not the key of the certificate in --grpc-tls-cert ${agent.cert}`,
  );
});
