import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { cidrBits, formatIpv4Masked, formatIpv6, formatIpv6Masked, formatMac, parseIpv4Prefix, parseIpv6, parseIpv6Prefix, parseMac } from './addr';
import { isOpenFlowError } from '../errors';

describe('addresses', () => {
  it('formats IPv6 as glibc inet_ntop does', () => {
    const cases: [string, string][] = [
      ['0:0:0:0:0:0:0:0', '::'],
      ['0:0:0:0:0:0:0:1', '::1'],
      ['fe80:0:0:0:0:0:0:1', 'fe80::1'],
      ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'],
      ['2001:0:0:1:0:0:0:1', '2001:0:0:1::1'],
      ['1:0:1:0:1:0:1:0', '1:0:1:0:1:0:1:0'],
      ['0:0:0:0:0:ffff:c000:201', '::ffff:192.0.2.1'],
      ['0:0:0:0:0:0:c000:201', '::192.0.2.1'],
      ['2001:db8:0:0:0:0:0:0', '2001:db8::'],
    ];
    for (const [full, want] of cases) assert.equal(formatIpv6(parseIpv6(full)), want, full);
  });

  it('parses compressed and IPv4-embedded forms', () => {
    assert.equal(parseIpv6('::ffff:1.2.3.4'), parseIpv6('0:0:0:0:0:ffff:102:304'));
    assert.equal(parseIpv6('fe80::1'), (0xfe80n << 112n) | 1n);
    for (const bad of ['1::2::3', 'fe80:::1', '1:2:3:4:5:6:7:8:9', 'xyz::', '1:2:3:4:5:6:7']) {
      assert.throws(() => parseIpv6(bad), (e) => isOpenFlowError(e, 'OF_INVALID_ARGUMENT'), bad);
    }
  });

  it('prints masks as CIDR when they are prefixes', () => {
    assert.equal(formatIpv4Masked(0x0a000000n, 0xffffff00n), '10.0.0.0/24');
    assert.equal(formatIpv4Masked(0x0a000000n, 0xff00ff00n), '10.0.0.0/255.0.255.0');
    assert.equal(formatIpv6Masked(parseIpv6('2001:db8::'), parseIpv6Prefix('::/32').mask), '2001:db8::/32');
    assert.equal(cidrBits(0n, 32), 0);
    assert.equal(cidrBits(0xffffffffn, 32), 32);
  });

  it('parses prefixes, masking the host bits', () => {
    assert.deepEqual(parseIpv4Prefix('10.1.2.3/16'), { value: 0x0a010000n, mask: 0xffff0000n });
    assert.deepEqual(parseIpv4Prefix('10.1.2.3'), { value: 0x0a010203n });
    assert.deepEqual(parseIpv4Prefix('10.1.2.3/255.0.255.0'), { value: 0x0a000200n, mask: 0xff00ff00n });
    assert.throws(() => parseIpv4Prefix('10.1.2/8'), (e) => isOpenFlowError(e, 'OF_INVALID_ARGUMENT'));
  });

  it('round-trips MACs', () => {
    assert.equal(formatMac(parseMac('AA:bb:0c:1:2:3')), 'aa:bb:0c:01:02:03');
    assert.throws(() => parseMac('aa:bb:cc'), (e) => isOpenFlowError(e, 'OF_INVALID_ARGUMENT'));
  });
});
