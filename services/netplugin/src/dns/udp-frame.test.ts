import assert from 'node:assert/strict';
import test from 'node:test';
import { parseIPv4 } from '@contiv/model';
import { QUERY_WEB_B, REPLY_WEB_B } from './testing/frames';
import { buildUdpFrame, internetChecksum, parseUdpFrame, udpChecksum } from './udp-frame';

const ip = (s: string): number => parseIPv4(s) as number;

void test('parses the addresses, ports and payload of a captured query frame', () => {
  const r = parseUdpFrame(QUERY_WEB_B);
  assert.ok(r.ok);
  assert.equal(r.value.srcMac.toString('hex'), '02020a010101');
  assert.equal(r.value.dstMac.toString('hex'), '000011111111');
  assert.equal(r.value.srcIp, ip('10.1.1.1'));
  assert.equal(r.value.dstIp, ip('192.0.2.53'));
  assert.equal(r.value.srcPort, 50000);
  assert.equal(r.value.dstPort, 53);
  assert.equal(r.value.payload.length, 0x36 - 8);
});

void test('builds the reference reply byte for byte, IPv4 and UDP checksums included', () => {
  const r = parseUdpFrame(REPLY_WEB_B);
  assert.ok(r.ok);
  assert.equal(buildUdpFrame(r.value).toString('hex'), REPLY_WEB_B.toString('hex'));
  // A receiver's check: the checksum over a correct header (or datagram + pseudo-header) is 0.
  assert.equal(internetChecksum(REPLY_WEB_B.subarray(14, 34)), 0);
  assert.equal(udpChecksum(ip('192.0.2.53'), ip('10.1.1.1'), REPLY_WEB_B.subarray(34)), 0xffff);
});

void test('Ethernet padding after the IPv4 packet is not payload', () => {
  const padded = Buffer.concat([QUERY_WEB_B, Buffer.alloc(20)]);
  const a = parseUdpFrame(padded);
  const b = parseUdpFrame(QUERY_WEB_B);
  assert.ok(a.ok && b.ok);
  assert.deepEqual(a.value.payload, b.value.payload);
});

void test('rejects what is not a whole unfragmented IPv4/UDP frame', () => {
  const edit = (at: number, bytes: number[]): Buffer => {
    const f = Buffer.from(QUERY_WEB_B);
    Buffer.from(bytes).copy(f, at);
    return f;
  };
  const cases: Array<[string, Buffer, RegExp]> = [
    ['too short', QUERY_WEB_B.subarray(0, 41), /too short/],
    ['ARP', edit(12, [0x08, 0x06]), /not IPv4/],
    ['IPv6 version', edit(14, [0x65]), /version 6/],
    ['header length 16', edit(14, [0x44]), /below 20/],
    ['total length past the frame', edit(16, [0x00, 0xff]), /exceeds/],
    ['total length without UDP header', edit(16, [0x00, 0x18]), /no room/],
    ['fragment (MF)', edit(20, [0x20, 0x00]), /fragment/],
    ['fragment (offset)', edit(20, [0x00, 0x10]), /fragment/],
    ['TCP', edit(23, [6]), /not UDP/],
    ['UDP length past the packet', edit(38, [0x00, 0x37]), /UDP length/],
    ['UDP length below 8', edit(38, [0x00, 0x07]), /UDP length/],
  ];
  for (const [what, frame, reason] of cases) {
    const r = parseUdpFrame(frame);
    assert.equal(r.ok, false, what);
    if (!r.ok) assert.match(r.reason, reason, what);
  }
});
