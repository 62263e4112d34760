import assert from 'node:assert/strict';
import test from 'node:test';
import type { Action, OfMessage } from '@contiv/openflow';
import { OFPP } from '@contiv/openflow';
import { noopLogger } from '@contiv/runtime';
import { CookieCategory, makeCookie } from '../pipeline/framework';
import dgram from 'node:dgram';
import type { AddressInfo } from 'node:net';
import { MAX_RELAYED_MESSAGE, RCODE } from './dns-message';
import { DnsForwarder } from './forwarder';
import type { DnsBridge } from './dns-service';
import { DnsService } from './dns-service';
import { buildNameTable } from './name-table';
import { dnsQuery, endpoint, queryFrame } from './testing/frames';
import { parseUdpFrame } from './udp-frame';

interface Sent {
  readonly inPort: number;
  readonly actions: readonly Action[];
  readonly data: Buffer;
}

class FakeBridge implements DnsBridge {
  readonly sent: Sent[] = [];
  readonly listeners = new Set<(m: OfMessage) => void>();
  failSend: Error | undefined;
  readonly client = {
    onMessage: (l: (m: OfMessage) => void): (() => void) => {
      this.listeners.add(l);
      return () => this.listeners.delete(l);
    },
  };
  packetOut(opts: Sent): Promise<void> {
    if (this.failSend) return Promise.reject(this.failSend);
    this.sent.push(opts);
    return Promise.resolve();
  }
  emit(m: OfMessage): void {
    for (const l of this.listeners) l(m);
  }
}

function packetIn(data: Buffer, inPort: number | undefined, category = CookieCategory.Dns, totalLen = data.length): OfMessage {
  return {
    type: 'packet_in',
    xid: 0,
    bufferId: 0xffffffff,
    totalLen,
    reason: 1,
    table: 2,
    cookie: makeCookie(3, category, 0),
    match: inPort === undefined ? [] : [{ field: 'in_port', value: BigInt(inPort) }],
    data,
  };
}

const table = buildNameTable([endpoint({ endpointId: 'e2', ipAddress: '10.1.1.2', containerName: 'web-b' })]);
const flush = (): Promise<void> => new Promise((r) => setImmediate(r));

function setup(): { bridge: FakeBridge; service: DnsService } {
  const bridge = new FakeBridge();
  const service = new DnsService({ bridge, networkOfPort: (p) => (p === 3 ? 'default/net' : undefined), names: () => table, log: noopLogger });
  service.start();
  return { bridge, service };
}

void test('answers a punted query out of the port it came in on, counting it', async () => {
  const { bridge, service } = setup();
  bridge.emit(packetIn(queryFrame(dnsQuery('web-b')), 3));
  bridge.emit(packetIn(queryFrame(dnsQuery('nobody')), 3));
  await flush();
  assert.equal(bridge.sent.length, 2);
  for (const s of bridge.sent) {
    assert.equal(s.inPort, OFPP.CONTROLLER);
    assert.deepEqual(s.actions, [{ type: 'output', port: 3 }]);
  }
  const rcodes = bridge.sent.map((s) => {
    const f = parseUdpFrame(s.data);
    assert.ok(f.ok);
    return f.value.payload.readUInt16BE(2) & 0x0f;
  });
  assert.deepEqual(rcodes, [RCODE.NOERROR, RCODE.NXDOMAIN]);
  assert.deepEqual(service.counters, { queries: 2, answered: 1, nxdomain: 1, malformed: 0, unknownPort: 0, sendFailures: 0, forwarded: 0, relayed: 0, truncated: 0, servfail: 0, loops: 0 });
});

void test('leaves other packet-ins and messages alone', async () => {
  const { bridge, service } = setup();
  bridge.emit(packetIn(queryFrame(dnsQuery('web-b')), 3, CookieCategory.Pipeline));
  bridge.emit({ type: 'echo_request', xid: 1, data: Buffer.alloc(0) });
  await flush();
  assert.equal(bridge.sent.length, 0);
  assert.equal(service.counters.queries, 0);
});

