import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import type { AddressInfo } from 'node:net';
import test from 'node:test';
import { noopLogger } from '@contiv/runtime';
import type { DnsQuery } from './dns-message';
import { parseDnsQuery } from './dns-message';
import type { ForwardOutcome } from './forwarder';
import { DnsForwarder } from './forwarder';
import { dnsQuery } from './testing/frames';
import type { Upstream } from './upstreams';

/** A UDP server on loopback that records what it gets and answers with `answer` (nothing when undefined). */
async function server(answer: (q: Buffer) => Buffer | undefined = () => undefined): Promise<{ upstream: Upstream; got: Buffer[]; peers: dgram.RemoteInfo[]; sock: dgram.Socket; close: () => Promise<void> }> {
  const sock = dgram.createSocket('udp4');
  const got: Buffer[] = [];
  const peers: dgram.RemoteInfo[] = [];
  sock.on('message', (msg, rinfo) => {
    got.push(msg);
    peers.push(rinfo);
    const a = answer(msg);
    if (a) sock.send(a, rinfo.port, rinfo.address);
  });
  await new Promise<void>((r) => sock.bind(0, '127.0.0.1', () => r()));
  return { upstream: { address: '127.0.0.1', port: (sock.address() as AddressInfo).port }, got, peers, sock, close: () => new Promise<void>((r) => sock.close(() => r())) };
}

const asResponse = (q: Buffer): Buffer => {
  const a = Buffer.from(q);
  a.writeUInt16BE(0x8180, 2);
  return a;
};

function parse(msg: Buffer): DnsQuery | undefined {
  const r = parseDnsQuery(msg);
  return r.ok ? r.value : undefined;
}

function query(name: string, id = 0x1234): { msg: Buffer; q: DnsQuery } {
  const msg = dnsQuery(name, 1, id);
  const q = parse(msg);
  assert.ok(q);
  return { msg, q };
}

const answerOf = (o: ForwardOutcome): Buffer => {
  assert.equal(o.kind, 'answer', o.kind === 'failed' ? o.reason : '');
  return o.kind === 'answer' ? o.message : Buffer.alloc(0);
};

void test('forwards with an id of its own and hands back the answer with the container id', async () => {
  const s = await server(asResponse);
  const f = new DnsForwarder({ upstreams: () => [s.upstream], log: noopLogger, randomId: () => 0x7777 });
  try {
    const { msg, q } = query('Example.COM', 0x0102);
    const out = await f.forward(msg, q);
    const a = answerOf(out);
    assert.equal(s.got[0]?.readUInt16BE(0), 0x7777);
    assert.equal(a.readUInt16BE(0), 0x0102);
    assert.deepEqual(a.subarray(2), asResponse(msg).subarray(2));
    assert.equal(msg.readUInt16BE(0), 0x0102, "the container's message is not changed");
    assert.deepEqual(out.kind === 'answer' ? out.upstream : undefined, s.upstream);
    assert.equal(f.inFlight, 0);
  } finally {
    await f.close();
    await s.close();
  }
});

void test('a silent upstream: the next one is asked; a single upstream is asked twice; then timeout', async () => {
  const silent = await server();
  const good = await server(asResponse);
  const f = new DnsForwarder({ upstreams: () => [silent.upstream, good.upstream], attemptTimeoutMs: 50, log: noopLogger });
  const alone = new DnsForwarder({ upstreams: () => [silent.upstream], attemptTimeoutMs: 50, log: noopLogger });
  try {
    const { msg, q } = query('web');
    answerOf(await f.forward(msg, q));
    assert.equal(silent.got.length, 1);
    assert.equal(good.got.length, 1);
    const before = silent.got.length;
    const t0 = Date.now();
    assert.deepEqual(await alone.forward(msg, q), { kind: 'failed', reason: 'timeout' });
    assert.equal(silent.got.length - before, 2, 'asked twice');
    assert.ok(Date.now() - t0 >= 90, 'two attempts of 50 ms');
    assert.equal(alone.counters.timeouts, 1);
  } finally {
    await Promise.all([f.close(), alone.close(), silent.close(), good.close()]);
  }
});

