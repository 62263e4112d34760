import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as grpc from '@grpc/grpc-js';
import { RpcError } from './errors';
import { addControlService, createControlClient, type ControlService } from './services';
import { MAX_ERROR_MESSAGE_BYTES, capErrorMessage } from './status-map';

void describe('error messages sent to a peer', () => {
  void it('are kept whole up to the limit, and cut at a character boundary with a note beyond it', () => {
    assert.equal(capErrorMessage('short'), 'short');
    const exact = 'x'.repeat(MAX_ERROR_MESSAGE_BYTES);
    assert.equal(capErrorMessage(exact), exact);
    for (const unit of ['a', 'é', '€', '😀']) {
      const cut = capErrorMessage(`id ${unit.repeat(31_000)} is not valid`);
      assert.ok(Buffer.byteLength(cut, 'utf8') <= MAX_ERROR_MESSAGE_BYTES, `${unit}: ${Buffer.byteLength(cut, 'utf8')} bytes`);
      assert.match(cut, /^id .*\.\.\. \(\d+ more characters cut\)$/u);
      assert.doesNotMatch(cut, /\uFFFD/, 'no broken character');
    }
  });

  void describe('over a real gRPC channel', () => {
    let srv: grpc.Server;
    let port: number;
    let message = '';
    before(async () => {
      srv = new grpc.Server();
      const impl = new Proxy({} as ControlService, {
        get: () => () => Promise.reject(new RpcError('INVALID_ARGUMENT', message)),
      });
      addControlService(srv, impl);
      port = await new Promise<number>((resolve, reject) => srv.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))));
    });
    after(() => srv?.forceShutdown());

    for (const [what, text] of [
      ['an ASCII message of 31,000 characters', `network ${'n'.repeat(31_000)} does not exist`],
      ['a message of 20,000 characters that percent-encode to 9 bytes each', `network ${'€'.repeat(20_000)} does not exist`],
    ] as const) {
      void it(`${what} reaches the client with its code, cut`, async () => {
        message = text;
        const c = createControlClient(`127.0.0.1:${port}`);
        try {
          await assert.rejects(
            c.ReleaseAddress({ tenantName: 'default', networkName: 'n', address: '10.0.0.1' }, { timeoutMs: 3000 }),
            (err: unknown) => {
              assert.ok(err instanceof RpcError, String(err));
              assert.equal(err.code, 'INVALID_ARGUMENT', err.message);
              assert.match(err.message, /^network .*more characters cut\)$/u);
              return true;
            },
          );
        } finally {
          c.close();
        }
      });
    }
  });
});
