import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatIPv4, parseIPv4 } from './ipv4';
import {
  formatAddressSpans,
  formatIdSpans,
  intersectSpans,
  parseAddressSpan,
  parseIdSpan,
  spansFromSorted,
  subtractSorted,
} from './spans';
import { allocationSpan, cidrContains, cidrsOverlap, hostSpan, parseCidr, parseSubnet } from './subnet';

const ip = (s: string): number => parseIPv4(s) as number;

void describe('ipv4', () => {
  void it('parses dotted quads the way Contiv does', () => {
    assert.equal(parseIPv4('10.1.1.1'), 0x0a010101);
    assert.equal(parseIPv4('255.255.255.255'), 0xffffffff);
    assert.equal(parseIPv4('010.1.1.1'), undefined, 'leading zeros are rejected');
    assert.equal(parseIPv4('10.1.1'), undefined);
    assert.equal(parseIPv4('10.1.1.256'), undefined);
    assert.equal(formatIPv4(0x0a010101), '10.1.1.1');
    assert.equal(formatIPv4(0xffffffff), '255.255.255.255');
  });
});

void describe('subnet', () => {
  void it('parses the plain form and clears host bits', () => {
    const p = parseSubnet('100.1.1.1/24');
    assert.ok(p.ok);
    assert.equal(p.value.cidr, '100.1.1.0/24');
    assert.equal(p.value.text, '100.1.1.1/24');
    assert.equal(p.value.broadcast, ip('100.1.1.255'));
    assert.equal(p.value.range, undefined);
  });

  void it('parses the range form', () => {
    const p = parseSubnet('10.1.1.10-10.1.1.20/24');
    assert.ok(p.ok);
    assert.equal(p.value.cidr, '10.1.1.0/24');
    assert.deepEqual(p.value.range, { start: ip('10.1.1.10'), end: ip('10.1.1.20') });
    assert.deepEqual(allocationSpan(p.value), { start: ip('10.1.1.10'), end: ip('10.1.1.20') });
  });

  void it('rejects what Contiv rejects', () => {
    for (const bad of ['10.1.1.0/32', '10.1.1.0/33', '10.1.1.0/0', '10.1.1.0', '10.1.1.0/24/1', 'x/24', '10.1.1.0/ 24']) {
      assert.equal(parseSubnet(bad).ok, false, bad);
    }
    const rev = parseSubnet('10.1.1.30-10.1.1.20/24');
    assert.ok(!rev.ok);
    assert.match(rev.reason, /start 10\.1\.1\.30 after its end/);
    const out = parseSubnet('10.1.1.30-10.1.2.20/24');
    assert.ok(!out.ok);
    assert.match(out.reason, /outside 10\.1\.1\.0\/24/);
  });

  void it('computes host spans, containment and overlap', () => {
    const a = parseCidr('10.1.0.0/16');
    const b = parseCidr('10.1.5.0/24');
    const c = parseCidr('10.2.0.0/24');
    assert.ok(a.ok && b.ok && c.ok);
    assert.ok(cidrsOverlap(a.value, b.value));
    assert.ok(!cidrsOverlap(b.value, c.value));
    assert.ok(cidrContains(a.value, ip('10.1.255.255')));
    assert.ok(!cidrContains(a.value, ip('10.2.0.0')));
    assert.deepEqual(hostSpan(b.value), { start: ip('10.1.5.1'), end: ip('10.1.5.254') });
    const p31 = parseCidr('10.1.1.0/31');
    assert.ok(p31.ok);
    assert.equal(hostSpan(p31.value), undefined);
    assert.equal(parseCidr('10.1.1.0/33').ok, false);
  });
});

void describe('spans', () => {
  void it('formats address lists like Contiv', () => {
    const used = ['10.1.1.1', '10.1.1.2', '10.1.1.3', '10.1.1.254'].map(ip);
    assert.equal(formatAddressSpans(spansFromSorted(used)), '10.1.1.1-10.1.1.3, 10.1.1.254');
    const free = subtractSorted({ start: ip('10.1.1.1'), end: ip('10.1.1.254') }, used);
    assert.equal(formatAddressSpans(free), '10.1.1.4-10.1.1.253');
    assert.equal(formatAddressSpans([]), '');
  });

  void it('subtracts values at the edges and outside', () => {
    assert.deepEqual(subtractSorted({ start: 1, end: 5 }, [0, 1, 3, 5, 9]), [
      { start: 2, end: 2 },
      { start: 4, end: 4 },
    ]);
    assert.deepEqual(subtractSorted({ start: 1, end: 3 }, []), [{ start: 1, end: 3 }]);
    assert.deepEqual(subtractSorted({ start: 1, end: 3 }, [1, 2, 3]), []);
  });

  void it('parses ranges', () => {
    assert.deepEqual(parseIdSpan('1-4094'), { start: 1, end: 4094 });
    assert.equal(parseIdSpan('5-1'), undefined);
    assert.equal(parseIdSpan('5'), undefined);
    assert.deepEqual(parseAddressSpan('10.1.1.5'), { start: ip('10.1.1.5'), end: ip('10.1.1.5') });
    assert.deepEqual(parseAddressSpan('10.1.1.5-10.1.1.9'), { start: ip('10.1.1.5'), end: ip('10.1.1.9') });
    assert.equal(parseAddressSpan('10.1.1.9-10.1.1.5'), undefined);
    assert.equal(formatIdSpans(spansFromSorted([1, 2, 3, 7])), '1-3, 7');
    assert.deepEqual(intersectSpans({ start: 1, end: 5 }, { start: 4, end: 9 }), { start: 4, end: 5 });
    assert.equal(intersectSpans({ start: 1, end: 2 }, { start: 4, end: 9 }), undefined);
  });
});
