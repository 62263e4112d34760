import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as grpc from '@grpc/grpc-js';
import { RpcError } from './errors';
import { addControlService, createControlClient, type ControlService } from './services';
import { MAX_ERROR_MESSAGE_BYTES, capErrorMessage } from './error-message';

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

    const refused = async (text: string): Promise<RpcError> => {
      message = text;
      const c = createControlClient(`127.0.0.1:${port}`);
      try {
        const err = await c.ReleaseAddress({ tenantName: 'default', networkName: 'n', address: '10.0.0.1' }, { timeoutMs: 3000 }).then(
          () => assert.fail('the call succeeded'),
          (e: unknown) => e,
        );
        assert.ok(err instanceof RpcError, String(err));
        assert.equal(err.code, 'INVALID_ARGUMENT', err.message);
        return err;
      } finally {
        c.close();
      }
    };

    void it('a message quoting a 31,000-character value arrives with its code, the value shortened', async () => {
      const err = await refused(`network ${JSON.stringify('n'.repeat(31_000))} does not exist`);
      assert.equal(err.message, `network "${'n'.repeat(40)}..." (31000 characters) does not exist`);
    });

    void it('a message of 10,000 short words that percent-encode to 9 bytes a character arrives with its code, cut', async () => {
      const err = await refused(`bad words: ${'€ '.repeat(10_000)}`);
      assert.match(err.message, /^bad words: € € .*more characters cut\)$/u);
      assert.ok(Buffer.byteLength(err.message, 'utf8') <= MAX_ERROR_MESSAGE_BYTES);
    });
  });
});