void test('no reply, but a count, for unknown ports, missing in_port, truncated and malformed packets', async () => {
  const { bridge, service } = setup();
  bridge.emit(packetIn(queryFrame(dnsQuery('web-b')), 9));
  bridge.emit(packetIn(queryFrame(dnsQuery('web-b')), undefined));
  bridge.emit(packetIn(queryFrame(dnsQuery('web-b')).subarray(0, 40), 3, CookieCategory.Dns, 80));
  bridge.emit(packetIn(Buffer.from('not a frame'), 3));
  await flush();
  assert.equal(bridge.sent.length, 0);
  assert.deepEqual(service.counters, { queries: 4, answered: 0, nxdomain: 0, malformed: 3, unknownPort: 1, sendFailures: 0, forwarded: 0, relayed: 0, truncated: 0, servfail: 0, loops: 0 });
});

void test('a failed packet-out or a throwing name table is counted, never thrown into the client', async () => {
  const bridge = new FakeBridge();
  let broken = false;
  const service = new DnsService({
    bridge,
    networkOfPort: () => 'default/net',
    names: () => {
      if (broken) throw new Error('no table');
      return table;
    },
    log: noopLogger,
  });
  service.start();
  bridge.failSend = new Error('switch gone');
  bridge.emit(packetIn(queryFrame(dnsQuery('web-b')), 3));
  broken = true;
  assert.doesNotThrow(() => bridge.emit(packetIn(queryFrame(dnsQuery('web-b')), 3)));
  await flush();
  assert.equal(service.counters.sendFailures, 1);
  assert.equal(service.counters.queries, 2);
});

void test('stop unsubscribes', async () => {
  const { bridge, service } = setup();
  service.stop();
  bridge.emit(packetIn(queryFrame(dnsQuery('web-b')), 3));
  await flush();
  assert.equal(bridge.sent.length, 0);
  assert.equal(bridge.listeners.size, 0);
});

/** A DNS server on loopback: answers every query with `answer(query)` (or nothing when it returns undefined). */
async function loopbackServer(answer: (q: Buffer) => Buffer | undefined): Promise<{ port: number; close: () => Promise<void> }> {
  const sock = dgram.createSocket('udp4');
  sock.on('message', (msg, rinfo) => {
    const a = answer(msg);
    if (a) sock.send(a, rinfo.port, rinfo.address);
  });
  await new Promise<void>((r) => sock.bind(0, '127.0.0.1', () => r()));
  return { port: (sock.address() as AddressInfo).port, close: () => new Promise<void>((r) => sock.close(() => r())) };
}

/** The query echoed as a response: QR set, RCODE 0, `extra` bytes of answer data appended (counts untouched). */
function echoAnswer(q: Buffer, extra = 0): Buffer {
  const a = Buffer.concat([q, Buffer.alloc(extra, 0x61)]);
  a.writeUInt16BE(0x8180, 2);
  return a;
}

function relayed(bridge: FakeBridge): Array<{ id: number; flags: number; length: number; dstPort: number }> {
  return bridge.sent.map((s) => {
    const f = parseUdpFrame(s.data);
    assert.ok(f.ok);
    return { id: f.value.payload.readUInt16BE(0), flags: f.value.payload.readUInt16BE(2), length: f.value.payload.length, dstPort: f.value.dstPort };
  });
}

const until = async (what: string, cond: () => boolean): Promise<void> => {
  for (let i = 0; i < 300 && !cond(); i++) await new Promise((r) => setTimeout(r, 10));
  assert.ok(cond(), what);
};

