import assert from 'node:assert/strict';
import test from 'node:test';
import { ANSWER_TTL, MAX_ANSWERS, buildDnsReply, parseDnsQuery, QTYPE, RCODE } from './dns-message';
import { dnsQuery, QUERY_WEB_B } from './testing/frames';

const DIG_QUERY = QUERY_WEB_B.subarray(14 + 20 + 8);

function parsed(msg: Buffer): ReturnType<typeof parseDnsQuery> & { ok: true } {
  const r = parseDnsQuery(msg);
  assert.ok(r.ok, r.ok ? '' : r.reason);
  return r;
}

void test('parses a dig query with an EDNS OPT record: id, name, type, class, RD echoed and AD not', () => {
  const q = parsed(DIG_QUERY).value;
  assert.equal(q.id, 0xabcd);
  assert.equal(q.name, 'web-b');
  assert.equal(q.plainName, true);
  assert.equal(q.qtype, QTYPE.A);
  assert.equal(q.qclass, 1);
  assert.equal(q.echoedFlags, 0x0100);
  assert.equal(q.question.toString('hex'), '05' + Buffer.from('web-b').toString('hex') + '00' + '0001' + '0001');
});

void test('names: several labels, case kept as sent, root, and labels that cannot be a plain name', () => {
  assert.equal(parsed(dnsQuery('Web.Example.COM')).value.name, 'Web.Example.COM');
  assert.equal(parsed(dnsQuery('')).value.name, '');
  const dotted = Buffer.concat([Buffer.from('12340100000100000000000003612e62000001 0001'.replace(/ /g, ''), 'hex')]);
  const d = parsed(dotted).value;
  assert.equal(d.name, 'a.b');
  assert.equal(d.plainName, false);
  assert.equal(parsed(dnsQuery('a b')).value.plainName, false);
});

void test('rejects responses, other opcodes, question counts other than 1, other classes and broken names', () => {
  const withHeader = (offset: number, value: number, msg = dnsQuery('web')): Buffer => {
    const m = Buffer.from(msg);
    m.writeUInt16BE(value, offset);
    return m;
  };
  const long = Buffer.concat([Buffer.from('123401000001000000000000', 'hex'), ...Array.from({ length: 5 }, () => Buffer.concat([Buffer.from([63]), Buffer.alloc(63, 0x61)])), Buffer.from([0, 0, 1, 0, 1])]);
  const cases: Array<[string, Buffer, RegExp]> = [
    ['short header', Buffer.alloc(11), /shorter than its header/],
    ['response', withHeader(2, 0x8100), /is a response/],
    ['NOTIFY opcode', withHeader(2, 0x2000), /opcode 4/],
    ['no question', withHeader(4, 0), /0 questions/],
    ['two questions', withHeader(4, 2), /2 questions/],
    ['answer records', withHeader(6, 1), /1 answer/],
    ['class CH', dnsQuery('web', 1, 1, 3), /class 3 is not IN/],
    ['compression pointer', Buffer.from('123401000001000000000000c00c00010001', 'hex'), /compression/],
    ['label past the end', Buffer.from('1234010000010000000000000a7765', 'hex'), /runs past/],
    ['name without end', Buffer.from('12340100000100000000000003776562', 'hex'), /runs past/],
    ['no type and class', Buffer.from('123401000001000000000000037765620000', 'hex'), /no type and class/],
    ['name over 255 bytes', long, /longer than 255/],
  ];
  for (const [what, msg, reason] of cases) {
    const r = parseDnsQuery(msg);
    assert.equal(r.ok, false, what);
    if (!r.ok) assert.match(r.reason, reason, what);
  }
});

void test('an answer: QR AA RA set, RD echoed, question echoed as sent, A records with TTL 120', () => {
  const q = parsed(dnsQuery('WeB', QTYPE.A, 0x4242)).value;
  const r = buildDnsReply(q, RCODE.NOERROR, [0x0a010102, 0x0a010103]);
  assert.equal(
    r.toString('hex'),
    '4242' + '8580' + '0001' + '0002' + '0000' + '0000' + '03576542' + '00' + '0001' + '0001' +
      'c00c00010001' + ANSWER_TTL.toString(16).padStart(8, '0') + '0004' + '0a010102' +
      'c00c00010001' + '00000078' + '0004' + '0a010103',
  );
});

void test('NXDOMAIN has no answers; more than 10 addresses are cut to 10', () => {
  const q = parsed(dnsQuery('nope')).value;
  const nx = buildDnsReply(q, RCODE.NXDOMAIN);
  assert.equal(nx.readUInt16BE(2), 0x8583);
  assert.equal(nx.readUInt16BE(6), 0);
  assert.equal(nx.length, 12 + q.question.length);
  const many = buildDnsReply(q, RCODE.NOERROR, Array.from({ length: 12 }, (_, i) => 0x0a000001 + i));
  assert.equal(many.readUInt16BE(6), MAX_ANSWERS);
  assert.equal(many.length, 12 + q.question.length + MAX_ANSWERS * 16);
});
