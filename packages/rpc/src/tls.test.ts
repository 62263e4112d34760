import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { inspect } from 'node:util';
import * as grpc from '@grpc/grpc-js';
import { RpcError } from './errors';
import { addControlService, createControlClient, type ControlService } from './services';
import { createTestPki, type TestCa, type TestCert, type TestPki } from './testing';
import { MutualTls, TlsKeyPair } from './tls';

const NAMES = { ca: '--grpc-tls-ca', cert: '--grpc-tls-cert', key: '--grpc-tls-key' } as const;

void describe('TLS material', () => {
  let pki: TestPki;
  let ca: TestCa;
  let other: TestCa;
  let server: TestCert;
  let client: TestCert;
  let stranger: TestCert;

  before(async () => {
    pki = await createTestPki();
    ca = await pki.newCa('cluster-ca');
    other = await pki.newCa('other-ca');
    server = await ca.issue('netmaster');
    client = await ca.issue('agent');
    stranger = await other.issue('stranger');
  });
  after(() => pki?.cleanup());

  void it('loads a matching pair and never shows the key', () => {
    const pair = TlsKeyPair.load(server.cert, server.key, NAMES);
    assert.match(pair.subject, /CN=netmaster/);
    assert.deepEqual(pair.warnings, []);
    const key = pair.revealKey().toString();
    assert.match(key, /PRIVATE KEY/);
    const shown = `${JSON.stringify(pair)} ${inspect(pair)} ${JSON.stringify(MutualTls.load(ca.cert, server.cert, server.key, NAMES))}`;
    assert.doesNotMatch(shown, /PRIVATE KEY/);
    assert.equal(shown.includes(key.split('\n')[1] as string), false);
  });

  void it('names the file at fault, never its content', () => {
    assert.throws(() => TlsKeyPair.load('/nonexistent/x.pem', server.key, NAMES), /^Error: --grpc-tls-cert \/nonexistent\/x\.pem: cannot read it \(ENOENT\)$/);
    assert.throws(() => TlsKeyPair.load(server.key, server.key, NAMES), /--grpc-tls-cert .*netmaster\.key: not a PEM certificate/);
    assert.throws(() => TlsKeyPair.load(server.cert, server.cert, NAMES), /--grpc-tls-key .*netmaster\.pem: not an unencrypted PEM private key/);
    assert.throws(() => TlsKeyPair.load(server.cert, client.key, NAMES), /--grpc-tls-key .*agent\.key is not the key of the certificate in --grpc-tls-cert .*netmaster\.pem/);
    assert.throws(() => MutualTls.load(ca.key, server.cert, server.key, NAMES), /--grpc-tls-ca .*cluster-ca\.key: not a PEM certificate/);
    assert.throws(() => TlsKeyPair.load(pki.dir, server.key, NAMES), /cannot read it/);
  });

  void it('warns about a key file others may read', () => {
    const loose = path.join(pki.dir, 'loose.key');
    fs.copyFileSync(server.key, loose);
    fs.chmodSync(loose, 0o644);
    assert.deepEqual(TlsKeyPair.load(server.cert, loose, NAMES).warnings, [`--grpc-tls-key ${loose} may be read by others than its owner (mode 0644); chmod 600 it`]);
  });

  void describe('mutual TLS on the Control API', () => {
    let srv: grpc.Server;
    let port: number;
    const calls: string[] = [];
    before(async () => {
      srv = new grpc.Server();
      const impl = {
        ReleaseAddress: async (_req: unknown, ctx: { peer: string }) => {
          calls.push(ctx.peer);
          return {};
        },
      } as unknown as ControlService;
      addControlService(srv, new Proxy(impl, { get: (t, p) => (t as unknown as Record<string | symbol, unknown>)[p] ?? (async () => ({})) }));
      const creds = MutualTls.load(ca.cert, server.cert, server.key, NAMES).serverCredentials();
      port = await new Promise<number>((resolve, reject) => srv.bindAsync('127.0.0.1:0', creds, (err, p) => (err ? reject(err) : resolve(p))));
    });
    after(() => srv?.forceShutdown());

    const release = (credentials?: grpc.ChannelCredentials): Promise<unknown> => {
      const c = createControlClient(`127.0.0.1:${port}`, credentials);
      return c.ReleaseAddress({ tenantName: 'default', networkName: 'n', address: '10.0.0.1' }, { timeoutMs: 3000 }).finally(() => c.close());
    };

    void it('serves a client with a certificate from the CA', async () => {
      await release(MutualTls.load(ca.cert, client.cert, client.key, NAMES).channelCredentials());
      assert.equal(calls.length, 1);
    });

    void it('refuses a plaintext client, one without a certificate and one from another CA', async () => {
      await assert.rejects(release(), (err: unknown) => err instanceof RpcError && err.code === 'NETMASTER_UNAVAILABLE');
      await assert.rejects(release(grpc.credentials.createSsl(fs.readFileSync(ca.cert))), (err: unknown) => err instanceof RpcError && err.code === 'NETMASTER_UNAVAILABLE');
      await assert.rejects(release(MutualTls.load(ca.cert, stranger.cert, stranger.key, NAMES).channelCredentials()), (err: unknown) => err instanceof RpcError && err.code === 'NETMASTER_UNAVAILABLE');
      // A client that trusts another CA refuses our server.
      await assert.rejects(release(MutualTls.load(other.cert, stranger.cert, stranger.key, NAMES).channelCredentials()), (err: unknown) => err instanceof RpcError);
      assert.equal(calls.length, 1, 'no refused call reached the service');
    });
  });
});