void test('unknown names go to the upstream and its answer goes back to the container with its own id; known names never leave', async () => {
  const seen: Buffer[] = [];
  const server = await loopbackServer((q) => {
    seen.push(q);
    return echoAnswer(q);
  });
  const bridge = new FakeBridge();
  const forwarder = new DnsForwarder({ upstreams: () => [{ address: '127.0.0.1', port: server.port }], log: noopLogger });
  const service = new DnsService({ bridge, networkOfPort: () => 'default/net', names: () => table, forwarder, log: noopLogger });
  service.start();
  try {
    bridge.emit(packetIn(queryFrame(dnsQuery('example.com', 1, 0x4321)), 3));
    bridge.emit(packetIn(queryFrame(dnsQuery('web-b', 1, 0x1111)), 3));
    await until('two replies', () => bridge.sent.length === 2);
    assert.equal(seen.length, 1, 'only the unknown name was forwarded');
    assert.notEqual(seen[0]?.readUInt16BE(0), 0x4321, 'the upstream sees an id of the agent');
    const byId = new Map(relayed(bridge).map((r) => [r.id, r]));
    assert.equal(byId.get(0x4321)?.flags, 0x8180, 'the upstream answer, relayed as it came');
    assert.equal(byId.get(0x4321)?.dstPort, 40000);
    assert.equal((byId.get(0x1111)?.flags ?? 0) & 0x0400, 0x0400, 'the known name answered by the agent itself');
    assert.deepEqual([service.counters.forwarded, service.counters.relayed, service.counters.servfail], [1, 1, 0]);
  } finally {
    service.stop();
    await forwarder.close();
    await server.close();
  }
});

void test('SERVFAIL (not authoritative) when the upstream stays silent; answers too large to relay are cut to the question with TC', async () => {
  const server = await loopbackServer((q) => (q.includes(Buffer.from('silent')) ? undefined : echoAnswer(q, MAX_RELAYED_MESSAGE)));
  const bridge = new FakeBridge();
  const forwarder = new DnsForwarder({ upstreams: () => [{ address: '127.0.0.1', port: server.port }], attemptTimeoutMs: 50, log: noopLogger });
  const service = new DnsService({ bridge, networkOfPort: () => 'default/net', names: () => table, forwarder, log: noopLogger });
  service.start();
  try {
    bridge.emit(packetIn(queryFrame(dnsQuery('silent.example', 1, 0x0001)), 3));
    bridge.emit(packetIn(queryFrame(dnsQuery('big.example', 1, 0x0002)), 3));
    await until('two replies', () => bridge.sent.length === 2);
    const byId = new Map(relayed(bridge).map((r) => [r.id, r]));
    assert.equal(byId.get(0x0001)?.flags, 0x8182, 'QR RD RA, SERVFAIL, no AA');
    const big = byId.get(0x0002);
    assert.equal((big?.flags ?? 0) & 0x0200, 0x0200, 'TC set');
    assert.equal(big?.length, 12 + dnsQuery('big.example').length - 12);
    assert.deepEqual([service.counters.forwarded, service.counters.relayed, service.counters.truncated, service.counters.servfail], [2, 1, 1, 1]);
  } finally {
    service.stop();
    await forwarder.close();
    await server.close();
  }
});

void test("the agent's own forwarded query punted back to it (an agent behind a Contiv gateway) is dropped, not forwarded again", async () => {
  const bridge = new FakeBridge();
  const forwarded: number[] = [];
  const forwarder = {
    forward: (m: Buffer): Promise<never> => {
      forwarded.push(m.readUInt16BE(0));
      return new Promise<never>(() => undefined);
    },
    isOwnQuery: (srcPort: number, id: number): boolean => srcPort === 40000 && id === 0x0bad,
  };
  const service = new DnsService({ bridge, networkOfPort: () => 'default/net', names: () => table, forwarder, log: noopLogger });
  service.start();
  bridge.emit(packetIn(queryFrame(dnsQuery('outside.example', 1, 0x0bad)), 3));
  bridge.emit(packetIn(queryFrame(dnsQuery('outside.example', 1, 0x0001)), 3));
  await flush();
  assert.deepEqual(forwarded, [0x0001]);
  assert.deepEqual([service.counters.loops, service.counters.forwarded], [1, 1]);
  service.stop();
});