void test('ignores answers from elsewhere, with another id, to another question, or that are no response', async () => {
  const s = await server();
  const other = await server();
  const f = new DnsForwarder({ upstreams: () => [s.upstream], attemptTimeoutMs: 2_000, maxAttempts: 1, log: noopLogger });
  try {
    const { msg, q } = query('web');
    const pending = f.forward(msg, q);
    for (let i = 0; i < 100 && s.peers.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
    const fq = s.got[0] as Buffer;
    const agent = s.peers[0] as { port: number };
    const wrongQuestion = asResponse(dnsQuery('xeb', 1, fq.readUInt16BE(0)));
    const wrongId = asResponse(fq);
    wrongId.writeUInt16BE((fq.readUInt16BE(0) + 1) & 0xffff, 0);
    const send = (from: dgram.Socket, m: Buffer): Promise<void> => new Promise((r) => from.send(m, agent.port, '127.0.0.1', () => r()));
    // The right answer from a port that is no upstream, then wrong ones from the upstream, then the right one.
    await send(other.sock, asResponse(fq));
    for (const m of [wrongQuestion, wrongId, Buffer.from(fq)]) await send(s.sock, m);
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(f.inFlight, 1, 'still waiting');
    await send(s.sock, asResponse(fq));
    answerOf(await pending);
    assert.equal(f.counters.stray, 4, JSON.stringify(f.counters));
    assert.equal(f.counters.answers, 1);
  } finally {
    await Promise.all([f.close(), s.close(), other.close()]);
  }
});

void test('bounded: past maxInFlight waiting forwards the next one fails at once; no upstream fails at once', async () => {
  const silent = await server();
  const f = new DnsForwarder({ upstreams: () => [silent.upstream], attemptTimeoutMs: 100, maxInFlight: 2, log: noopLogger });
  const none = new DnsForwarder({ upstreams: () => [], log: noopLogger });
  try {
    const { msg, q } = query('web');
    const a = f.forward(msg, q);
    const b = f.forward(msg, q);
    assert.equal(f.inFlight, 2);
    assert.deepEqual(await f.forward(msg, q), { kind: 'failed', reason: 'busy' });
    assert.deepEqual(await none.forward(msg, q), { kind: 'failed', reason: 'no-upstream' });
    assert.deepEqual(await Promise.all([a, b]), [
      { kind: 'failed', reason: 'timeout' },
      { kind: 'failed', reason: 'timeout' },
    ]);
    assert.equal(f.counters.busy, 1);
  } finally {
    await Promise.all([f.close(), none.close(), silent.close()]);
  }
});

void test("an EDNS payload size above 1232 is lowered on the way out; the container's own is kept", async () => {
  const s = await server(asResponse);
  const f = new DnsForwarder({ upstreams: () => [s.upstream], log: noopLogger });
  try {
    const base = dnsQuery('web');
    const msg = Buffer.concat([base, Buffer.from('0000291000000000000000', 'hex')]);
    msg.writeUInt16BE(1, 10);
    const q = parse(msg);
    assert.ok(q);
    await f.forward(msg, q);
    const sent = s.got[0] as Buffer;
    assert.equal(sent.readUInt16BE(base.length + 3), 1232);
    assert.equal(msg.readUInt16BE(base.length + 3), 4096);
  } finally {
    await f.close();
    await s.close();
  }
});

void test('close fails what is waiting', async () => {
  const silent = await server();
  const f = new DnsForwarder({ upstreams: () => [silent.upstream], attemptTimeoutMs: 10_000, log: noopLogger });
  const { msg, q } = query('web');
  const p = f.forward(msg, q);
  await f.close();
  assert.deepEqual(await p, { kind: 'failed', reason: 'timeout' });
  assert.deepEqual(await f.forward(msg, q), { kind: 'failed', reason: 'no-upstream' });
  await silent.close();
});

void test('knows its own queries: from its socket port with a waiting id', async () => {
  const silent = await server();
  const f = new DnsForwarder({ upstreams: () => [silent.upstream], attemptTimeoutMs: 2_000, maxAttempts: 1, log: noopLogger, randomId: () => 0x5151 });
  try {
    const { msg, q } = query('web');
    const p = f.forward(msg, q);
    for (let i = 0; i < 100 && silent.peers.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
    const port = silent.peers[0]?.port ?? -1;
    assert.equal(f.isOwnQuery(port, 0x5151), true);
    assert.equal(f.isOwnQuery(port, 0x5152), false);
    assert.equal(f.isOwnQuery(port + 1, 0x5151), false);
    await f.close();
    await p;
    assert.equal(f.isOwnQuery(port, 0x5151), false);
  } finally {
    await f.close();
    await silent.close();
  }
});
