import assert from 'node:assert/strict';
import test from 'node:test';
import type { Action, OfMessage } from '@contiv/openflow';
import { OFPP } from '@contiv/openflow';
import { noopLogger } from '@contiv/runtime';
import { CookieCategory, makeCookie } from '../pipeline/framework';
import { RCODE } from './dns-message';
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
  assert.deepEqual(service.counters, { queries: 2, answered: 1, nxdomain: 1, malformed: 0, unknownPort: 0, sendFailures: 0 });
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
  assert.deepEqual(service.counters, { queries: 4, answered: 0, nxdomain: 0, malformed: 3, unknownPort: 1, sendFailures: 0 });
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
