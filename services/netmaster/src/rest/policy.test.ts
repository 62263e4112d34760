import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ruleStateCodec, ruleStateKey } from '@contiv/model';
import { startFixture, type Fixture } from '../testing/fixture';

const GO = { 'user-agent': 'Go-http-client/1.1' };
const errorOf = (json: unknown): { code: string; message: string } => (json as { error: { code: string; message: string } }).error;

void describe('REST API: policies and rules', () => {
  let f: Fixture;
  before(async () => {
    f = await startFixture();
    const net = { encap: 'vxlan', networkName: 'net1', subnet: '10.1.1.0/24', tenantName: 'blue' };
    assert.equal((await f.request('POST', '/api/v1/tenants/blue/', { tenantName: 'blue' })).status, 200);
    assert.equal((await f.request('POST', '/api/v1/networks/blue:net1/', net)).status, 200);
  });
  after(async () => {
    await f.close();
  });

  void it('creates a policy as Contiv’s netctl sends it and links it to its tenant', async () => {
    const r = await f.request('POST', '/api/v1/policys/blue:prod-web/', { policyName: 'prod-web', tenantName: 'blue', 'link-sets': {}, links: { Tenant: {} } }, GO);
    assert.equal(r.status, 200, r.text);
    assert.equal(r.text, '{"key":"blue:prod-web","policyName":"prod-web","tenantName":"blue","link-sets":{},"links":{"Tenant":{"type":"tenant","key":"blue"}}}');
    assert.deepEqual((await f.request('GET', '/api/v1/policys/blue:prod-web')).json, r.json);
    assert.deepEqual((await f.request('GET', '/api/v1/policys/')).json, [r.json]);
    const again = await f.request('POST', '/api/v1/policys/blue:prod-web/', {}, GO);
    assert.equal(again.status, 200, 'a re-POST is a no-op (Contiv: update does nothing)');
    const tenant = (await f.request('GET', '/api/v1/tenants/blue/')).json as Record<string, Record<string, unknown>>;
    assert.deepEqual(tenant['link-sets']?.Policies, { 'blue:prod-web': { type: 'policy', key: 'blue:prod-web' } });
    const oper = (await f.request('GET', '/api/v1/inspect/tenants/blue/')).json as { Oper: Record<string, unknown> };
    assert.equal(oper.Oper.totalPolicies, 1);
  });

  void it('refuses bad policies clearly', async () => {
    const noTenant = await f.request('POST', '/api/v1/policys/nosuch:p/', {});
    assert.equal(noTenant.status, 404);
    assert.match(errorOf(noTenant.json).message, /Tenant nosuch not found/);
    const bad = await f.request('POST', '/api/v1/policys/blue:p_1/', {});
    assert.equal(bad.status, 400);
    assert.match(errorOf(bad.json).message, /policy blue:p_1: policyName "p_1" is not a valid name/);
    const badKey = await f.request('POST', '/api/v1/policys/p1/', {});
    assert.equal(badKey.status, 400);
    assert.match(errorOf(badKey.json).message, /invalid key "p1"/);
    const missing = await f.request('GET', '/api/v1/policys/blue:nosuch/');
    assert.equal(missing.status, 404);
    assert.match(errorOf(missing.json).message, /policy blue:nosuch not found/);
  });

  void it('adds rules with Contiv’s bodies, keeps a state record for the agents, links them both ways', async () => {
    // policy rule-add -t blue -d in -l tcp -P 80 -j allow prod-web 1
    const body = { action: 'allow', direction: 'in', policyName: 'prod-web', port: 80, priority: 1, protocol: 'tcp', ruleId: '1', tenantName: 'blue', 'link-sets': {}, links: { MatchEndpointGroup: {} } };
    const r = await f.request('POST', '/api/v1/rules/blue:prod-web:1/', body, GO);
    assert.equal(r.status, 200, r.text);
    assert.equal(
      r.text,
      '{"key":"blue:prod-web:1","action":"allow","direction":"in","policyName":"prod-web","port":80,"priority":1,"protocol":"tcp","ruleId":"1","tenantName":"blue","link-sets":{"Policies":{"blue:prod-web":{"type":"policy","key":"blue:prod-web"}}},"links":{"MatchEndpointGroup":{}}}',
    );
    const raw = await f.store.get(ruleStateKey('blue', 'prod-web', '1'));
    assert.ok(raw, 'rule state written');
    assert.deepEqual(ruleStateCodec.decode(raw.value), {
      tenantName: 'blue', policyName: 'prod-web', ruleId: '1', direction: 'in', priority: 1, fromEndpointGroup: '', toEndpointGroup: '',
      fromNetwork: '', toNetwork: '', fromIpAddress: '', toIpAddress: '', protocol: 'tcp', ipProtocol: 6, port: 80, action: 'allow',
    });
    // policy rule-add -t blue -d out -l udp -P 53 -s 10.2.0.0/16 -j allow prod-web 4
    const out = await f.request('POST', '/api/v1/rules/blue:prod-web:4/', { action: 'allow', direction: 'out', port: 53, protocol: 'udp', toIpAddress: '10.2.0.0/16' });
    assert.equal(out.status, 200, out.text);
    assert.equal((out.json as Record<string, unknown>).priority, 1, 'default priority');
    const inspect = (await f.request('GET', '/api/v1/inspect/rules/blue:prod-web:4/')).json as Record<string, unknown>;
    assert.deepEqual(Object.keys(inspect), ['Config'], 'rules have no Oper');
    const policy = (await f.request('GET', '/api/v1/policys/blue:prod-web/')).json as Record<string, Record<string, unknown>>;
    assert.deepEqual(Object.keys(policy['link-sets']?.Rules ?? {}), ['blue:prod-web:1', 'blue:prod-web:4']);
    const list = (await f.request('GET', '/api/v1/rules/')).json as { key: string }[];
    assert.deepEqual(list.map((x) => x.key), ['blue:prod-web:1', 'blue:prod-web:4']);
  });

  void it('treats a re-POST of the same rule as a no-op and refuses a changed one', async () => {
    const same = await f.request('POST', '/api/v1/rules/blue:prod-web:1/', { action: 'allow', direction: 'in', port: 80, protocol: 'tcp' });
    assert.equal(same.status, 200, same.text);
    const changed = await f.request('POST', '/api/v1/rules/blue:prod-web:1/', { action: 'deny', direction: 'in', port: 80, protocol: 'tcp' });
    assert.equal(changed.status, 409);
    assert.equal(errorOf(changed.json).code, 'IMMUTABLE');
    assert.match(errorOf(changed.json).message, /can not update a rule after its created \(rule blue:prod-web:1/);
    const go = await f.request('POST', '/api/v1/rules/blue:prod-web:1/', { action: 'deny', direction: 'in' }, GO);
    assert.equal(go.status, 500);
    assert.match(go.text, /^can not update a rule after its created/);
  });

  void it('refuses bad rules, naming the field or the missing object, and changes nothing', async () => {
    const before = (await f.request('GET', '/api/v1/rules/')).text;
    const rule = (over: Record<string, unknown>) => ({ action: 'allow', direction: 'in', ...over });
    const cases: [string, string, unknown, number, RegExp][] = [
      ['unknown policy', '/api/v1/rules/blue:nopol:1/', rule({}), 404, /Policy nopol not found \(tenant blue\)/],
      ['unknown tenant', '/api/v1/rules/red:prod-web:1/', rule({}), 404, /Tenant red not found/],
      ['bad direction', '/api/v1/rules/blue:prod-web:9/', rule({ direction: 'both' }), 400, /direction "both" is not in or out/],
      ['bad action', '/api/v1/rules/blue:prod-web:9/', rule({ action: 'drop' }), 400, /action "drop" is not allow or deny/],
      ['bad protocol', '/api/v1/rules/blue:prod-web:9/', rule({ protocol: 'sctp' }), 400, /protocol "sctp" is not tcp, udp, icmp/],
      ['bad port', '/api/v1/rules/blue:prod-web:9/', rule({ protocol: 'tcp', port: 70000 }), 400, /port 70000 is out of range \(0-65535\)/],
      ['bad priority', '/api/v1/rules/blue:prod-web:9/', rule({ priority: 101 }), 400, /priority 101 is out of range \(1-100\)/],
      ['to on an incoming rule', '/api/v1/rules/blue:prod-web:9/', rule({ toEndpointGroup: 'web' }), 400, /can not specify 'to' parameters in incoming rule/],
      ['from on an outgoing rule', '/api/v1/rules/blue:prod-web:9/', rule({ direction: 'out', fromNetwork: 'net1' }), 400, /can not specify 'from' parameters in outgoing rule/],
      ['network and group', '/api/v1/rules/blue:prod-web:9/', rule({ fromNetwork: 'net1', fromEndpointGroup: 'web' }), 400, /can not specify both fromNetwork and fromEndpointGroup/],
      ['unknown group', '/api/v1/rules/blue:prod-web:9/', rule({ fromEndpointGroup: 'nogroup' }), 404, /EndpointGroup nogroup not found \(tenant blue, fromEndpointGroup\)/],
      ['unknown network', '/api/v1/rules/blue:prod-web:9/', rule({ direction: 'out', toNetwork: 'nonet' }), 404, /Network nonet not found \(tenant blue, toNetwork\)/],
      ['bad key', '/api/v1/rules/blue:prod-web/', rule({}), 400, /invalid key "blue:prod-web" \(expected tenantName:policyName:ruleId\)/],
    ];
    for (const [what, path, body, status, re] of cases) {
      const r = await f.request('POST', path, body);
      assert.equal(r.status, status, `${what}: ${r.text}`);
      assert.match(errorOf(r.json).message, re, what);
      const go = await f.request('POST', path, body, GO);
      assert.equal(go.status, 500, what);
      assert.match(go.text, re, what);
    }
    assert.equal((await f.request('GET', '/api/v1/rules/')).text, before);
  });

  void it('checks a group’s policies exist and links groups, policies and rules', async () => {
    const unknown = await f.request('POST', '/api/v1/endpointGroups/blue:web/', { networkName: 'net1', policies: ['prod-web', 'nopol'] });
    assert.equal(unknown.status, 404);
    assert.equal(errorOf(unknown.json).message, 'Policy nopol not found (tenant blue)');
    assert.equal((await f.request('GET', '/api/v1/endpointGroups/blue:web/')).status, 404, 'nothing was created');
    const web = await f.request('POST', '/api/v1/endpointGroups/blue:web/', { networkName: 'net1', policies: ['prod-web'] });
    assert.equal(web.status, 200, web.text);
    assert.equal((await f.request('POST', '/api/v1/endpointGroups/blue:db/', { networkName: 'net1' })).status, 200);
    const update = await f.request('POST', '/api/v1/endpointGroups/blue:db/', { networkName: 'net1', policies: ['other'] });
    assert.equal(update.status, 404, 'an update naming an unknown policy is refused too');
    assert.match(errorOf(update.json).message, /Policy other not found/);

    const fromDb = await f.request('POST', '/api/v1/rules/blue:prod-web:2/', { action: 'deny', direction: 'in', fromEndpointGroup: 'db', protocol: 'tcp', priority: 5 });
    assert.equal(fromDb.status, 200, fromDb.text);
    assert.deepEqual((fromDb.json as Record<string, unknown>).links, { MatchEndpointGroup: { type: 'endpointGroup', key: 'blue:db' } });
    const db = (await f.request('GET', '/api/v1/endpointGroups/blue:db/')).json as Record<string, Record<string, unknown>>;
    assert.deepEqual(db['link-sets']?.MatchRules, { 'blue:prod-web:2': { type: 'rule', key: 'blue:prod-web:2' } });
    const policy = (await f.request('GET', '/api/v1/policys/blue:prod-web/')).json as Record<string, Record<string, unknown>>;
    assert.deepEqual(policy['link-sets']?.EndpointGroups, { 'blue:web': { type: 'endpointGroup', key: 'blue:web' } });
    const inspect = (await f.request('GET', '/api/v1/inspect/policys/blue:prod-web/')).json as { Config: unknown; Oper: Record<string, unknown> };
    assert.deepEqual(inspect.Config, policy);
    assert.deepEqual(inspect.Oper, {}, 'no endpoints yet');
  });

  void it('refuses deletes of what is still used, naming the users', async () => {
    const policyInUse = await f.request('DELETE', '/api/v1/policys/blue:prod-web/');
    assert.equal(policyInUse.status, 409);
    assert.equal(errorOf(policyInUse.json).code, 'IN_USE');
    assert.equal(errorOf(policyInUse.json).message, 'Policy prod-web is being used by 1 endpoint groups: web (tenant blue)');
    const groupInRule = await f.request('DELETE', '/api/v1/endpointGroups/blue:db/', undefined, GO);
    assert.equal(groupInRule.status, 500);
    assert.match(groupInRule.text, /cannot delete db has 1 policy rules: prod-web:2 \(tenant blue\)/);
    // Remove the group's use of the policy, then the tenant still refuses: it has a policy.
    assert.equal((await f.request('DELETE', '/api/v1/endpointGroups/blue:web/')).status, 200);
    assert.equal((await f.request('DELETE', '/api/v1/rules/blue:prod-web:2/')).status, 200);
    assert.equal((await f.request('DELETE', '/api/v1/endpointGroups/blue:db/')).status, 200);
    assert.equal((await f.request('DELETE', '/api/v1/networks/blue:net1/')).status, 200);
    const tenant = await f.request('DELETE', '/api/v1/tenants/blue/');
    assert.equal(tenant.status, 409);
    assert.equal(errorOf(tenant.json).message, 'cannot delete blue has 1 policies: prod-web');
  });

  void it('deletes rules and policies (with their remaining rules), answering the key', async () => {
    const rule = await f.request('DELETE', '/api/v1/rules/blue:prod-web:4/', undefined, GO);
    assert.equal(rule.status, 200);
    assert.equal(rule.text, '"blue:prod-web:4"');
    assert.equal(await f.store.get(ruleStateKey('blue', 'prod-web', '4')), undefined, 'rule state removed');
    const again = await f.request('DELETE', '/api/v1/rules/blue:prod-web:4/');
    assert.equal(again.status, 404);
    assert.match(errorOf(again.json).message, /rule blue:prod-web:4 not found/);
    const policy = await f.request('DELETE', '/api/v1/policys/blue:prod-web/', undefined, GO);
    assert.equal(policy.status, 200, policy.text);
    assert.equal(policy.text, '"blue:prod-web"');
    assert.deepEqual((await f.request('GET', '/api/v1/rules/')).json, [], 'rule 1 went with its policy');
    assert.equal(await f.store.get(ruleStateKey('blue', 'prod-web', '1')), undefined);
    assert.equal((await f.request('DELETE', '/api/v1/tenants/blue/')).status, 200);
  });
});
