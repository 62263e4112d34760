import assert from 'node:assert/strict';
import { test } from 'node:test';
import { InvalidArgumentError } from 'commander';
import { UsageError } from './errors';
import { checkGateway, checkIpPool, checkPrivateSubnet, checkSubnet, checkSubnetV6, checkVlanRange, parseIntFlag } from './validate';

void test('subnets: CIDR with host or network address, ranges; /32, /0 and bad octets rejected', () => {
  for (const ok of ['100.1.1.1/24', '10.1.1.0/24', '10.1.1.10-10.1.1.20/24', '0.0.0.0/1', '192.168.0.0/31']) checkSubnet(ok);
  for (const bad of ['10.1.1.0', '10.1.1.0/32', '10.1.1.0/0', '10.1.1/24', '256.1.1.0/24', '010.1.1.0/24', ' 10.1.1.0/24', 'x']) {
    assert.throws(() => checkSubnet(bad), UsageError, bad);
  }
});

void test('gateways must be dotted quads', () => {
  checkGateway('100.1.1.100');
  for (const bad of ['100.1.1', '2001:db8::1', '1.2.3.4/24', 'gw']) assert.throws(() => checkGateway(bad), UsageError, bad);
});

void test('IPv6 subnets, IP pools, private subnets and VLAN ranges', () => {
  checkSubnetV6('2001:db8::/64');
  assert.throws(() => checkSubnetV6('2001:db8::'), UsageError);
  assert.throws(() => checkSubnetV6('2001:db8::/129'), UsageError);
  checkIpPool('10.1.1.10-10.1.1.20');
  checkIpPool('10.1.1.10');
  assert.throws(() => checkIpPool('10.1.1.10-'), UsageError);
  checkPrivateSubnet('172.19.0.0/16');
  assert.throws(() => checkPrivateSubnet('172.19.0.0/24'), UsageError);
  checkVlanRange('1-4094');
  assert.throws(() => checkVlanRange('1-4094,5'), UsageError);
});

void test('integer flags', () => {
  const parse = parseIntFlag(0, 100);
  assert.equal(parse('42'), 42);
  assert.throws(() => parse('-1'), InvalidArgumentError);
  assert.throws(() => parse('101'), InvalidArgumentError);
  assert.throws(() => parse('4x'), InvalidArgumentError);
});
