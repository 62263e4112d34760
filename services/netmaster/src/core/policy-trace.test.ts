import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compilePolicyRules, type GroupState, type RuleState } from '@contiv/model';
import { isNetmasterError } from '../errors';
import { matchSummary, tracePacketProtocol } from './policy-trace';

function refused(fn: () => unknown, re: RegExp): void {
  assert.throws(fn, (err: unknown) => isNetmasterError(err, 'INVALID_ARGUMENT') && re.test(err.message));
}

void describe('policy trace: the traced packet', () => {
  void it('defaults to tcp with a port and icmp without', () => {
    assert.deepEqual(tracePacketProtocol(undefined, '8080'), { protocol: 'tcp', ipProtocol: 6, port: 8080 });
    assert.deepEqual(tracePacketProtocol(undefined, undefined), { protocol: 'icmp', ipProtocol: 1, port: 0 });
    assert.deepEqual(tracePacketProtocol('udp', '53'), { protocol: 'udp', ipProtocol: 17, port: 53 });
    assert.deepEqual(tracePacketProtocol('47', undefined), { protocol: '47', ipProtocol: 47, port: 0 });
    assert.deepEqual(tracePacketProtocol('6', '1'), { protocol: 'tcp', ipProtocol: 6, port: 1 });
  });

  void it('refuses what no packet carries, naming the parameter', () => {
    refused(() => tracePacketProtocol('tcp', undefined), /^protocol tcp needs a port/);
    refused(() => tracePacketProtocol('icmp', '7'), /^port 7 needs protocol tcp or udp/);
    refused(() => tracePacketProtocol('0', undefined), /^protocol "0"/);
    refused(() => tracePacketProtocol('TCP', '80'), /^protocol "TCP"/);
    refused(() => tracePacketProtocol(undefined, '08x'), /^port "08x"/);
    refused(() => tracePacketProtocol(undefined, '99999'), /^port "99999"/);
  });
});

void describe('policy trace: rule match summary', () => {
  const group = (groupName: string, groupId: number, policies: string[]): GroupState => ({
    tenantName: 't', groupName, networkName: 'n', groupId, policies, ipPool: '', groupTag: '', netProfile: '', bandwidthKbps: 0, burstKb: 0, dscp: 0,
  });
  const rule = (ruleId: string, over: Partial<RuleState>): RuleState => ({
    tenantName: 't', policyName: 'p', ruleId, direction: 'in', priority: 1, fromEndpointGroup: '', toEndpointGroup: '', fromNetwork: '', toNetwork: '',
    fromIpAddress: '', toIpAddress: '', protocol: '', ipProtocol: 0, port: 0, action: 'allow', ...over,
  });

  void it('says what the compiled rule matches in rule-add’s words', () => {
    const states = [
      rule('1', {}),
      rule('2', { fromEndpointGroup: 'db', protocol: 'tcp', ipProtocol: 6, port: 5432 }),
      rule('3', { direction: 'out', toNetwork: 'n', protocol: '47', ipProtocol: 47 }),
      rule('4', { direction: 'out', toIpAddress: '10.1.1.5-9', protocol: 'udp', ipProtocol: 17 }),
    ];
    const groups = [group('web', 1, ['p']), group('db', 2, [])];
    const compiled = compilePolicyRules({ groups, rules: states, networks: [{ tenantName: 't', networkName: 'n', nwType: 'data', encap: 'vxlan', pktTag: 1, extPktTag: 1, subnet: '10.1.1.0/24', ipRange: '', gateway: '', ipv6Subnet: '', ipv6Gateway: '', networkTag: '', origin: 'contiv' }] });
    const names = new Map(groups.map((g) => [g.groupId, g.groupName]));
    const summary = (id: string): string => {
      const r = compiled.find((c) => c.ruleId === id);
      assert.ok(r, id);
      return matchSummary(r, states.find((s) => s.ruleId === id), names);
    };
    assert.equal(summary('1'), 'any traffic');
    assert.equal(summary('2'), 'from group db, tcp port 5432');
    assert.equal(summary('3'), 'to network n, protocol 47');
    assert.equal(summary('4'), 'to 10.1.1.5-9, udp');
  });
});
