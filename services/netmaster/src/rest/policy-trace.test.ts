import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { PolicyTraceAnswer } from '../core/policy-trace';
import { startFixture, type Fixture } from '../testing/fixture';

const errorOf = (json: unknown): { code: string; message: string } => (json as { error: { code: string; message: string } }).error;

const WEB1 = 'aa11'.repeat(16);
const CLIENT1 = 'bb22'.repeat(16);
const OTHER = 'cc33'.repeat(16);
const MULTI_A = 'dd44'.repeat(16);
const MULTI_B = 'ee55'.repeat(16);
const RED = 'ff66'.repeat(16);

void describe('REST API: policy trace', () => {
  let f: Fixture;
  const trace = (params: Record<string, string>) => f.request('GET', `/api/v1/inspect/policyTrace/?${new URLSearchParams(params).toString()}`);
  const ok = async (params: Record<string, string>): Promise<PolicyTraceAnswer> => {
    const r = await trace(params);
    assert.equal(r.status, 200, r.text);
    return r.json as PolicyTraceAnswer;
  };
  const refused = async (params: Record<string, string>, status: number, re: RegExp): Promise<void> => {
    const r = await trace(params);
    assert.equal(r.status, status, r.text);
    assert.match(errorOf(r.json).message, re);
  };

  before(async () => {
    f = await startFixture();
    const post = async (path: string, body: unknown): Promise<void> => {
      const r = await f.request('POST', path, body);
      assert.equal(r.status, 200, `${path}: ${r.text}`);
    };
    await post('/api/v1/tenants/blue/', {});
    await post('/api/v1/tenants/red/', {});
    await post('/api/v1/networks/blue:net1/', { encap: 'vxlan', subnet: '10.1.1.0/24' });
    await post('/api/v1/networks/blue:net2/', { encap: 'vxlan', subnet: '10.1.2.0/24' });
    await post('/api/v1/networks/red:rnet/', { encap: 'vxlan', subnet: '10.1.1.0/24' });
    await post('/api/v1/policys/blue:prod-web/', {});
    await post('/api/v1/policys/blue:client-out/', {});
    // Deny TCP into web, except from group client on port 80.
    await post('/api/v1/rules/blue:prod-web:1/', { direction: 'in', protocol: 'tcp', action: 'deny' });
    await post('/api/v1/endpointGroups/blue:client/', { networkName: 'net1', policies: ['client-out'] });
    await post('/api/v1/rules/blue:prod-web:2/', { direction: 'in', fromEndpointGroup: 'client', protocol: 'tcp', port: 80, priority: 10, action: 'allow' });
    await post('/api/v1/rules/blue:client-out:1/', { direction: 'out', toIpAddress: '10.1.1.200', priority: 5, action: 'deny' });
    await post('/api/v1/endpointGroups/blue:web/', { networkName: 'net1', policies: ['prod-web'] });
    const ep = (endpointId: string, ip: string, over: Record<string, string>) =>
      f.control.CreateEndpoint({ endpoint: { endpointId, tenantName: 'blue', networkName: 'net1', ipAddress: ip, homingHost: 'h1', intfName: `vport-${ip}`, vtepIp: '192.168.2.10', containerId: `c0ffee${endpointId.slice(0, 10)}`, ...over } });
    await ep(WEB1, '10.1.1.1', { groupName: 'web', containerName: '/web1', homingHost: 'h2' });
    await ep(CLIENT1, '10.1.1.2', { groupName: 'client', containerName: '/client1' });
    await ep(OTHER, '10.1.2.5', { networkName: 'net2', containerName: '/other' });
    await ep(MULTI_A, '10.1.1.9', { containerName: '/multi', containerId: 'abcdef000111' });
    await ep(MULTI_B, '10.1.2.9', { networkName: 'net2', containerName: '/multi', containerId: 'abcdef000111' });
    await f.control.CreateEndpoint({ endpoint: { endpointId: RED, tenantName: 'red', networkName: 'rnet', ipAddress: '10.1.1.1', homingHost: 'h1', intfName: 'vr', containerName: '/redweb' } });
  });
  after(async () => {
    await f.close();
  });

  void it('names the rule that allows and what each end is', async () => {
    const a = await ok({ tenant: 'blue', from: 'client1', to: 'web1', port: '80' });
    assert.equal(a.verdict, 'allow');
    assert.equal(a.policyVerdict, 'allow');
    assert.equal(a.reason, '');
    assert.deepEqual(a.packet, { protocol: 'tcp', ipProtocol: 6, port: 80 }, 'tcp by default with a port');
    assert.deepEqual(a.from, {
      query: 'client1', kind: 'endpoint', endpointId: CLIENT1, containerId: `c0ffee${CLIENT1.slice(0, 10)}`, containerName: 'client1', ip: '10.1.1.2',
      mac: '02:02:0a:01:01:02', network: 'net1', group: 'client', groupId: a.from.groupId, host: 'h1', vtepIp: '192.168.2.10', interface: 'vport-10.1.1.2',
    });
    assert.ok(a.from.groupId > 0);
    assert.equal(a.to.host, 'h2');
    assert.equal(a.to.mac, '02:02:0a:01:01:01');
    assert.equal(a.steps.length, 2);
    assert.deepEqual(a.steps[0], { direction: 'out', group: 'client', groupId: a.from.groupId, action: 'allow', rule: null, summary: 'no rule matched: default allow' });
    assert.deepEqual(a.steps[1]?.rule, { id: 'blue/prod-web/2', policy: 'prod-web', ruleId: '2', direction: 'in', priority: 10, action: 'allow', match: 'from group client, tcp port 80', rank: a.steps[1]?.rule?.rank });
    assert.equal(a.steps[1]?.summary, 'blue/prod-web rule 2 (in, priority 10, allow; from group client, tcp port 80)');
  });

  void it('names the rule that denies, whichever way the ends are given', async () => {
    for (const [from, to] of [['client1', 'web1'], ['/client1', WEB1], [CLIENT1.slice(0, 6), '10.1.1.1'], [`c0ffee${CLIENT1.slice(0, 10)}`, WEB1.slice(0, 12)]] as const) {
      const a = await ok({ tenant: 'blue', from, to, protocol: 'tcp', port: '22' });
      assert.equal(a.verdict, 'deny', `${from} -> ${to}`);
      assert.equal(a.from.endpointId, CLIENT1);
      assert.equal(a.to.endpointId, WEB1);
      assert.equal(a.steps[1]?.rule?.id, 'blue/prod-web/1');
      assert.equal(a.steps[1]?.rule?.match, 'tcp');
    }
  });

  void it('defaults to icmp without a port; an ungrouped end has no rules', async () => {
    const a = await ok({ tenant: 'blue', from: 'web1', to: 'multi' });
    assert.deepEqual(a.packet, { protocol: 'icmp', ipProtocol: 1, port: 0 });
    assert.equal(a.verdict, 'allow');
    assert.equal(a.to.endpointId, MULTI_A, 'the container on several networks: its endpoint on web1’s network');
    assert.equal(a.steps[1]?.summary, 'multi is in no group: no in rules apply, default allow');
    const udp = await ok({ tenant: 'blue', from: 'multi', to: 'client1', protocol: '17', port: '53' });
    assert.equal(udp.packet.protocol, 'udp');
    assert.equal(udp.from.endpointId, MULTI_A);
  });

  void it('traces to an address that no endpoint holds: an out rule on addresses decides', async () => {
    const a = await ok({ tenant: 'blue', from: 'client1', to: '10.1.1.200' });
    assert.equal(a.verdict, 'deny');
    assert.equal(a.to.kind, 'address');
    assert.equal(a.to.network, 'net1');
    assert.equal(a.to.group, '');
    assert.equal(a.steps.length, 1, 'in is never consulted after an out deny');
    assert.equal(a.steps[0]?.summary, 'blue/client-out rule 1 (out, priority 5, deny; to 10.1.1.200)');
  });

  void it('says plainly when the ends are not bridged together', async () => {
    const a = await ok({ tenant: 'blue', from: 'web1', to: 'other' });
    assert.equal(a.verdict, 'unreachable');
    assert.equal(a.policyVerdict, 'allow');
    assert.match(a.reason, /web1 is on network net1 and other on network net2: the datapath only bridges within a network/);
    const off = await ok({ tenant: 'blue', from: 'client1', to: '8.8.8.8', port: '443' });
    assert.equal(off.verdict, 'unreachable');
    assert.match(off.reason, /8\.8\.8\.8 is in none of tenant blue's networks/);
    const self = await ok({ tenant: 'blue', from: 'web1', to: '10.1.1.1' });
    assert.equal(self.verdict, 'unreachable');
    assert.match(self.reason, /same endpoint/);
  });

  void it('refuses bad parameters with a 4xx naming the bad one', async () => {
    const base = { tenant: 'blue', from: 'client1', to: 'web1' };
    await refused({ tenant: 'blue', to: 'web1' }, 400, /parameter from is required/);
    await refused({ from: 'a', to: 'b' }, 400, /parameter tenant is required/);
    await refused({ ...base, prot: 'tcp' }, 400, /unknown parameter "prot"/);
    await refused({ ...base, protocol: '' }, 400, /parameter protocol is empty/);
    await refused({ ...base, port: '0' }, 400, /port "0" is not a port number \(1-65535\)/);
    await refused({ ...base, port: '65536' }, 400, /port "65536"/);
    await refused({ ...base, port: '80', protocol: 'icmp' }, 400, /port 80 needs protocol tcp or udp \(protocol is icmp\)/);
    await refused({ ...base, protocol: 'udp' }, 400, /protocol udp needs a port/);
    await refused({ ...base, protocol: 'sctp' }, 400, /protocol "sctp" is not tcp, udp, icmp or an IP protocol number/);
    await refused({ ...base, protocol: '256' }, 400, /protocol "256"/);
    await refused({ ...base, tenant: 'nosuch' }, 404, /Tenant nosuch not found/);
    await refused({ ...base, to: 'web9' }, 404, /to "web9": no endpoint of tenant blue/);
    await refused({ ...base, to: 'redweb' }, 404, /to "redweb" is an endpoint of tenant red, not of blue/);
    await refused({ ...base, to: 'c0ffe' }, 404, /to "c0ffe": no endpoint/);
    await refused({ ...base, to: 'c0ffee' }, 400, /to "c0ffee" is ambiguous: it matches \d+ endpoints of tenant blue/);
    await refused({ ...base, from: 'multi', to: '8.8.8.8' }, 400, /from "multi" is ambiguous: it matches 2 endpoints .*on net1 \(10\.1\.1\.9\).*on net2 \(10\.1\.2\.9\)/);
    await refused({ ...base, from: '10.1.1.250', to: '10.1.1.251' }, 400, /neither from \(10\.1\.1\.250\) nor to \(10\.1\.1\.251\) is an endpoint of tenant blue/);
    await refused({ ...base, to: 'fe80::1' }, 400, /only IPv4 addresses/);
    const twice = await f.request('GET', '/api/v1/inspect/policyTrace/?tenant=blue&from=a&from=b&to=web1');
    assert.equal(twice.status, 400);
    assert.match(errorOf(twice.json).message, /parameter from is given more than once/);
  });

  void it('answers from the current state: a group that drops its policy is no longer filtered', async () => {
    assert.equal((await ok({ tenant: 'blue', from: 'client1', to: 'web1', port: '22' })).verdict, 'deny');
    const r = await f.request('POST', '/api/v1/endpointGroups/blue:web/', { networkName: 'net1', policies: [] });
    assert.equal(r.status, 200, r.text);
    const a = await ok({ tenant: 'blue', from: 'client1', to: 'web1', port: '22' });
    assert.equal(a.verdict, 'allow');
    assert.equal(a.steps[1]?.summary, 'no rule matched: default allow');
  });
});
