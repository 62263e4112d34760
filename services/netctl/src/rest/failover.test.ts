import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import { RequestError } from '../errors';
import { NetmasterClient } from './client';
import { FailoverRefusal, isFailoverAnswer, retryDelayMs, withFailoverRetry } from './failover';

const notLeader = JSON.stringify({ error: { code: 'NOT_LEADER', message: 'the leader netmaster 10.0.0.1:9999 does not answer (ECONNREFUSED)' } });

void describe('failover retry', () => {
  void it('only a 503 NOT_LEADER is a failover answer (a store outage fails fast)', () => {
    assert.equal(isFailoverAnswer(503, notLeader), true);
    assert.equal(isFailoverAnswer(503, JSON.stringify({ error: { code: 'STORE_UNAVAILABLE', message: 'x' } })), false);
    assert.equal(isFailoverAnswer(500, notLeader), false);
    assert.equal(isFailoverAnswer(503, 'not json'), false);
  });

  void it('Retry-After is honoured within bounds', () => {
    assert.equal(retryDelayMs('1', 1), 500);
    assert.equal(retryDelayMs('0', 1), 200);
    assert.equal(retryDelayMs('3600', 1), 500);
    assert.equal(retryDelayMs(null, 2), 400);
    assert.equal(retryDelayMs('soon', 1), 200);
  });

  void it('retries a refusal with one note, and says when it got through', async () => {
    let clock = 0;
    let calls = 0;
    const notes: string[] = [];
    const out = await withFailoverRetry(
      async () => {
        calls++;
        if (calls < 4) throw new FailoverRefusal(new RequestError('NETCTL_REQUEST_FAILED', 'no netmaster leads right now', 503), 1000);
        return 'ok';
      },
      { progress: (t) => notes.push(t), sleep: async (ms) => void (clock += ms), now: () => clock },
    );
    assert.equal(out, 'ok');
    assert.equal(calls, 4);
    assert.deepEqual(notes, ['netctl: no netmaster leads right now; retrying for up to 15 s ...\n', 'netctl: netmaster answered after 3.0 s\n']);
  });

  void it('gives up when the budget is spent, with the server\'s message', async () => {
    let clock = 0;
    const refusal = new FailoverRefusal(new RequestError('NETCTL_REQUEST_FAILED', 'no netmaster leads right now', 503), 1000);
    await assert.rejects(
      withFailoverRetry(async () => Promise.reject(refusal), { budgetMs: 3000, sleep: async (ms) => void (clock += ms), now: () => clock }),
      (e) => e instanceof RequestError && e.message === 'no netmaster leads right now (still so after retrying for 3 s)' && e.status === 503,
    );
  });

  void it('other failures are not retried', async () => {
    let calls = 0;
    await assert.rejects(
      withFailoverRetry(async () => {
        calls++;
        throw new RequestError('NETCTL_REQUEST_FAILED', 'cluster store: unavailable', 503);
      }),
      /cluster store/,
    );
    assert.equal(calls, 1);
  });

  void it('NetmasterClient sends a refused write again until a leader takes it', async () => {
    const seen: string[] = [];
    const server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        seen.push(`${req.method} ${req.url} ${body}`);
        if (seen.length < 3) {
          res.writeHead(503, { 'content-type': 'application/json', 'retry-after': '0' }).end(notLeader);
        } else {
          res.writeHead(200, { 'content-type': 'application/json' }).end('{"tenantName":"blue"}');
        }
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const notes: string[] = [];
    const client = new NetmasterClient({ baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, timeoutMs: 5000, progress: (t) => notes.push(t) });
    assert.deepEqual(await client.post('/api/v1/tenants/blue/', { tenantName: 'blue' }), { tenantName: 'blue' });
    assert.equal(seen.length, 3);
    assert.ok(seen.every((s) => s === 'POST /api/v1/tenants/blue/ {"tenantName":"blue"}'), 'the same request each time');
    assert.match(notes[0] ?? '', /^netctl: the leader netmaster 10\.0\.0\.1:9999 does not answer \(ECONNREFUSED\); retrying for up to 15 s/);
    const never = new NetmasterClient({ baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, timeoutMs: 5000, failoverRetryMs: 0 });
    seen.length = 0;
    await assert.rejects(never.get('/api/v1/tenants/'), /does not answer/);
    assert.equal(seen.length, 1, 'failoverRetryMs 0: no retry');
    await new Promise<void>((r) => server.close(() => r()));
  });
});
