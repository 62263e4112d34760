import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isModelError } from '../errors';
import { ruleStateCodec } from '../state-codec';
import { policyKey, validatePolicy } from './policy';
import { ipProtocolNumber, ruleKey, ruleMatchGroup, rulesEqual, ruleSpec, ruleStateOf, validateRule } from './rule';
import { applyRestKey } from './validate';

function message(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    assert.ok(isModelError(err, 'MODEL_INVALID'), String(err));
    return err.message;
  }
  assert.fail('expected a validation error');
}

void describe('policy', () => {
  void it('accepts what netctl sends and names bad fields', () => {
    assert.deepEqual(validatePolicy({ policyName: 'prod-web', tenantName: 'blue', 'link-sets': {}, links: { Tenant: {} } }), { policyName: 'prod-web', tenantName: 'blue' });
    assert.equal(policyKey('blue', 'prod-web'), 'blue:prod-web');
    assert.equal(message(() => validatePolicy({ policyName: 'p_1', tenantName: 'blue' })), 'policy blue:p_1: policyName "p_1" is not a valid name (letters, digits and "-", dot-separated, starting and ending with a letter or digit)');
    assert.match(message(() => validatePolicy({ tenantName: 'blue' })), /policyName is required/);
    assert.match(message(() => validatePolicy({ policyName: 'a'.repeat(65), tenantName: 'blue' })), /policyName is longer than 64 characters/);
  });
});

// What netctl sends for `policy rule-add -t blue -d in -l tcp -P 80 -j allow prod-web 1` (CONTIV-REST.md).
const inRule = { action: 'allow', direction: 'in', policyName: 'prod-web', port: 80, priority: 1, protocol: 'tcp', ruleId: '1', tenantName: 'blue' };

