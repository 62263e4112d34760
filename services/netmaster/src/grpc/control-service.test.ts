import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { endpointKey, ipAllocKey, ipAllocationCodec, networkStateKey } from '@contiv/model';
import { isRpcError, type RpcErrorCode } from '@contiv/rpc';
import { startFixture, type Fixture } from '../testing/fixture';

async function rpcError(p: Promise<unknown>, code: RpcErrorCode, re: RegExp): Promise<void> {
  try {
    await p;
  } catch (err) {
    assert.ok(isRpcError(err, code), `expected ${code}, got ${String(err)}`);
    assert.match(err.message, re);
    return;
  }
  assert.fail(`expected ${code}`);
}

const alloc = (f: Fixture, over: Record<string, string> = {}) =>
  f.control.AllocateAddress({ tenantName: 'default', networkName: 'net1', host: 'h1', ...over });

const EP = (id: string, ip: string, over: Record<string, string> = {}) => ({
  endpoint: { endpointId: id, tenantName: 'default', networkName: 'net1', ipAddress: ip, homingHost: 'h1', intfName: 'vport1', containerId: `c-${id}`, containerName: `/name-${id}`, ...over },
});

void describe('Control service', () => {
  let f: Fixture;
  before(async () => {
    f = await startFixture();
    const r = await f.request('POST', '/api/v1/networks/default:net1/', { encap: 'vxlan', subnet: '10.1.1.0/24', gateway: '10.1.1.1' });
    assert.equal(r.status, 200, r.text);
    const small = await f.request('POST', '/api/v1/networks/default:small/', { encap: 'vlan', subnet: '10.2.0.0/30', gateway: '10.2.0.1' });
    assert.equal(small.status, 200, small.text);
  });
  after(async () => {
    await f.close();
  });

  void it('serves gRPC and REST on the same port', async () => {
    const r = await f.request('GET', '/version');
    assert.equal(r.status, 200);
    const a = await alloc(f, { requestId: 'same-port' });
    assert.equal(a.address, '10.1.1.2');
    await f.control.ReleaseAddress({ tenantName: 'default', networkName: 'net1', address: a.address });
  });

  void it('allocates the lowest free address, skipping the gateway, idempotent by request id', async () => {
    const a = await alloc(f, { requestId: 'r1' });
    assert.deepEqual(a, { address: '10.1.1.2', prefixLength: 24, gateway: '10.1.1.1' });
    const again = await alloc(f, { requestId: 'r1' });
    assert.equal(again.address, '10.1.1.2');
    const b = await alloc(f, { requestId: 'r2' });
    assert.equal(b.address, '10.1.1.3');
    const held = await f.store.get(ipAllocKey('default', 'net1', '10.1.1.3'));
    assert.equal(ipAllocationCodec.decode(held?.value ?? '').owner, 'pending:h1:r2');
    await f.control.ReleaseAddress({ tenantName: 'default', networkName: 'net1', address: '10.1.1.2' });
    await f.control.ReleaseAddress({ tenantName: 'default', networkName: 'net1', address: '10.1.1.2' });
    const c = await alloc(f, { requestId: 'r3' });
    assert.equal(c.address, '10.1.1.2', 'freed addresses are reused lowest-first');
  });

  void it('honours a preferred address', async () => {
    const p = await alloc(f, { preferredAddress: '10.1.1.200', requestId: 'p1' });
    assert.equal(p.address, '10.1.1.200');
    await rpcError(alloc(f, { preferredAddress: '10.1.1.200', requestId: 'p2' }), 'ALREADY_EXISTS', /10\.1\.1\.200 is already in use in network default:net1/);
    await rpcError(alloc(f, { preferredAddress: '10.9.9.9' }), 'INVALID_ARGUMENT', /outside network default:net1 \(10\.1\.1\.0\/24\)/);
    await rpcError(alloc(f, { preferredAddress: '10.1.1.1' }), 'INVALID_ARGUMENT', /is the gateway/);
    await rpcError(alloc(f, { preferredAddress: '10.1.1.255' }), 'INVALID_ARGUMENT', /broadcast/);
  });

  void it('says clearly when a network is full', async () => {
    const a = await alloc(f, { networkName: 'small', requestId: 's1' });
    assert.equal(a.address, '10.2.0.2');
    await rpcError(alloc(f, { networkName: 'small', requestId: 's2' }), 'POOL_EXHAUSTED', /^no free address in network default:small \(10\.2\.0\.0\/30\)$/);
    await rpcError(alloc(f, { networkName: 'nonet' }), 'NOT_FOUND', /network default:nonet not found/);
  });

  void it('gives 50 concurrent requests 50 distinct addresses', async () => {
    const results = await Promise.all(Array.from({ length: 50 }, (_, i) => alloc(f, { requestId: `c${i}` })));
    const addrs = new Set(results.map((r) => r.address));
    assert.equal(addrs.size, 50);
    for (const r of results) await f.control.ReleaseAddress({ tenantName: 'default', networkName: 'net1', address: r.address });
  });

  void it('skips an address taken behind its back (the store is the truth)', async () => {
    const other = f.store.newClient();
    const taken = await other.create(ipAllocKey('default', 'net1', '10.1.1.4'), ipAllocationCodec.encode({ owner: 'someone', host: 'h9', allocatedAt: new Date().toISOString() }));
    assert.ok(taken.ok);
    const a = await alloc(f, { requestId: 'behind' });
    assert.notEqual(a.address, '10.1.1.4');
    await other.delete(ipAllocKey('default', 'net1', '10.1.1.4'));
    await f.control.ReleaseAddress({ tenantName: 'default', networkName: 'net1', address: a.address });
  });

  void it('records endpoints, takes over their address, and guards network deletion', async () => {
    const a = await alloc(f, { requestId: 'ep1' });
    const rec = await f.control.CreateEndpoint(EP('ep1', a.address));
    assert.equal(rec.macAddress, `02:02:0a:01:01:${Number(a.address.split('.')[3]).toString(16).padStart(2, '0')}`);
    const again = await f.control.CreateEndpoint(EP('ep1', a.address));
    assert.equal(again.ipAddress, a.address);
    const held = await f.store.get(ipAllocKey('default', 'net1', a.address));
    assert.equal(ipAllocationCodec.decode(held?.value ?? '').owner, 'ep1');
    assert.ok(await f.store.get(endpointKey('ep1')));
    await rpcError(f.control.CreateEndpoint(EP('ep2', a.address)), 'ALREADY_EXISTS', /in use by endpoint ep1/);
    await rpcError(f.control.CreateEndpoint(EP('ep1', '10.1.1.99')), 'ALREADY_EXISTS', /already exists/);
    const direct = await f.control.CreateEndpoint(EP('ep3', '10.1.1.150'));
    assert.equal(direct.ipAddress, '10.1.1.150', 'a free address is taken directly');

    const inspect = (await f.request('GET', '/api/v1/inspect/networks/default:net1/')).json as { Oper: { numEndpoints: number; endpoints: { endpointID: string; network: string }[] } };
    assert.equal(inspect.Oper.numEndpoints, 2);
    assert.equal(inspect.Oper.endpoints[0]?.network, 'net1.default');
    const ep = (await f.request('GET', '/api/v1/inspect/endpoints/name-ep3/')).json as { Oper: { ipAddress: string[]; endpointID: string } };
    assert.deepEqual(ep.Oper.ipAddress, ['10.1.1.150', '']);
    const byPrefix = (await f.request('GET', '/api/v1/inspect/endpoints/ep1/')).json as { Oper: { endpointID: string } };
    assert.equal(byPrefix.Oper.endpointID, 'ep1');

    const del = await f.request('DELETE', '/api/v1/networks/default:net1/');
    assert.equal(del.status, 409);
    assert.match(del.text, /cannot delete net1 has 2 endpoints/);

    await f.control.DeleteEndpoint({ endpointId: 'ep1', releaseAddress: true });
    await f.control.DeleteEndpoint({ endpointId: 'ep1', releaseAddress: true });
    assert.equal(await f.store.get(ipAllocKey('default', 'net1', a.address)), undefined);
    await f.control.DeleteEndpoint({ endpointId: 'ep3', releaseAddress: false });
    assert.ok(await f.store.get(ipAllocKey('default', 'net1', '10.1.1.150')), 'kept until ReleaseAddress');
    await f.control.ReleaseAddress({ tenantName: 'default', networkName: 'net1', address: '10.1.1.150' });
  });

  void it('allocates from a group ip-pool and keeps the network pool out of it', async () => {
    const g = await f.request('POST', '/api/v1/endpointGroups/default:db/', { networkName: 'net1', ipPool: '10.1.1.2-10.1.1.3' });
    assert.equal(g.status, 409, g.text);
    assert.match(g.text, /ip-pool 10\.1\.1\.2-10\.1\.1\.3 has addresses in use: 10\.1\.1\.2/);
    const ok = await f.request('POST', '/api/v1/endpointGroups/default:db/', { networkName: 'net1', ipPool: '10.1.1.50-10.1.1.51' });
    assert.equal(ok.status, 200, ok.text);
    const a = await alloc(f, { groupName: 'db', requestId: 'g1' });
    const b = await alloc(f, { groupName: 'db', requestId: 'g2' });
    assert.deepEqual([a.address, b.address], ['10.1.1.50', '10.1.1.51']);
    await rpcError(alloc(f, { groupName: 'db', requestId: 'g3' }), 'POOL_EXHAUSTED', /no free address in group default:db pool 10\.1\.1\.50-10\.1\.1\.51/);
    for (const x of [a, b]) await f.control.ReleaseAddress({ tenantName: 'default', networkName: 'net1', address: x.address });
    assert.equal((await f.request('DELETE', '/api/v1/endpointGroups/default:db/')).status, 200);
  });

  void it('turns docker network create into a full Contiv network and back', async () => {
    const reg = {
      dockerNetworkId: 'd0c4e7',
      dockerName: 'dnet',
      dockerScope: 'cluster',
      subnet: '10.9.0.0/24',
      gateway: '10.9.0.1',
      ipRange: '10.9.0.128/25',
    };
    const r = await f.control.RegisterDockerNetwork(reg);
    assert.deepEqual(r, { tenantName: 'default', networkName: 'dnet' });
    assert.deepEqual(await f.control.RegisterDockerNetwork(reg), r, 'idempotent for the same docker id');
    const cfg = (await f.request('GET', '/api/v1/networks/default:dnet/')).json as Record<string, unknown>;
    assert.equal(cfg.subnet, '10.9.0.128-10.9.0.254/24');
    assert.equal(cfg.encap, 'vxlan');
    const a = await alloc(f, { networkName: 'dnet', requestId: 'd1' });
    assert.equal(a.address, '10.9.0.128');
    await rpcError(f.control.RegisterDockerNetwork({ ...reg, dockerNetworkId: 'other' }), 'ALREADY_EXISTS', /network default:dnet already exists/);
    await rpcError(f.control.RegisterDockerNetwork({ ...reg, dockerNetworkId: 'x2', dockerName: 'dnet2', subnet: '10.9.0.0/16', ipRange: '' }), 'INVALID_ARGUMENT', /overlaps network default:dnet/);
    await rpcError(f.control.RegisterDockerNetwork({ ...reg, dockerNetworkId: 'x3', dockerName: 'dnet3', subnet: '10.99.0.0/33', ipRange: '' }), 'INVALID_ARGUMENT', /--subnet 10\.99\.0\.0\/33 is not a valid IPv4 CIDR/);
    const rest = await f.request('DELETE', '/api/v1/networks/default:dnet/');
    assert.equal(rest.status, 409);
    assert.match(rest.text, /docker network rm dnet/);

    const mapped = await f.control.RegisterDockerNetwork({ dockerNetworkId: 'legacy1', dockerName: 'net1', dockerScope: 'h1', options: { 'contiv-tag': 'net1.default' } });
    assert.deepEqual(mapped, { tenantName: 'default', networkName: 'net1' });
    await f.control.UnregisterDockerNetwork({ dockerNetworkId: 'legacy1', dockerScope: 'h1' });
    assert.ok((await f.request('GET', '/api/v1/networks/default:net1/')).status === 200, 'origin contiv: only the mapping goes');

    const state = await f.store.get(networkStateKey('default', 'dnet'));
    assert.ok(state);
    await f.control.UnregisterDockerNetwork({ dockerNetworkId: 'd0c4e7', dockerScope: 'cluster' });
    await f.control.UnregisterDockerNetwork({ dockerNetworkId: 'd0c4e7', dockerScope: 'cluster' });
    assert.equal((await f.request('GET', '/api/v1/networks/default:dnet/')).status, 404);
    assert.equal(await f.store.get(networkStateKey('default', 'dnet')), undefined);
    assert.equal(await f.store.get(ipAllocKey('default', 'dnet', '10.9.0.128')), undefined, 'its addresses are released');
  });
});
