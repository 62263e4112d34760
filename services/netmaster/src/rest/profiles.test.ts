import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { groupStateCodec, groupStateKey, type GroupState } from '@contiv/model';
import { startFixture, type Fixture } from '../testing/fixture';

const GO = { 'user-agent': 'Go-http-client/1.1' };
const errorOf = (json: unknown): { code: string; message: string } => (json as { error: { code: string; message: string } }).error;
type Wire = Record<string, Record<string, unknown>>;

void describe('REST API: netprofiles, app profiles, external contracts groups', () => {
  let f: Fixture;
  const state = async (g: string): Promise<GroupState> => {
    const raw = await f.store.get(groupStateKey('blue', g));
    assert.ok(raw, `GroupState of ${g}`);
    return groupStateCodec.decode(raw.value);
  };
  const qos = async (g: string) => {
    const s = await state(g);
    return { netProfile: s.netProfile, bandwidthKbps: s.bandwidthKbps, burstKb: s.burstKb, dscp: s.dscp };
  };
  const group = (name: string, over: Record<string, unknown> = {}) => f.request('POST', `/api/v1/endpointGroups/blue:${name}/`, { networkName: 'net1', ...over });

  before(async () => {
    f = await startFixture();
    assert.equal((await f.request('POST', '/api/v1/tenants/blue/', { tenantName: 'blue' })).status, 200);
    assert.equal((await f.request('POST', '/api/v1/networks/blue:net1/', { encap: 'vxlan', subnet: '10.1.1.0/24' })).status, 200);
  });
  after(async () => {
    await f.close();
  });

  void it('creates a netprofile as Contiv’s netctl sends it and links it to its tenant', async () => {
    // netctl netprofile create -t blue -b 100Mbps -d 6 -s 1500 prof1
    const body = { DSCP: 6, bandwidth: '100Mbps', burst: 1500, profileName: 'prof1', tenantName: 'blue', 'link-sets': {}, links: { Tenant: {} } };
    const r = await f.request('POST', '/api/v1/netprofiles/blue:prof1/', body, GO);
    assert.equal(r.status, 200, r.text);
    assert.equal(r.text, '{"key":"blue:prof1","DSCP":6,"bandwidth":"100Mbps","burst":1500,"profileName":"prof1","tenantName":"blue","link-sets":{},"links":{"Tenant":{"type":"tenant","key":"blue"}}}');
    assert.deepEqual((await f.request('GET', '/api/v1/netprofiles/blue:prof1/')).json, r.json);
    assert.deepEqual((await f.request('GET', '/api/v1/netprofiles/')).json, [r.json]);
    assert.deepEqual((await f.request('GET', '/api/v1/inspect/netprofiles/blue:prof1/')).json, { Config: r.json }, 'no Oper, as in Contiv');
    assert.equal((await f.request('POST', '/api/v1/netprofiles/blue:prof1/', body)).status, 200, 'an identical re-POST is a no-op');
    const tenant = (await f.request('GET', '/api/v1/tenants/blue/')).json as Wire;
    assert.deepEqual(tenant['link-sets']?.NetProfiles, { 'blue:prof1': { type: 'netprofile', key: 'blue:prof1' } });
    const oper = (await f.request('GET', '/api/v1/inspect/tenants/blue/')).json as { Oper: Record<string, unknown> };
    assert.equal(oper.Oper.totalNetprofiles, 1);
  });

  void it('refuses bad netprofiles, naming the field, and changes nothing', async () => {
    const before = (await f.request('GET', '/api/v1/netprofiles/')).text;
    const cases: [string, string, unknown, number, RegExp][] = [
      ['bad bandwidth', '/api/v1/netprofiles/blue:p2/', { bandwidth: '10 ms' }, 400, /netprofile blue:p2: bandwidth "10 ms" is not a valid bandwidth/],
      ['no unit', '/api/v1/netprofiles/blue:p2/', { bandwidth: '10' }, 400, /bandwidth "10" is not a valid bandwidth/],
      ['DSCP', '/api/v1/netprofiles/blue:p2/', { DSCP: 64 }, 400, /DSCP 64 is out of range \(0-63\)/],
      ['burst', '/api/v1/netprofiles/blue:p2/', { burst: 10487 }, 400, /burst 10487 is out of range \(0-10486\)/],
      ['burst 1', '/api/v1/netprofiles/blue:p2/', { burst: 1 }, 400, /burst 1 is invalid/],
      ['unknown tenant', '/api/v1/netprofiles/red:p2/', {}, 404, /Tenant red not found/],
      ['bad key', '/api/v1/netprofiles/p2/', {}, 400, /invalid key "p2"/],
      ['changed update, bad field', '/api/v1/netprofiles/blue:prof1/', { DSCP: 99 }, 400, /DSCP 99 is out of range/],
    ];
    for (const [what, path, body, status, re] of cases) {
      const r = await f.request('POST', path, body);
      assert.equal(r.status, status, `${what}: ${r.text}`);
      assert.match(errorOf(r.json).message, re, what);
      const go = await f.request('POST', path, body, GO);
      assert.equal(go.status, 500, what);
      assert.match(go.text, re, what);
    }
    assert.equal((await f.request('GET', '/api/v1/netprofiles/')).text, before);
    const missing = await f.request('GET', '/api/v1/netprofiles/blue:nosuch/');
    assert.equal(missing.status, 404);
    assert.match(errorOf(missing.json).message, /netprofile blue:nosuch not found/);
  });

  void it('gives groups their netprofile’s settings in GroupState and rewrites them when the profile changes', async () => {
    const unknown = await group('web', { netProfile: 'nope' });
    assert.equal(unknown.status, 404);
    assert.equal(errorOf(unknown.json).message, 'netprofile nope not found (tenant blue)');
    assert.equal((await f.request('GET', '/api/v1/endpointGroups/blue:web/')).status, 404, 'nothing was created');

    const web = await group('web', { netProfile: 'prof1' });
    assert.equal(web.status, 200, web.text);
    assert.deepEqual((web.json as Wire).links?.NetProfile, { type: 'netprofile', key: 'blue:prof1' });
    assert.deepEqual(await qos('web'), { netProfile: 'prof1', bandwidthKbps: 100000, burstKb: 1500, dscp: 6 });
    assert.equal((await group('db')).status, 200);
    assert.deepEqual(await qos('db'), { netProfile: '', bandwidthKbps: 0, burstKb: 0, dscp: 0 });
    assert.equal((await group('db', { netProfile: 'prof1' })).status, 200, 'a group update can add the profile');
    assert.deepEqual(await qos('db'), { netProfile: 'prof1', bandwidthKbps: 100000, burstKb: 1500, dscp: 6 });

    const update = await f.request('POST', '/api/v1/netprofiles/blue:prof1/', { bandwidth: '10 Gbps', DSCP: 10 });
    assert.equal(update.status, 200, update.text);
    for (const g of ['web', 'db']) assert.deepEqual(await qos(g), { netProfile: 'prof1', bandwidthKbps: 10000000, burstKb: 0, dscp: 10 }, g);
    const prof = (await f.request('GET', '/api/v1/netprofiles/blue:prof1/')).json as Wire;
    assert.deepEqual(Object.keys(prof['link-sets']?.EndpointGroups ?? {}), ['blue:db', 'blue:web']);
    assert.equal((prof as Record<string, unknown>).bandwidth, '10 Gbps');

    const inUse = await f.request('DELETE', '/api/v1/netprofiles/blue:prof1/');
    assert.equal(inUse.status, 409);
    assert.equal(errorOf(inUse.json).message, 'NetProfile prof1 is being used by 2 endpoint groups: db, web (tenant blue)');
    assert.equal((await group('db')).status, 200, 'a group update can drop the profile');
    assert.deepEqual(await qos('db'), { netProfile: '', bandwidthKbps: 0, burstKb: 0, dscp: 0 });
  });

  void it('app profiles: groups must exist, belong to one profile, and are linked both ways', async () => {
    // netctl app-profile create -t blue -g web,db app1
    const body = { appProfileName: 'app1', endpointGroups: ['web', 'db'], tenantName: 'blue', 'link-sets': {}, links: { Tenant: {} } };
    const missing = await f.request('POST', '/api/v1/appProfiles/blue:app1/', { ...body, endpointGroups: ['web', 'nope'] });
    assert.equal(missing.status, 404);
    assert.equal(errorOf(missing.json).message, 'EndpointGroup nope not found (tenant blue)');
    assert.equal((await f.request('GET', '/api/v1/appProfiles/blue:app1/')).status, 404);
    const r = await f.request('POST', '/api/v1/appProfiles/blue:app1/', body, GO);
    assert.equal(r.status, 200, r.text);
    assert.equal(
      r.text,
      '{"key":"blue:app1","appProfileName":"app1","endpointGroups":["web","db"],"tenantName":"blue","link-sets":{"EndpointGroups":{"blue:db":{"type":"endpointGroup","key":"blue:db"},"blue:web":{"type":"endpointGroup","key":"blue:web"}}},"links":{"Tenant":{"type":"tenant","key":"blue"}}}',
    );
    assert.deepEqual((await f.request('GET', '/api/v1/inspect/appProfiles/blue:app1/')).json, { Config: r.json });
    assert.deepEqual((await f.request('GET', '/api/v1/appProfiles/')).json, [r.json]);
    const web = (await f.request('GET', '/api/v1/endpointGroups/blue:web/')).json as Wire;
    assert.deepEqual(web.links?.AppProfile, { type: 'appProfile', key: 'blue:app1' });
    const tenant = (await f.request('GET', '/api/v1/tenants/blue/')).json as Wire;
    assert.deepEqual(tenant['link-sets']?.AppProfiles, { 'blue:app1': { type: 'appProfile', key: 'blue:app1' } });
    assert.equal(((await f.request('GET', '/api/v1/inspect/tenants/blue/')).json as { Oper: Record<string, unknown> }).Oper.totalAppProfiles, 1);

    const second = await f.request('POST', '/api/v1/appProfiles/blue:app2/', { endpointGroups: ['web'] });
    assert.equal(second.status, 409);
    assert.match(errorOf(second.json).message, /an endpoint group belongs to at most one app profile: web \(in app1\) \(tenant blue\)/);
    const delGroup = await f.request('DELETE', '/api/v1/endpointGroups/blue:web/', undefined, GO);
    assert.equal(delGroup.status, 500);
    assert.match(delGroup.text, /^Cannot delete web, associated to appProfile app1/);

    // app-profile update -t blue -g db app1: web leaves app1 and may join app2.
    assert.equal((await f.request('POST', '/api/v1/appProfiles/blue:app1/', { endpointGroups: ['db'] })).status, 200);
    assert.deepEqual(((await f.request('GET', '/api/v1/endpointGroups/blue:web/')).json as Wire).links?.AppProfile, {});
    assert.equal((await f.request('POST', '/api/v1/appProfiles/blue:app2/', { endpointGroups: ['web'] })).status, 200);
    const dup = await f.request('POST', '/api/v1/appProfiles/blue:app3/', { endpointGroups: ['db', 'db'] });
    assert.equal(dup.status, 400);
    assert.match(errorOf(dup.json).message, /endpointGroups names db more than once/);
  });

  void it('external contracts groups: created once, referenced by groups, delete guarded', async () => {
    // netctl external-contracts create -t blue -c -a uni/tn-common/brc-default ext1
    const body = { contracts: ['uni/tn-common/brc-default'], contractsGroupName: 'ext1', contractsType: 'consumed', tenantName: 'blue', 'link-sets': {} };
    const r = await f.request('POST', '/api/v1/extContractsGroups/blue:ext1/', body, GO);
    assert.equal(r.status, 200, r.text);
    assert.equal(r.text, '{"key":"blue:ext1","contracts":["uni/tn-common/brc-default"],"contractsGroupName":"ext1","contractsType":"consumed","tenantName":"blue","link-sets":{}}');
    assert.deepEqual((await f.request('GET', '/api/v1/inspect/extContractsGroups/blue:ext1/')).json, { Config: r.json });
    assert.equal((await f.request('POST', '/api/v1/extContractsGroups/blue:ext1/', body)).status, 200, 'an identical re-POST is a no-op');
    const changed = await f.request('POST', '/api/v1/extContractsGroups/blue:ext1/', { ...body, contractsType: 'provided' });
    assert.equal(changed.status, 409);
    assert.equal(errorOf(changed.json).code, 'IMMUTABLE');
    assert.match(errorOf(changed.json).message, /^external contracts update not supported/);
    for (const [bad, re] of [
      [{ ...body, contractsType: 'both' }, /contractsType "both" is not provided or consumed/],
      [{ ...body, contractsType: undefined }, /contractsType is required/],
      [{ ...body, contracts: [] }, /contracts must name at least one contract/],
    ] as const) {
      const x = await f.request('POST', '/api/v1/extContractsGroups/blue:ext1/', bad);
      assert.equal(x.status, 400, x.text);
      assert.match(errorOf(x.json).message, re);
    }

    const unknown = await group('web', { extContractsGrps: ['ext1', 'nope'] });
    assert.equal(unknown.status, 404);
    assert.equal(errorOf(unknown.json).message, 'External contracts group nope not found (tenant blue)');
    const web = await group('web', { extContractsGrps: ['ext1'] });
    assert.equal(web.status, 200, web.text);
    assert.deepEqual((web.json as Wire)['link-sets']?.ExtContractsGrps, { 'blue:ext1': { type: 'extContractsGroup', key: 'blue:ext1' } });
    const ext = (await f.request('GET', '/api/v1/extContractsGroups/blue:ext1/')).json as Wire;
    assert.deepEqual(ext['link-sets']?.EndpointGroups, { 'blue:web': { type: 'endpointGroup', key: 'blue:web' } });
    assert.equal('links' in ext, false, 'no links member, as in Contiv');
    const inUse = await f.request('DELETE', '/api/v1/extContractsGroups/blue:ext1/');
    assert.equal(inUse.status, 409);
    assert.equal(errorOf(inUse.json).message, 'External contracts group ext1 is in-use by 1 endpoint groups: web (tenant blue)');
  });

  void it('a tenant with any of them cannot be deleted; they delete in order, answering the key', async () => {
    const tenantDel = async (re: RegExp) => {
      const r = await f.request('DELETE', '/api/v1/tenants/blue/');
      assert.equal(r.status, 409, r.text);
      assert.match(errorOf(r.json).message, re);
    };
    await tenantDel(/^cannot delete blue has 2 app profiles: app1, app2$/);
    for (const a of ['app1', 'app2']) {
      const r = await f.request('DELETE', `/api/v1/appProfiles/blue:${a}/`, undefined, GO);
      assert.equal(r.status, 200, r.text);
      assert.equal(r.text, `"blue:${a}"`);
    }
    assert.equal((await f.request('DELETE', '/api/v1/appProfiles/blue:app1/')).status, 404);
    for (const g of ['web', 'db']) assert.equal((await f.request('DELETE', `/api/v1/endpointGroups/blue:${g}/`)).status, 200, g);
    assert.equal((await f.request('DELETE', '/api/v1/networks/blue:net1/')).status, 200);
    await tenantDel(/^cannot delete blue has 1 netprofiles: prof1$/);
    assert.equal((await f.request('DELETE', '/api/v1/netprofiles/blue:prof1/')).text, '"blue:prof1"');
    await tenantDel(/^cannot delete blue has 1 external contracts groups: ext1$/);
    assert.equal((await f.request('DELETE', '/api/v1/extContractsGroups/blue:ext1/')).text, '"blue:ext1"');
    assert.equal((await f.request('DELETE', '/api/v1/tenants/blue/')).status, 200);
  });
});