void describe('rule', () => {
  void it('accepts Contiv’s bodies, applies the default priority and drops links', () => {
    assert.deepEqual(validateRule({ ...inRule, 'link-sets': {}, links: { MatchEndpointGroup: {} } }), inRule);
    const { priority: _p, ...noPriority } = inRule;
    assert.equal(validateRule(noPriority).priority, 1);
    const out = validateRule({ action: 'allow', direction: 'out', policyName: 'prod-web', port: 53, protocol: 'udp', ruleId: '4', tenantName: 'blue', toIpAddress: '10.2.0.0/16' });
    assert.equal(out.toIpAddress, '10.2.0.0/16');
    assert.equal(ruleKey('blue', 'prod-web', '4'), 'blue:prod-web:4');
  });

  void it('fills the three key fields from the URL key', () => {
    const body = applyRestKey(ruleSpec, { action: 'deny', direction: 'in' }, 'blue:p1:r2');
    assert.deepEqual(validateRule(body), { action: 'deny', direction: 'in', policyName: 'p1', priority: 1, ruleId: 'r2', tenantName: 'blue' });
    assert.match(message(() => applyRestKey(ruleSpec, {}, 'blue:p1')), /invalid key "blue:p1" \(expected tenantName:policyName:ruleId\)/);
  });

  void it('checks each field’s format, naming it', () => {
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ direction: 'both' }, /direction "both" is not in or out/],
      [{ direction: '' }, /direction is required/],
      [{ action: 'drop' }, /action "drop" is not allow or deny/],
      [{ action: undefined }, /action is required/],
      [{ priority: 0 }, /priority 0 is out of range \(1-100\)/],
      [{ priority: 101 }, /priority 101 is out of range \(1-100\)/],
      [{ priority: '5' }, /priority must be an integer/],
      [{ port: 65536 }, /port 65536 is out of range \(0-65535\)/],
      [{ port: -1 }, /port -1 is out of range/],
      [{ protocol: 'sctp' }, /protocol "sctp" is not tcp, udp, icmp or an IP protocol number/],
      [{ protocol: '300', port: 0 }, /protocol "300" is not tcp, udp, icmp or an IP protocol number \(0-255\)/],
      [{ fromIpAddress: '10.1.1.0/32' }, /fromIpAddress "10\.1\.1\.0\/32" is not a valid IPv4 address/],
      [{ fromIpAddress: '10.1.1.9-3' }, /fromIpAddress "10\.1\.1\.9-3" has its range end before its start/],
      [{ fromEndpointGroup: 'bad_name' }, /fromEndpointGroup "bad_name" is not a valid name/],
      [{ ruleId: 'r:1' }, /ruleId "r:1" is not a valid name/],
    ];
    for (const [over, re] of cases) assert.match(message(() => validateRule({ ...inRule, ...over })), re, JSON.stringify(over));
    assert.equal(validateRule({ ...inRule, fromIpAddress: '10.1.1.1-20/24' }).fromIpAddress, '10.1.1.1-20/24');
    assert.equal(validateRule({ ...inRule, protocol: '6' }).protocol, '6');
  });

  void it('applies Contiv’s direction rules to the match fields', () => {
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ toEndpointGroup: 'db' }, /can not specify 'to' parameters in incoming rule \(toEndpointGroup "db"\)/],
      [{ toNetwork: 'n1' }, /can not specify 'to' parameters in incoming rule \(toNetwork "n1"\)/],
      [{ fromNetwork: 'n1', fromIpAddress: '10.1.1.1' }, /can not specify both fromNetwork and fromIpAddress/],
      [{ fromNetwork: 'n1', fromEndpointGroup: 'web' }, /can not specify both fromNetwork and fromEndpointGroup/],
      [{ direction: 'out', fromEndpointGroup: 'web' }, /can not specify 'from' parameters in outgoing rule \(fromEndpointGroup "web"\)/],
      [{ direction: 'out', fromIpAddress: '10.1.1.1' }, /can not specify 'from' parameters in outgoing rule/],
      [{ direction: 'out', toNetwork: 'n1', toIpAddress: '10.1.1.1' }, /can not specify both toNetwork and toIpAddress/],
      [{ direction: 'out', toNetwork: 'n1', toEndpointGroup: 'db' }, /can not specify both toNetwork and toEndpointGroup/],
      [{ protocol: 'icmp' }, /port 80 needs protocol tcp or udp \(protocol is "icmp"\)/],
      [{ protocol: undefined }, /port 80 needs protocol tcp or udp \(protocol is not set\)/],
    ];
    for (const [over, re] of cases) assert.match(message(() => validateRule({ ...inRule, ...over })), re, JSON.stringify(over));
    // An incoming rule may match its destination address (Contiv's form for Kubernetes policies).
    assert.equal(validateRule({ ...inRule, toIpAddress: '10.1.1.5' }).toIpAddress, '10.1.1.5');
    assert.equal(validateRule({ ...inRule, fromEndpointGroup: 'web', fromIpAddress: '10.1.1.0/24' }).fromEndpointGroup, 'web');
    assert.equal(validateRule({ ...inRule, protocol: '17' }).port, 80);
  });

  void it('resolves the state record, the match group and equality', () => {
    const r = validateRule({ ...inRule, fromEndpointGroup: 'web' });
    const st = ruleStateOf(r);
    assert.deepEqual(st, {
      tenantName: 'blue', policyName: 'prod-web', ruleId: '1', direction: 'in', priority: 1,
      fromEndpointGroup: 'web', toEndpointGroup: '', fromNetwork: '', toNetwork: '', fromIpAddress: '', toIpAddress: '',
      protocol: 'tcp', ipProtocol: 6, port: 80, action: 'allow',
    });
    assert.deepEqual(ruleStateCodec.decode(ruleStateCodec.encode(st)), st);
    assert.equal(ruleMatchGroup(r), 'web');
    assert.equal(ruleMatchGroup(validateRule({ ...inRule, direction: 'out', toEndpointGroup: 'db' })), 'db');
    assert.ok(rulesEqual(r, validateRule({ ...inRule, fromEndpointGroup: 'web', priority: undefined })));
    assert.ok(!rulesEqual(r, validateRule({ ...inRule, fromEndpointGroup: 'web', action: 'deny' })));
    assert.deepEqual([ipProtocolNumber(''), ipProtocolNumber('udp'), ipProtocolNumber('icmp'), ipProtocolNumber('47')], [0, 17, 1, 47]);
  });
});
