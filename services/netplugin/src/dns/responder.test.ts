import assert from 'node:assert/strict';
import test from 'node:test';
import { QTYPE, RCODE } from './dns-message';
import { buildNameTable } from './name-table';
import { respond } from './responder';
import { dnsQuery, endpoint, QUERY_WEB_B, queryFrame, REPLY_WEB_B } from './testing/frames';
import { parseUdpFrame } from './udp-frame';

const table = buildNameTable([
  endpoint({ endpointId: 'e2', ipAddress: '10.1.1.2', containerName: '/web-b' }),
  endpoint({ endpointId: 'e3', ipAddress: '10.1.1.3', containerName: 'red-c', tenantName: 'red' }),
]);

function reply(frame: Buffer, network = 'default/net'): { rcode: number; answers: number; dns: Buffer } {
  const out = respond(frame, network, table);
  assert.equal(out.kind, 'reply', out.kind === 'ignored' ? out.reason : '');
  if (out.kind !== 'reply') throw new Error('unreachable');
  const udp = parseUdpFrame(out.frame);
  assert.ok(udp.ok);
  return { rcode: out.rcode, answers: out.answers, dns: udp.value.payload };
}

void test('answers the captured dig query with exactly the reference reply frame', () => {
  const out = respond(QUERY_WEB_B, 'default/net', table);
  assert.equal(out.kind, 'reply');
  if (out.kind === 'reply') {
    assert.equal(out.frame.toString('hex'), REPLY_WEB_B.toString('hex'));
    assert.deepEqual([out.name, out.qtype, out.rcode, out.answers], ['web-b', QTYPE.A, RCODE.NOERROR, 1]);
  }
});

void test('the reply goes back to the querier from the resolver it asked', () => {
  const out = respond(queryFrame(dnsQuery('web-b')), 'default/net', table);
  assert.ok(out.kind === 'reply');
  const q = parseUdpFrame(queryFrame(dnsQuery('web-b')));
  const r = parseUdpFrame(out.frame);
  assert.ok(q.ok && r.ok);
  assert.deepEqual([r.value.srcMac, r.value.dstMac, r.value.srcIp, r.value.dstIp, r.value.srcPort, r.value.dstPort], [q.value.dstMac, q.value.srcMac, q.value.dstIp, q.value.srcIp, 53, 40000]);
});

void test('case and the trailing dot do not matter; the question is echoed as sent', () => {
  const r = reply(queryFrame(dnsQuery('WEB-B.')));
  assert.equal(r.rcode, RCODE.NOERROR);
  assert.equal(r.answers, 1);
  assert.equal(r.dns.subarray(12, 12 + 7).toString('latin1'), '\x05WEB-B\x00');
});

void test('ANY gets the A records; AAAA and other types of a known name get NOERROR without answers', () => {
  const outcome = (qtype: number): [number, number] => {
    const r = reply(queryFrame(dnsQuery('web-b', qtype)));
    return [r.rcode, r.answers];
  };
  assert.deepEqual(outcome(QTYPE.ANY), [RCODE.NOERROR, 1]);
  assert.deepEqual(outcome(QTYPE.AAAA), [RCODE.NOERROR, 0]);
  assert.deepEqual(outcome(16), [RCODE.NOERROR, 0]);
});

void test("unknown names, another tenant's names, and labels with dots get NXDOMAIN when forwarding is off", () => {
  assert.equal(reply(queryFrame(dnsQuery('example.com'))).rcode, RCODE.NXDOMAIN);
  assert.equal(reply(queryFrame(dnsQuery('red-c'))).rcode, RCODE.NXDOMAIN);
  assert.equal(reply(queryFrame(dnsQuery('red-c')), 'red/net').rcode, RCODE.NOERROR);
  assert.equal(reply(queryFrame(dnsQuery('web-b')), 'nobody/net').rcode, RCODE.NXDOMAIN);
  assert.equal(reply(queryFrame(dnsQuery('web-b')), 'default/other-net').rcode, RCODE.NOERROR, 'a name of another network of the tenant');
  const dotted = Buffer.from('123401000001000000000000057765622e62000001 0001'.replace(/ /g, ''), 'hex');
  assert.equal(reply(queryFrame(dotted)).rcode, RCODE.NXDOMAIN);
});

void test('with forwarding on, what the tenant does not have is to be forwarded, with the parsed query', () => {
  const fwd = (frame: Buffer, network = 'default/net'): string => {
    const out = respond(frame, network, table, true);
    return out.kind === 'forward' ? `forward ${out.query.name} ${out.udp.srcPort}` : out.kind;
  };
  assert.equal(fwd(queryFrame(dnsQuery('example.com'))), 'forward example.com 40000');
  assert.equal(fwd(queryFrame(dnsQuery('red-c'))), 'forward red-c 40000');
  assert.equal(fwd(queryFrame(dnsQuery('web-b'))), 'reply');
  assert.equal(fwd(queryFrame(dnsQuery('web-b', QTYPE.AAAA))), 'reply', 'a known name is never forwarded, whatever the type');
  assert.equal(fwd(queryFrame(Buffer.alloc(5))), 'ignored');
});

void test('no reply to malformed frames, other ports, or DNS messages that are not one IN query', () => {
  const ignored = (frame: Buffer): string => {
    const out = respond(frame, 'default/net', table);
    assert.equal(out.kind, 'ignored');
    return out.kind === 'ignored' ? out.reason : '';
  };
  assert.match(ignored(QUERY_WEB_B.subarray(0, 30)), /too short/);
  assert.match(ignored(queryFrame(dnsQuery('web-b'), 5353)), /not 53/);
  assert.match(ignored(queryFrame(Buffer.alloc(5))), /shorter than its header/);
  assert.match(ignored(queryFrame(dnsQuery('web-b', QTYPE.A, 1, 255))), /not IN/);
  const response = dnsQuery('web-b');
  response.writeUInt16BE(0x8180, 2);
  assert.match(ignored(queryFrame(response)), /response/);
});
