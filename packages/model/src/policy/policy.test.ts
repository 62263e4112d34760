import assert from 'node:assert/strict';
import test from 'node:test';
import { parseIPv4 } from '../ip/ipv4';
import type { GroupState, NetworkState, RuleState } from '../state';
import { compilePolicyRules, rangeToPrefixes, ruleAddressPrefixes } from './compile';
import { evaluatePolicy, type TracePacket } from './evaluate';

const group = (groupName: string, groupId: number, policies: string[] = []): GroupState => ({
  tenantName: 'blue', groupName, networkName: 'net1', groupId, policies, ipPool: '', groupTag: '', netProfile: '', bandwidthKbps: 0, burstKb: 0, dscp: 0,
});
const net: NetworkState = {
  tenantName: 'blue', networkName: 'net1', nwType: 'data', encap: 'vxlan', pktTag: 1, extPktTag: 1, subnet: '10.1.1.0/24', ipRange: '', gateway: '',
  ipv6Subnet: '', ipv6Gateway: '', networkTag: '', origin: 'contiv',
};
const rule = (ruleId: string, p: Partial<RuleState>): RuleState => ({
  tenantName: 'blue', policyName: 'prod-web', ruleId, direction: 'in', priority: 1, fromEndpointGroup: '', toEndpointGroup: '', fromNetwork: '', toNetwork: '',
  fromIpAddress: '', toIpAddress: '', protocol: '', ipProtocol: 0, port: 0, action: 'allow', ...p,
});
const ip = (s: string): number => parseIPv4(s) as number;
const pkt = (p: Partial<TracePacket>): TracePacket => ({ srcGroupId: 2, dstGroupId: 1, srcIp: ip('10.1.1.2'), dstIp: ip('10.1.1.1'), ipProtocol: 6, dstPort: 80, ...p });

void test("the issue's example: tcp 80 allowed, other ports and ping denied, at equal priority", () => {
  const rules = compilePolicyRules({
    groups: [group('web', 1, ['prod-web']), group('client', 2)],
    networks: [net],
    rules: [rule('1', { protocol: 'tcp', ipProtocol: 6, port: 80 }), rule('2', { action: 'deny' })],
  });
  assert.deepEqual(rules.map((r) => r.ruleId), ['1', '2']);
  assert.equal(evaluatePolicy(rules, pkt({})).action, 'allow');
  const denied = evaluatePolicy(rules, pkt({ dstPort: 22 }));
  assert.equal(denied.action, 'deny');
  assert.equal(denied.steps[1]?.rule?.ruleId, '2');
  assert.equal(evaluatePolicy(rules, pkt({ ipProtocol: 1, dstPort: 0 })).action, 'deny');
  // web's own traffic out is not subject to its in rules.
  assert.equal(evaluatePolicy(rules, pkt({ srcGroupId: 1, dstGroupId: 2, dstPort: 22 })).action, 'allow');
});

void test('higher priority wins; at equal priority and specificity deny wins', () => {
  const rules = compilePolicyRules({
    groups: [group('web', 1, ['prod-web'])],
    networks: [net],
    rules: [rule('a', { protocol: 'tcp', ipProtocol: 6, action: 'allow', priority: 5 }), rule('b', { protocol: 'udp', ipProtocol: 17, action: 'deny', priority: 5 }), rule('c', { action: 'deny', priority: 10 })],
  });
  assert.equal(evaluatePolicy(rules, pkt({})).steps[1]?.rule?.ruleId, 'c');
  const tie = compilePolicyRules({ groups: [group('web', 1, ['prod-web'])], networks: [net], rules: [rule('x', { protocol: 'tcp', ipProtocol: 6 }), rule('y', { protocol: 'tcp', ipProtocol: 6, action: 'deny' })] });
  assert.equal(evaluatePolicy(tie, pkt({})).steps[1]?.rule?.ruleId, 'y');
});

void test('peers by group, network and address; out rules of the sender', () => {
  const rules = compilePolicyRules({
    groups: [group('web', 1, ['prod-web']), group('client', 2), group('db', 3)],
    networks: [net],
    rules: [
      rule('g', { fromEndpointGroup: 'client', action: 'deny', priority: 3 }),
      rule('n', { fromNetwork: 'net1', protocol: 'udp', ipProtocol: 17, action: 'deny', priority: 2 }),
      rule('i', { fromIpAddress: '10.1.1.8-9', action: 'deny', priority: 2 }),
      rule('o', { direction: 'out', toEndpointGroup: 'db', action: 'deny', priority: 2 }),
    ],
  });
  assert.equal(evaluatePolicy(rules, pkt({})).action, 'deny');
  assert.equal(evaluatePolicy(rules, pkt({ srcGroupId: 0, ipProtocol: 17 })).steps[1]?.rule?.ruleId, 'n');
  assert.equal(evaluatePolicy(rules, pkt({ srcGroupId: 0, srcIp: ip('10.1.1.9') })).steps[1]?.rule?.ruleId, 'i');
  assert.equal(evaluatePolicy(rules, pkt({ srcGroupId: 0, srcIp: ip('10.1.1.10') })).action, 'allow');
  const out = evaluatePolicy(rules, pkt({ srcGroupId: 1, dstGroupId: 3 }));
  assert.deepEqual([out.action, out.steps.length, out.steps[0]?.rule?.ruleId], ['deny', 1, 'o']);
});

void test("an in rule's toIpAddress limits it to those members' addresses", () => {
  const rules = compilePolicyRules({ groups: [group('web', 1, ['prod-web'])], networks: [net], rules: [rule('t', { toIpAddress: '10.1.1.1', action: 'deny' })] });
  assert.equal(evaluatePolicy(rules, pkt({})).action, 'deny');
  assert.equal(evaluatePolicy(rules, pkt({ dstIp: ip('10.1.1.5') })).action, 'allow');
});

void test('rules of a policy no group uses compile to nothing', () => {
  assert.deepEqual(compilePolicyRules({ groups: [group('web', 1)], networks: [net], rules: [rule('1', { action: 'deny' })] }), []);
});

void test('address ranges become the fewest prefixes', () => {
  assert.deepEqual(rangeToPrefixes(ip('10.0.0.5'), ip('10.0.0.12')).map((p) => p.text), ['10.0.0.5/32', '10.0.0.6/31', '10.0.0.8/30', '10.0.0.12/32']);
  assert.deepEqual(ruleAddressPrefixes('10.0.0.0-255').map((p) => p.text), ['10.0.0.0/24']);
  assert.deepEqual(ruleAddressPrefixes('10.1.2.3/16').map((p) => p.text), ['10.1.0.0/16']);
  assert.deepEqual(ruleAddressPrefixes('10.1.2.3').map((p) => p.text), ['10.1.2.3/32']);
});
