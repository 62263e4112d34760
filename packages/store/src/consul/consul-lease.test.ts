/**
 * Lease TTLs against a fake Consul HTTP API that enforces a session_ttl_min
 * the way Consul 1.8 does (HTTP 500 "Invalid Session TTL ..."). The real
 * server is in test/src/integration/store-consul.itest.ts.
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { parseGoDuration } from './consul-api';
import { ConsulStore } from './consul-store';

interface FakeConsul {
  readonly endpoint: string;
  /** The TTL of every session create, as sent. */
  readonly creates: string[];
  minMs: number;
  close(): Promise<void>;
}

async function fakeConsul(): Promise<FakeConsul> {
  const creates: string[] = [];
  const held: http.ServerResponse[] = [];
  let sessions = 0;
  const fake = { creates, minMs: 10_000 };
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString('utf8')));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://fake');
      if (url.pathname === '/v1/session/create') {
        const ttl = (JSON.parse(body) as { TTL: string }).TTL;
        creates.push(ttl);
        if ((parseGoDuration(ttl) ?? 0) < fake.minMs) {
          res.writeHead(500).end(`Invalid Session TTL '${(parseGoDuration(ttl) ?? 0) * 1e6}', must be between [${fake.minMs / 1000}s=24h0m0s]`);
          return;
        }
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ ID: `s-${++sessions}` }));
      } else if (url.pathname.startsWith('/v1/session/')) {
        res.writeHead(200, { 'content-type': 'application/json' }).end('[{}]');
      } else if (url.searchParams.has('index')) {
        held.push(res); // a blocking query on the lease index: nothing changes
      } else {
        res.writeHead(404, { 'x-consul-index': '1' }).end();
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return Object.assign(fake, {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: async () => {
      for (const r of held) r.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  });
}

void describe('parseGoDuration', () => {
  void it("reads Go's Duration.String() forms", () => {
    assert.equal(parseGoDuration('10s'), 10_000);
    assert.equal(parseGoDuration('1m0s'), 60_000);
    assert.equal(parseGoDuration('24h0m0s'), 86_400_000);
    assert.equal(parseGoDuration('1.5s'), 1500);
    assert.equal(parseGoDuration('500ms'), 500);
    assert.equal(parseGoDuration('2000ms'), 2000);
    for (const bad of ['', '10', 's', '10x', '1s junk']) assert.equal(parseGoDuration(bad), undefined, bad);
  });
});

void describe('ConsulStore leases and Consul session TTLs', () => {
  let consul: FakeConsul;
  before(async () => {
    consul = await fakeConsul();
  });
  after(async () => {
    await consul.close();
  });

  void it('a lease asks for a session of half its TTL (Consul ends sessions after twice theirs)', async () => {
    consul.minMs = 1000;
    consul.creates.length = 0;
    const store = new ConsulStore({ endpoint: consul.endpoint, timeoutMs: 2000 });
    try {
      const lease = await store.grantLease(4);
      assert.equal(lease.ttlSeconds, 4);
      assert.deepEqual(consul.creates, ['2000ms']);
    } finally {
      await store.close();
    }
  });

  void it("below the server's session_ttl_min: the minimum, learned once, and the lease says it lasts twice that", async () => {
    consul.minMs = 10_000;
    consul.creates.length = 0;
    const store = new ConsulStore({ endpoint: consul.endpoint, timeoutMs: 2000 });
    try {
      const first = await store.grantLease(4);
      assert.equal(first.ttlSeconds, 20);
      const second = await store.grantLease(4);
      assert.equal(second.ttlSeconds, 20);
      const long = await store.grantLease(60);
      assert.equal(long.ttlSeconds, 60);
      // One refusal, then the minimum straight away; a longer lease is unaffected.
      assert.deepEqual(consul.creates, ['2000ms', '10000ms', '10000ms', '30000ms']);
    } finally {
      await store.close();
    }
  });
});
