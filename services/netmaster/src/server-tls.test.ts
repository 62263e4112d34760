/**
 * The shared port with TLS on both APIs: HTTPS REST (with a token), mutual
 * TLS gRPC, and what happens to clients that speak the wrong thing.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import { after, before, describe, it } from 'node:test';
import * as grpc from '@grpc/grpc-js';
import { createControlClient, isRpcError, MutualTls } from '@contiv/rpc';
import { createTestPki, type TestCa, type TestCert, type TestPki } from '@contiv/rpc/testing';
import { noopLogger } from '@contiv/runtime';
import { MemoryStore } from '@contiv/store';
import { startNetmaster, type NetmasterHandle } from './netmaster';
import { loadSecurity } from './security';

const TOKEN = 'tls-test-token-0123456789';
const NAMES = { ca: '--grpc-tls-ca', cert: '--grpc-tls-cert', key: '--grpc-tls-key' } as const;

function get(port: number, path: string, opts: { ca?: Buffer; headers?: Record<string, string>; alpn?: string[] }): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = https.request(
      { host: '127.0.0.1', port, path, headers: opts.headers ?? {}, ...(opts.ca ? { ca: opts.ca } : {}), ...(opts.alpn ? { ALPNProtocols: opts.alpn } : {}), agent: false },
      (res) => {
        let text = '';
        res.setEncoding('utf8').on('data', (c: string) => (text += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

void describe('netmaster with TLS on REST and gRPC', () => {
  let pki: TestPki;
  let ca: TestCa;
  let otherCa: TestCa;
  let server: TestCert;
  let agent: TestCert;
  let stranger: TestCert;
  let nm: NetmasterHandle;
  let caPem: Buffer;

  before(async () => {
    pki = await createTestPki();
    ca = await pki.newCa('ca');
    otherCa = await pki.newCa('other-ca');
    server = await ca.issue('netmaster');
    agent = await ca.issue('agent');
    stranger = await otherCa.issue('stranger');
    caPem = fs.readFileSync(ca.cert);
    const tokenFile = `${pki.dir}/token`;
    fs.writeFileSync(tokenFile, TOKEN, { mode: 0o600 });
    const problems: string[] = [];
    const security = loadSecurity(
      { tlsCertFile: server.cert, tlsKeyFile: server.key, authTokenFile: tokenFile, grpcTlsCa: ca.cert, grpcTlsCert: server.cert, grpcTlsKey: server.key },
      '127.0.0.1',
      problems,
    );
    assert.deepEqual(problems, []);
    nm = await startNetmaster({ listenHost: '127.0.0.1', listenPort: 0, advertiseAddress: '127.0.0.1:0', pluginMode: 'docker', leaderTtlSeconds: 5, security }, new MemoryStore(), noopLogger);
    await nm.leading;
  });
  after(async () => {
    await nm?.stop();
    pki?.cleanup();
  });

  void it('serves REST over HTTPS to clients that trust its CA, with the token', async () => {
    const ok = await get(nm.port, '/api/v1/tenants/', { ca: caPem, headers: { 'x-auth-token': TOKEN } });
    assert.equal(ok.status, 200, ok.text);
    // curl offers h2 and http/1.1: still REST.
    assert.equal((await get(nm.port, '/api/v1/tenants/', { ca: caPem, headers: { authorization: `Bearer ${TOKEN}` }, alpn: ['h2', 'http/1.1'] })).status, 200);
    assert.equal((await get(nm.port, '/api/v1/tenants/', { ca: caPem })).status, 401);
    assert.equal((await get(nm.port, '/version', { ca: caPem })).status, 200);
    await assert.rejects(get(nm.port, '/version', {}), /self-signed certificate|unable to verify/);
  });

  void it('answers plain HTTP with a 400 that names https', async () => {
    const r = await new Promise<{ status: number; text: string }>((resolve, reject) => {
      http
        .get({ host: '127.0.0.1', port: nm.port, path: '/api/v1/tenants/', headers: { 'x-auth-token': TOKEN } }, (res) => {
          let text = '';
          res.setEncoding('utf8').on('data', (c: string) => (text += c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
        })
        .on('error', reject);
    });
    assert.equal(r.status, 400);
    assert.match(r.text, /"code":"TLS_REQUIRED".*serves HTTPS only/);
  });

  void it('serves gRPC only to agents with a certificate from its CA', async () => {
    const call = async (credentials?: grpc.ChannelCredentials): Promise<void> => {
      const c = createControlClient(`127.0.0.1:${nm.port}`, credentials);
      try {
        await c.ReleaseAddress({ tenantName: 'default', networkName: 'nosuch', address: '10.9.9.9' }, { timeoutMs: 3000 });
      } finally {
        c.close();
      }
    };
    const good = MutualTls.load(ca.cert, agent.cert, agent.key, NAMES).channelCredentials();
    // The call reaches the service (which answers about the unknown network).
    await call(good).catch((err: unknown) => assert.ok(isRpcError(err) && err.code !== 'NETMASTER_UNAVAILABLE', String(err)));
    const unavailable = (err: unknown) => isRpcError(err, 'NETMASTER_UNAVAILABLE');
    await assert.rejects(call(), unavailable, 'plaintext');
    await assert.rejects(call(grpc.credentials.createSsl(caPem)), unavailable, 'no client certificate');
    await assert.rejects(call(MutualTls.load(ca.cert, stranger.cert, stranger.key, NAMES).channelCredentials()), unavailable, 'a certificate from another CA');
  });
});
