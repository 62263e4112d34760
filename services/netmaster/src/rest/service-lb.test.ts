import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ipAllocationCodec, ipAllocKey } from '@contiv/model';
import { startFixture, type Fixture } from '../testing/fixture';

const GO = { 'user-agent': 'Go-http-client/1.1' };
const errorOf = (json: unknown): { code: string; message: string } => (json as { error: { code: string; message: string } }).error;
type Oper = { Config: Record<string, unknown>; Oper: { serviceVip?: string; numProviders?: number; providers?: Array<{ endpointID?: string; ipAddress?: string[] }> } };

void describe('REST API: serviceLBs', () => {
  let f: Fixture;
  const endpoint = (id: string, ip: string, labels: Record<string, string>, network = 'net1') =>
    f.control.CreateEndpoint({ endpoint: { endpointId: id, tenantName: 'blue', networkName: network, ipAddress: ip, homingHost: 'h1', intfName: `v${id}`, labels } });

  before(async () => {
    f = await startFixture();
    assert.equal((await f.request('POST', '/api/v1/tenants/blue/', { tenantName: 'blue' })).status, 200);
    assert.equal((await f.request('POST', '/api/v1/networks/blue:net1/', { encap: 'vxlan', subnet: '10.1.1.0/24', gateway: '10.1.1.254' })).status, 200);
    assert.equal((await f.request('POST', '/api/v1/networks/blue:net2/', { encap: 'vxlan', subnet: '10.2.1.0/24' })).status, 200);
  });
  after(async () => {
    await f.close();
  });

  void it('creates a service as Contiv’s netctl sends it, with its VIP held in IPAM', async () => {
    // netctl service create -t blue -network net1 -ip 10.1.1.200 -selector app=web -port 80:8080:TCP web-svc
    const body = { ipAddress: '10.1.1.200', networkName: 'net1', ports: ['80:8080:TCP'], selectors: ['app=web'], serviceName: 'web-svc', tenantName: 'blue', 'link-sets': {}, links: { Network: {}, Tenant: {} } };
    const r = await f.request('POST', '/api/v1/serviceLBs/blue:web-svc/', body, GO);
    assert.equal(r.status, 200, r.text);
    assert.equal(
      r.text,
      '{"key":"blue:web-svc","ipAddress":"10.1.1.200","networkName":"net1","ports":["80:8080:TCP"],"selectors":["app=web"],"serviceName":"web-svc","tenantName":"blue","link-sets":{},"links":{"Network":{"type":"network","key":"blue:net1"},"Tenant":{"type":"tenant","key":"blue"}}}',
    );
    assert.deepEqual((await f.request('GET', '/api/v1/serviceLBs/blue:web-svc/')).json, r.json);
    assert.deepEqual((await f.request('GET', '/api/v1/serviceLBs/')).json, [r.json]);
    assert.equal((await f.request('POST', '/api/v1/serviceLBs/blue:web-svc/', body)).status, 200, 'an identical re-POST is a no-op');
    const held = await f.store.get(ipAllocKey('blue', 'net1', '10.1.1.200'));
    assert.equal(held && ipAllocationCodec.decode(held.value).owner, 'service:blue:web-svc');
    const net = (await f.request('GET', '/api/v1/networks/blue:net1/')).json as { 'link-sets': Record<string, unknown> };
    assert.deepEqual(net['link-sets'].Servicelbs, { 'blue:web-svc': { type: 'serviceLB', key: 'blue:web-svc' } });
  });

  void it('lists as providers the endpoints whose labels match every selector, following them as they come and go', async () => {
    await endpoint('ep-a', '10.1.1.10', { app: 'web', other: 'x' });
    await endpoint('ep-b', '10.1.1.11', { app: 'db' });
    await endpoint('ep-c', '10.1.1.12', { app: 'web' });
    await endpoint('ep-d', '10.2.1.10', { app: 'web' }, 'net2');
    const i = (await f.request('GET', '/api/v1/inspect/serviceLBs/blue:web-svc/')).json as Oper;
    assert.equal(i.Oper.serviceVip, '10.1.1.200');
    assert.equal(i.Oper.numProviders, 2);
    assert.deepEqual(i.Oper.providers?.map((p) => p.endpointID), ['ep-a', 'ep-c']);
    await f.control.DeleteEndpoint({ endpointId: 'ep-a', releaseAddress: true });
    const j = (await f.request('GET', '/api/v1/inspect/serviceLBs/blue:web-svc/')).json as Oper;
    assert.deepEqual(j.Oper.providers?.map((p) => p.endpointID), ['ep-c']);
  });

  void it('updates selectors and ports but not the network or the VIP', async () => {
    const r = await f.request('POST', '/api/v1/serviceLBs/blue:web-svc/', { networkName: 'net1', ports: ['80:8080:TCP', '53:53:UDP'], selectors: ['app=db'] });
    assert.equal(r.status, 200, r.text);
    assert.equal((r.json as { ipAddress: string }).ipAddress, '10.1.1.200', 'the VIP is kept when the update names none');
    const i = (await f.request('GET', '/api/v1/inspect/serviceLBs/blue:web-svc/')).json as Oper;
    assert.deepEqual(i.Oper.providers?.map((p) => p.endpointID), ['ep-b']);
    const moved = await f.request('POST', '/api/v1/serviceLBs/blue:web-svc/', { networkName: 'net2', selectors: ['app=db'] });
    assert.equal(moved.status, 409);
    assert.match(errorOf(moved.json).message, /cannot move to another network/);
    const vip = await f.request('POST', '/api/v1/serviceLBs/blue:web-svc/', { networkName: 'net1', ipAddress: '10.1.1.201' });
    assert.equal(vip.status, 409);
    assert.match(errorOf(vip.json).message, /the VIP cannot change/);
  });

  void it('allocates the VIP from the network pool when none is given, and frees it on delete', async () => {
    const r = await f.request('POST', '/api/v1/serviceLBs/blue:auto/', { networkName: 'net1', selectors: ['app=web'], ports: ['80:8080:TCP'] });
    assert.equal(r.status, 200, r.text);
    const vip = (r.json as { ipAddress: string }).ipAddress;
    assert.match(vip, /^10\.1\.1\.\d+$/);
    assert.ok(!['10.1.1.11', '10.1.1.12', '10.1.1.200', '10.1.1.254'].includes(vip), vip);
    const taken = await f.control.CreateEndpoint({ endpoint: { endpointId: 'ep-x', tenantName: 'blue', networkName: 'net1', ipAddress: vip, homingHost: 'h1' } }).then(
      () => 'created',
      (err: Error) => err.message,
    );
    assert.match(taken, /is the VIP of serviceLB blue:auto/, 'an endpoint cannot take a VIP');
    const del = await f.request('DELETE', '/api/v1/serviceLBs/blue:auto/');
    assert.equal(del.status, 200);
    assert.equal(del.text, '"blue:auto"');
    assert.equal(await f.store.get(ipAllocKey('blue', 'net1', vip)), undefined, 'the VIP is free again');
    assert.equal((await f.request('DELETE', '/api/v1/serviceLBs/blue:auto/')).status, 404);
  });

  void it('refuses bad services with a clear 4xx and changes nothing', async () => {
    const before = (await f.request('GET', '/api/v1/serviceLBs/')).text;
    const ipamBefore = (await f.store.list(ipAllocKey('blue', 'net1', ''))).entries.length;
    const cases: [string, string, unknown, number, RegExp][] = [
      ['bad port spec', '/api/v1/serviceLBs/blue:s2/', { networkName: 'net1', ports: ['80-8080'] }, 400, /serviceLB blue:s2: ports\[0\] "80-8080" is not a port mapping/],
      ['port out of range', '/api/v1/serviceLBs/blue:s2/', { networkName: 'net1', ports: ['80:70000:TCP'] }, 400, /has a port outside 1-65535/],
      ['bad selector', '/api/v1/serviceLBs/blue:s2/', { networkName: 'net1', selectors: ['web'] }, 400, /selectors\[0\] "web" is not a selector of the form key=value/],
      ['ip outside subnet', '/api/v1/serviceLBs/blue:s2/', { networkName: 'net1', ipAddress: '10.9.9.9' }, 400, /address 10.9.9.9 is outside network blue:net1 \(10.1.1.0\/24\)/],
      ['gateway', '/api/v1/serviceLBs/blue:s2/', { networkName: 'net1', ipAddress: '10.1.1.254' }, 400, /address 10.1.1.254 is the gateway of network blue:net1/],
      ['address of an endpoint', '/api/v1/serviceLBs/blue:s2/', { networkName: 'net1', ipAddress: '10.1.1.12' }, 409, /address 10.1.1.12 is already in use in network blue:net1 by endpoint ep-c/],
      ['another service’s VIP', '/api/v1/serviceLBs/blue:s2/', { networkName: 'net1', ipAddress: '10.1.1.200' }, 409, /already in use .* by service:blue:web-svc/],
      ['unknown network', '/api/v1/serviceLBs/blue:s2/', { networkName: 'nonet' }, 404, /Network nonet not found/],
      ['no network', '/api/v1/serviceLBs/blue:s2/', {}, 400, /networkName is required/],
      ['unknown tenant', '/api/v1/serviceLBs/red:s2/', { networkName: 'net1' }, 404, /Tenant red not found/],
      ['bad key', '/api/v1/serviceLBs/s2/', { networkName: 'net1' }, 400, /invalid key "s2"/],
    ];
    for (const [what, path, body, status, re] of cases) {
      const r = await f.request('POST', path, body);
      assert.equal(r.status, status, `${what}: ${r.text}`);
      assert.match(errorOf(r.json).message, re, what);
    }
    assert.equal((await f.request('GET', '/api/v1/serviceLBs/')).text, before);
    assert.equal((await f.store.list(ipAllocKey('blue', 'net1', ''))).entries.length, ipamBefore, 'no address taken');
    assert.equal((await f.request('GET', '/api/v1/serviceLBs/blue:nosuch/')).status, 404);
  });

  void it('refuses to delete a network while a service uses it', async () => {
    await f.control.DeleteEndpoint({ endpointId: 'ep-b', releaseAddress: true });
    await f.control.DeleteEndpoint({ endpointId: 'ep-c', releaseAddress: true });
    const r = await f.request('DELETE', '/api/v1/networks/blue:net1/');
    assert.equal(r.status, 409);
    assert.match(errorOf(r.json).message, /cannot delete net1 has 1 services: web-svc/);
    assert.equal((await f.request('DELETE', '/api/v1/serviceLBs/blue:web-svc/')).status, 200);
    assert.equal((await f.request('DELETE', '/api/v1/networks/blue:net1/')).status, 200);
  });
});
