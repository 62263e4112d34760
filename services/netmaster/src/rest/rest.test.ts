import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startFixture, type Fixture } from '../testing/fixture';

const GO = { 'user-agent': 'Go-http-client/1.1' };
const netBody = (over: Record<string, unknown> = {}) => ({
  encap: 'vxlan',
  gateway: '10.1.1.254',
  networkName: 'net1',
  nwType: 'data',
  subnet: '10.1.1.0/24',
  tenantName: 'default',
  'link-sets': {},
  links: { Tenant: {} },
  ...over,
});

void describe('REST API', () => {
  let f: Fixture;
  before(async () => {
    f = await startFixture();
  });
  after(async () => {
    await f.close();
  });

  void it('creates the default tenant and global object at first start', async () => {
    const g = await f.request('GET', '/api/v1/globals/global/');
    assert.equal(g.status, 200);
    assert.deepEqual(g.json, {
      key: 'global',
      arpMode: 'proxy',
      fwdMode: 'bridge',
      name: 'global',
      networkInfraType: 'default',
      pvtSubnet: '172.19.0.0/16',
      vlans: '1-4094',
      vxlans: '1-10000',
    });
    const list = await f.request('GET', '/api/v1/globals/');
    assert.equal((list.json as unknown[]).length, 1);
    const t = await f.request('GET', '/api/v1/tenants/default/');
    assert.deepEqual(t.json, { key: 'default', tenantName: 'default', 'link-sets': {} });
  });

  void it('answers /version', async () => {
    const v = await f.request('GET', '/version');
    assert.equal(v.status, 200);
    const body = v.json as Record<string, string>;
    assert.equal(typeof body.version, 'string');
    assert.ok('gitCommit' in body && 'buildTime' in body);
  });

  void it('accepts a POST without Content-Type, echoes the object with links, and lists it', async () => {
    const r = await f.request('POST', '/api/v1/networks/default:net1/', netBody(), GO);
    assert.equal(r.status, 200, r.text);
    assert.match(String(r.headers['content-type']), /application\/json/);
    assert.equal(
      r.text,
      '{"key":"default:net1","encap":"vxlan","gateway":"10.1.1.254","networkName":"net1","nwType":"data","subnet":"10.1.1.0/24","tenantName":"default","link-sets":{},"links":{"Tenant":{"type":"tenant","key":"default"}}}',
    );
    const one = await f.request('GET', '/api/v1/networks/default:net1');
    assert.deepEqual(one.json, r.json);
    const all = await f.request('GET', '/api/v1/networks/');
    assert.deepEqual(all.json, [r.json]);
    const tenant = await f.request('GET', '/api/v1/tenants/default/');
    assert.deepEqual((tenant.json as Record<string, unknown>)['link-sets'], { Networks: { 'default:net1': { type: 'network', key: 'default:net1' } } });
  });

  void it('treats an identical re-POST as a no-op and refuses changed parameters', async () => {
    const same = await f.request('POST', '/api/v1/networks/default:net1/', netBody());
    assert.equal(same.status, 200);
    const changed = await f.request('POST', '/api/v1/networks/default:net1/', netBody({ subnet: '10.1.2.0/24', gateway: '10.1.2.254' }));
    assert.equal(changed.status, 409);
    assert.deepEqual((changed.json as { error: { code: string } }).error.code, 'IMMUTABLE');
    assert.match((changed.json as { error: { message: string } }).error.message, /Cant change network parameters after its created/);
    const goStyle = await f.request('POST', '/api/v1/networks/default:net1/', netBody({ encap: 'vlan' }), GO);
    assert.equal(goStyle.status, 500);
    assert.match(String(goStyle.headers['content-type']), /text\/plain/);
    assert.match(goStyle.text, /^Cant change network parameters after its created.*\n$/);
    const still = await f.request('GET', '/api/v1/networks/default:net1/');
    assert.equal((still.json as { subnet: string }).subnet, '10.1.1.0/24');
  });

  void it('answers bad input clearly and changes nothing', async () => {
    const before = (await f.request('GET', '/api/v1/networks/')).text;
    const cases: [string, string, unknown, number, RegExp][] = [
      ['invalid subnet', '/api/v1/networks/default:bad1/', netBody({ networkName: 'bad1', subnet: '10.1.1.0/33' }), 400, /subnet "10\.1\.1\.0\/33" is not a valid IPv4 subnet/],
      ['gateway outside', '/api/v1/networks/default:bad2/', netBody({ networkName: 'bad2', subnet: '10.2.0.0/24', gateway: '10.3.0.1' }), 400, /gateway 10\.3\.0\.1 is outside subnet 10\.2\.0\.0\/24/],
      ['unknown tenant', '/api/v1/networks/nosuch:bad3/', netBody({ networkName: 'bad3', tenantName: 'nosuch', subnet: '10.4.0.0/24', gateway: '' }), 404, /Tenant nosuch not found/],
      ['overlap', '/api/v1/networks/default:bad4/', netBody({ networkName: 'bad4', subnet: '10.1.0.0/16', gateway: '' }), 409, /overlaps network default:net1 \(10\.1\.1\.0\/24\)/],
      ['malformed JSON', '/api/v1/networks/default:bad5/', '{"networkName": ', 400, /not valid JSON/],
      ['empty body', '/api/v1/networks/default:bad6/', '', 400, /body is empty/],
      ['key mismatch', '/api/v1/networks/default:bad7/', netBody({ networkName: 'other' }), 400, /does not match the key "default:bad7"/],
      ['bad key', '/api/v1/networks/bad8/', netBody({ networkName: 'bad8' }), 400, /invalid key "bad8"/],
      ['vlan out of range', '/api/v1/networks/default:bad9/', netBody({ networkName: 'bad9', encap: 'vlan', pktTag: 5000, subnet: '10.9.0.0/24', gateway: '' }), 400, /pktTag 5000 is not a valid VLAN id/],
    ];
    for (const [what, path, body, status, re] of cases) {
      const r = await f.request('POST', path, body);
      assert.equal(r.status, status, `${what}: ${r.text}`);
      const err = (r.json as { error: { code: string; message: string } }).error;
      assert.match(err.message, re, what);
      const go = await f.request('POST', path, body, GO);
      assert.equal(go.status, 500, what);
      assert.match(go.text, re, what);
    }
    assert.equal((await f.request('GET', '/api/v1/networks/')).text, before);
  });

  void it('allocates VLANs and VXLANs and shows them in inspect', async () => {
    const v = await f.request('POST', '/api/v1/networks/default:vnet/', netBody({ networkName: 'vnet', encap: 'vlan', subnet: '10.20.0.0/24', gateway: '10.20.0.1' }));
    assert.equal(v.status, 200, v.text);
    const x = await f.request('POST', '/api/v1/networks/default:xnet/', netBody({ networkName: 'xnet', pktTag: 500, subnet: '10.21.0.0/24', gateway: '' }));
    assert.equal(x.status, 200, x.text);
    const taken = await f.request('POST', '/api/v1/networks/default:xnet2/', netBody({ networkName: 'xnet2', pktTag: 500, subnet: '10.22.0.0/24', gateway: '' }));
    assert.equal(taken.status, 409);
    assert.match(taken.text, /requested vxlan not available - vxlan:500/);
    const net1 = (await f.request('GET', '/api/v1/inspect/networks/default:net1/')).json as { Config: unknown; Oper: Record<string, unknown> };
    assert.deepEqual(Object.keys(net1), ['Config', 'Oper']);
    assert.equal(net1.Oper.externalPktTag, 1);
    assert.equal(net1.Oper.pktTag, 1);
    assert.equal(net1.Oper.networkTag, 'net1.default');
    assert.equal(net1.Oper.allocatedIPAddresses, '10.1.1.254');
    assert.equal(net1.Oper.availableIPAddresses, '10.1.1.1-10.1.1.253');
    const vnet = (await f.request('GET', '/api/v1/inspect/networks/default:vnet/')).json as { Oper: Record<string, unknown> };
    assert.equal(vnet.Oper.pktTag, 2, 'the next free VLAN (1 is net1’s local VLAN)');
    assert.equal(vnet.Oper.externalPktTag, undefined);
    const xnet = (await f.request('GET', '/api/v1/inspect/networks/default:xnet/')).json as { Oper: Record<string, unknown> };
    assert.equal(xnet.Oper.externalPktTag, 500);
    assert.equal(xnet.Oper.pktTag, 3);
    const g = (await f.request('GET', '/api/v1/inspect/globals/global/')).json as { Oper: Record<string, unknown> };
    assert.equal(g.Oper.vlansInUse, '1-3');
    assert.equal(g.Oper.vxlansInUse, '1, 500');
    assert.equal(g.Oper.clusterMode, 'docker');
  });

  void it('manages groups: name clash, ip-pool, delete guards', async () => {
    for (const p of ['p1', 'p2']) assert.equal((await f.request('POST', `/api/v1/policys/default:${p}/`, { policyName: p, tenantName: 'default' })).status, 200);
    assert.equal((await f.request('POST', '/api/v1/netprofiles/default:prof1/', { bandwidth: '10Mbps' })).status, 200);
    const clash = await f.request('POST', '/api/v1/endpointGroups/default:net1/', { groupName: 'net1', networkName: 'net1', tenantName: 'default' });
    assert.equal(clash.status, 409);
    assert.match(clash.text, /conflicts with the network name/);
    const noNet = await f.request('POST', '/api/v1/endpointGroups/default:web/', { groupName: 'web', networkName: 'nonet', tenantName: 'default' });
    assert.equal(noNet.status, 404);
    assert.match(noNet.text, /Network nonet not found/);
    const badPool = await f.request('POST', '/api/v1/endpointGroups/default:web/', { groupName: 'web', networkName: 'net1', ipPool: '10.9.0.1-10.9.0.5' });
    assert.equal(badPool.status, 400);
    assert.match(badPool.text, /must be a subset of network 10\.1\.1\.0\/24/);
    const web = await f.request('POST', '/api/v1/endpointGroups/default:web/', {
      groupName: 'web',
      networkName: 'net1',
      tenantName: 'default',
      policies: ['p1'],
      netProfile: 'prof1',
      ipPool: '10.1.1.100-10.1.1.110',
      'link-sets': {},
      links: {},
    });
    assert.equal(web.status, 200, web.text);
    assert.deepEqual(web.json, {
      key: 'default:web',
      groupName: 'web',
      ipPool: '10.1.1.100-10.1.1.110',
      netProfile: 'prof1',
      networkName: 'net1',
      policies: ['p1'],
      tenantName: 'default',
      'link-sets': { Policies: { 'default:p1': { type: 'policy', key: 'default:p1' } } },
      links: {
        AppProfile: {},
        NetProfile: { type: 'netprofile', key: 'default:prof1' },
        Network: { type: 'network', key: 'default:net1' },
        Tenant: { type: 'tenant', key: 'default' },
      },
    });
    const update = await f.request('POST', '/api/v1/endpointGroups/default:web/', { groupName: 'web', networkName: 'net1', ipPool: '10.1.1.100-10.1.1.110', policies: ['p1', 'p2'] });
    assert.equal(update.status, 200, update.text);
    const move = await f.request('POST', '/api/v1/endpointGroups/default:web/', { groupName: 'web', networkName: 'vnet', ipPool: '10.1.1.100-10.1.1.110' });
    assert.equal(move.status, 409);
    assert.match(move.text, /Cannot change network association/);
    const inspect = (await f.request('GET', '/api/v1/inspect/endpointGroups/default:web/')).json as { Oper: Record<string, unknown> };
    assert.equal(inspect.Oper.groupTag, 'web.default');
    assert.equal(inspect.Oper.availableIPAddresses, '10.1.1.100-10.1.1.110');
    const netDel = await f.request('DELETE', '/api/v1/networks/default:net1/');
    assert.equal(netDel.status, 409);
    assert.match(netDel.text, /cannot delete net1 has 1 endpoint groups: web/);
    const tenantDel = await f.request('DELETE', '/api/v1/tenants/default/', undefined, GO);
    assert.equal(tenantDel.status, 500);
    assert.match(tenantDel.text, /cannot delete default has 1 endpoint groups: web/);
    const del = await f.request('DELETE', '/api/v1/endpointGroups/default:web/');
    assert.equal(del.status, 200);
    assert.equal(del.text, '"default:web"');
    for (const p of ['p1', 'p2']) assert.equal((await f.request('DELETE', `/api/v1/policys/default:${p}/`)).status, 200);
    assert.equal((await f.request('DELETE', '/api/v1/netprofiles/default:prof1/')).status, 200);
  });

  void it('deletes networks, answering the key as a JSON string; a missing one is an error', async () => {
    const del = await f.request('DELETE', '/api/v1/networks/default:vnet/', undefined, GO);
    assert.equal(del.status, 200);
    assert.equal(del.text, '"default:vnet"');
    assert.match(String(del.headers['content-type']), /application\/json/);
    const again = await f.request('DELETE', '/api/v1/networks/default:vnet/', undefined, GO);
    assert.equal(again.status, 500, 'Contiv’s client treats 404 on DELETE as success');
    assert.match(again.text, /network default:vnet not found/);
    const modern = await f.request('DELETE', '/api/v1/networks/default:vnet/');
    assert.equal(modern.status, 404);
    const missing = await f.request('GET', '/api/v1/networks/default:vnet/');
    assert.equal(missing.status, 404);
    // The freed VLAN is reused.
    const reuse = await f.request('POST', '/api/v1/networks/default:vnet2/', netBody({ networkName: 'vnet2', encap: 'vlan', subnet: '10.23.0.0/24', gateway: '' }));
    assert.equal(reuse.status, 200);
    const oper = (await f.request('GET', '/api/v1/inspect/networks/default:vnet2/')).json as { Oper: Record<string, unknown> };
    assert.equal(oper.Oper.pktTag, 2);
  });

  void it('manages tenants', async () => {
    const t = await f.request('POST', '/api/v1/tenants/blue/', { tenantName: 'blue', 'link-sets': {} }, GO);
    assert.equal(t.status, 200);
    assert.deepEqual(t.json, { key: 'blue', tenantName: 'blue', 'link-sets': {} });
    const other = await f.request('POST', '/api/v1/networks/blue:net1/', netBody({ tenantName: 'blue' }));
    assert.equal(other.status, 200, 'another tenant may reuse names and overlapping subnets');
    const busy = await f.request('DELETE', '/api/v1/tenants/blue/');
    assert.equal(busy.status, 409);
    assert.match(busy.text, /cannot delete blue has 1 networks: net1/);
    const inspect = (await f.request('GET', '/api/v1/inspect/tenants/blue/')).json as { Oper: Record<string, unknown> };
    assert.equal(inspect.Oper.totalNetworks, 1);
    assert.equal((await f.request('DELETE', '/api/v1/networks/blue:net1/')).status, 200);
    assert.equal((await f.request('DELETE', '/api/v1/tenants/blue/')).status, 200);
    const bad = await f.request('POST', '/api/v1/tenants/Bad_Name/', {});
    assert.equal(bad.status, 400);
    assert.match((bad.json as { error: { message: string } }).error.message, /tenantName "Bad_Name" is not a valid name/);
  });

  void it('updates the global object with Contiv’s guards', async () => {
    const refused = await f.request('POST', '/api/v1/globals/global/', { name: 'global', vlans: '100-200' });
    assert.equal(refused.status, 409);
    assert.match(refused.text, /cannot update the vlan range due to existing vlans 1-3/);
    const fwd = await f.request('POST', '/api/v1/globals/global/', { name: 'global', fwdMode: 'routing' });
    assert.equal(fwd.status, 409);
    assert.match(fwd.text, /Unable to update forwarding mode/);
    const ok = await f.request('POST', '/api/v1/globals/global/', { name: 'global', arpMode: 'flood', vlans: '1-1000', 'link-sets': {} });
    assert.equal(ok.status, 200, ok.text);
    assert.equal((ok.json as Record<string, string>).arpMode, 'flood');
    assert.equal((ok.json as Record<string, string>).pvtSubnet, '172.19.0.0/16');
    const bad = await f.request('POST', '/api/v1/globals/global/', { name: 'global', vxlans: '5-1' });
    assert.equal(bad.status, 400);
    const wrongKey = await f.request('POST', '/api/v1/globals/other/', {});
    assert.equal(wrongKey.status, 400);
  });

  void it('serves 404 for unknown routes and objects', async () => {
    const r = await f.request('GET', '/api/v1/volumes/');
    assert.equal(r.status, 404);
    const go = await f.request('GET', '/api/v1/nosuch/', undefined, GO);
    assert.equal(go.status, 404);
    const ep = await f.request('GET', '/api/v1/inspect/endpoints/abc/');
    assert.equal(ep.status, 404);
    assert.match(ep.text, /endpoint abc not found/);
  });

  void it('carries a request id', async () => {
    const r = await f.request('GET', '/version', undefined, { 'x-request-id': 'req-123' });
    assert.equal(r.headers['x-request-id'], 'req-123');
  });
});
