import assert from 'node:assert/strict';
import net from 'node:net';
import tls from 'node:tls';
import { describe, it } from 'node:test';
import * as grpc from '@grpc/grpc-js';
import { createControlClient } from '@contiv/rpc';
import { classifyConnection, offeredAlpn } from './connection-kind';

/** The first bytes a client sends: a real ClientHello, captured on a plain TCP server. */
async function firstBytes(connect: (port: number) => void): Promise<Buffer> {
  let resolveBytes: (b: Buffer) => void = () => undefined;
  const got = new Promise<Buffer>((r) => (resolveBytes = r));
  const server = net.createServer((s) => {
    let buf = Buffer.alloc(0);
    s.on('data', (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      if (buf.length >= 5 && buf.length >= 5 + buf.readUInt16BE(3)) {
        resolveBytes(buf);
        s.destroy();
      }
    });
    s.on('error', () => undefined);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  connect((server.address() as net.AddressInfo).port);
  const bytes = await got;
  server.close();
  return bytes;
}

const tlsHello = (alpn?: string[]) =>
  firstBytes((port) => {
    const s = tls.connect({ host: '127.0.0.1', port, rejectUnauthorized: false, ...(alpn ? { ALPNProtocols: alpn } : {}) });
    s.on('error', () => undefined);
  });

const BOTH = { restTls: true, grpcTls: true };

void describe('connection routing', () => {
  void it('reads the ALPN names of real ClientHellos', async () => {
    assert.deepEqual(offeredAlpn(await tlsHello()), []);
    assert.deepEqual(offeredAlpn(await tlsHello(['http/1.1'])), ['http/1.1']);
    assert.deepEqual(offeredAlpn(await tlsHello(['h2', 'http/1.1'])), ['h2', 'http/1.1']);
    const grpcHello = await firstBytes((port) => {
      const c = createControlClient(`127.0.0.1:${port}`, grpc.credentials.createSsl());
      c.waitForReady(2000).catch(() => undefined).finally(() => c.close());
    });
    assert.deepEqual(offeredAlpn(grpcHello), ['h2']);
    assert.equal(classifyConnection(grpcHello, BOTH), 'grpc');
    assert.equal(classifyConnection(grpcHello, { restTls: true, grpcTls: false }), 'refuse');
  });

  void it('sends REST TLS (any ALPN but h2 alone) to REST', async () => {
    for (const alpn of [undefined, ['http/1.1'], ['h2', 'http/1.1']]) {
      const hello = await tlsHello(alpn);
      assert.equal(classifyConnection(hello, BOTH), 'rest');
      assert.equal(classifyConnection(hello, { restTls: false, grpcTls: true }), 'refuse');
      // A ClientHello split across packets: wait for the rest of the record.
      assert.equal(classifyConnection(hello.subarray(0, 40), BOTH), 'wait');
      assert.equal(classifyConnection(hello.subarray(0, 3), BOTH), 'wait');
    }
  });

  void it('routes plaintext as before when no TLS is set, and refuses it where TLS is required', () => {
    const h2 = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n');
    const get = Buffer.from('GET /version HTTP/1.1\r\n');
    const none = { restTls: false, grpcTls: false };
    assert.equal(classifyConnection(h2, none), 'grpc');
    assert.equal(classifyConnection(get, none), 'rest');
    assert.equal(classifyConnection(Buffer.from('PR'), none), 'wait');
    assert.equal(classifyConnection(Buffer.from('P'), none), 'wait');
    assert.equal(classifyConnection(Buffer.from([0x16, 3, 1]), none), 'rest', 'TLS bytes to a plaintext netmaster: as before');
    assert.equal(classifyConnection(get, BOTH), 'plain-http-refused');
    assert.equal(classifyConnection(h2, BOTH), 'refuse');
    assert.equal(classifyConnection(h2, { restTls: true, grpcTls: false }), 'grpc');
    assert.equal(classifyConnection(get, { restTls: false, grpcTls: true }), 'rest');
  });

  void it('survives garbage that looks like TLS', () => {
    for (const bytes of [[0x16, 3, 1, 0, 0], [0x16, 3, 1, 0, 4, 1, 0, 0, 9], [0x16, 3, 1, 0, 1, 2], [0x16, 3, 3, 0xff, 0xff, ...new Array<number>(70000).fill(1)]]) {
      const kind = classifyConnection(Buffer.from(bytes), BOTH);
      assert.ok(kind === 'rest' || kind === 'wait', kind);
    }
  });
});
