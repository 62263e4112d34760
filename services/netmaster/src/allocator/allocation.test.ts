/**
 * Allocation correctness through netmaster's gRPC and REST edges (on a
 * MemoryStore): retries of one request never take two addresses, releases
 * from agents never free an address someone else holds by then, a network
 * re-created after a crashed delete starts empty, and concurrent creates get
 * distinct VLAN/VXLAN/group ids that their deletes give back.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  endpointKey,
  groupIdAllocPrefix,
  groupStateCodec,
  groupStateKey,
  idAllocationCodec,
  ipAllocationCodec,
  ipAllocKey,
  ipAllocPrefix,
  networkStateCodec,
  networkStateKey,
  vlanAllocPrefix,
  vxlanAllocPrefix,
} from '@contiv/model';
import { startFixture, type Fixture } from '../testing/fixture';

const NET = { tenantName: 'default', networkName: 'anet' };

async function until(check: () => boolean | Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 500; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  assert.fail(`timed out waiting for ${what}`);
}

void describe('allocation correctness', () => {
  let f: Fixture;
  const owner = async (ip: string, n = NET.networkName): Promise<string | undefined> => {
    const e = await f.store.get(ipAllocKey('default', n, ip));
    return e ? ipAllocationCodec.decode(e.value).owner : undefined;
  };
  const keys = async (prefix: string): Promise<string[]> => (await f.store.list(prefix)).entries.map((e) => e.key);

  before(async () => {
    f = await startFixture();
    const r = await f.request('POST', '/api/v1/networks/default:anet/', { encap: 'vxlan', subnet: '10.5.0.0/24', gateway: '10.5.0.1' });
    assert.equal(r.status, 200, r.text);
  });
  after(async () => {
    await f.close();
  });

  void it('retries of one request (same request id, concurrently) get one address', async () => {
    const all = await Promise.all(Array.from({ length: 6 }, () => f.control.AllocateAddress({ ...NET, host: 'h1', requestId: 'retry-1' })));
    assert.deepEqual(new Set(all.map((a) => a.address)).size, 1);
    assert.equal((await keys(ipAllocPrefix('default', 'anet'))).length, 1, 'one key, no second address');
    await f.control.ReleaseAddress({ ...NET, address: all[0]?.address ?? '' });
  });

  void it('a guarded release frees only what the caller holds', async () => {
    const a = await f.control.AllocateAddress({ ...NET, host: 'h1', requestId: 'g1' });
    // Wrong owner, other host: kept.
    await f.control.ReleaseAddress({ ...NET, address: a.address, host: 'h1', owner: 'pending:h1:other' });
    await f.control.ReleaseAddress({ ...NET, address: a.address, host: 'h2', owner: '' });
    assert.equal(await owner(a.address), 'pending:h1:g1');
    await f.control.ReleaseAddress({ ...NET, address: a.address, host: 'h1', owner: 'pending:h1:g1' });
    assert.equal(await owner(a.address), undefined);

    // The release repeated after the address went to someone else (a retry after a lost answer): kept.
    const b = await f.control.AllocateAddress({ ...NET, host: 'h2', requestId: 'g2' });
    assert.equal(b.address, a.address, 'lowest free first: the same address again');
    await f.control.ReleaseAddress({ ...NET, address: a.address, host: 'h1', owner: 'pending:h1:g1' });
    assert.equal(await owner(b.address), 'pending:h2:g2');

    // An endpoint of the caller's host: kept while its record exists, freed once it is gone.
    await f.control.CreateEndpoint({ endpoint: { endpointId: 'gep', ...NET, ipAddress: b.address, homingHost: 'h2' } });
    await f.control.ReleaseAddress({ ...NET, address: b.address, host: 'h2', owner: 'pending:h2:g2' });
    assert.equal(await owner(b.address), 'gep', 'the endpoint took it over');
    await f.control.DeleteEndpoint({ endpointId: 'gep', releaseAddress: false });
    await f.control.ReleaseAddress({ ...NET, address: b.address, host: 'h1', owner: '' });
    assert.equal(await owner(b.address), 'gep', 'another host cannot free it');
    await f.control.ReleaseAddress({ ...NET, address: b.address, host: 'h2', owner: '' });
    assert.equal(await owner(b.address), undefined);
  });

  void it('deleting an endpoint never frees an address that is no longer its own', async () => {
    const a = await f.control.AllocateAddress({ ...NET, host: 'h1', requestId: 'd1' });
    await f.control.CreateEndpoint({ endpoint: { endpointId: 'dep', ...NET, ipAddress: a.address, homingHost: 'h1' } });
    // Someone freed the address while the endpoint still existed, and another request took it.
    await f.control.ReleaseAddress({ ...NET, address: a.address });
    const b = await f.control.AllocateAddress({ ...NET, host: 'h3', requestId: 'd2' });
    assert.equal(b.address, a.address);
    await f.control.DeleteEndpoint({ endpointId: 'dep', releaseAddress: true });
    assert.equal(await f.store.get(endpointKey('dep')), undefined);
    assert.equal(await owner(a.address), 'pending:h3:d2', 'the new holder keeps it');
    await f.control.ReleaseAddress({ ...NET, address: b.address });
  });

  void it('a network re-created after a delete that stopped half-way starts with no address taken', async () => {
    // What a netmaster stopping between a network delete's transaction and its address cleanup leaves.
    const other = f.store.newClient();
    for (const ip of ['10.6.0.2', '10.6.0.3']) {
      await other.put(ipAllocKey('default', 'ghost', ip), ipAllocationCodec.encode({ owner: 'old-ep', host: 'h1', allocatedAt: new Date().toISOString() }));
    }
    await until(() => f.nm.services.core.ips.allocated('default', 'ghost').length === 2, "netmaster's mirror to see them");
    const r = await f.request('POST', '/api/v1/networks/default:ghost/', { encap: 'vlan', subnet: '10.6.0.0/24', gateway: '10.6.0.1' });
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(await keys(ipAllocPrefix('default', 'ghost')), []);
    const a = await f.control.AllocateAddress({ tenantName: 'default', networkName: 'ghost', host: 'h1', requestId: 'gh1' });
    assert.equal(a.address, '10.6.0.2');
    await f.control.ReleaseAddress({ tenantName: 'default', networkName: 'ghost', address: a.address });
    assert.equal((await f.request('DELETE', '/api/v1/networks/default:ghost/')).status, 200);
  });

  void it('concurrent network and group creates get distinct ids, and deletes give them all back', async () => {
    const before = { vlan: await keys(vlanAllocPrefix()), vxlan: await keys(vxlanAllocPrefix()), group: await keys(groupIdAllocPrefix()) };
    const nets = Array.from({ length: 24 }, (_, i) => `cn${i}`);
    const created = await Promise.all(
      nets.map((n, i) => f.request('POST', `/api/v1/networks/default:${n}/`, { encap: i % 2 ? 'vlan' : 'vxlan', subnet: `10.100.${i}.0/24`, gateway: `10.100.${i}.1` })),
    );
    for (const r of created) assert.equal(r.status, 200, r.text);
    const groups = await Promise.all(nets.map((n) => f.request('POST', `/api/v1/endpointGroups/default:g-${n}/`, { networkName: n })));
    for (const r of groups) assert.equal(r.status, 200, r.text);

    const states = await Promise.all(nets.map(async (n) => networkStateCodec.decode((await f.store.get(networkStateKey('default', n)))?.value ?? '')));
    const vlans = states.map((s) => s.pktTag);
    const vnis = states.filter((s) => s.encap === 'vxlan').map((s) => s.extPktTag);
    assert.equal(new Set(vlans).size, nets.length, `VLANs ${vlans.join(',')}`);
    assert.equal(new Set(vnis).size, nets.length / 2, `VNIs ${vnis.join(',')}`);
    const gids = await Promise.all(nets.map(async (n) => groupStateCodec.decode((await f.store.get(groupStateKey('default', `g-${n}`)))?.value ?? '').groupId));
    assert.equal(new Set(gids).size, nets.length, `group ids ${gids.join(',')}`);
    // Each id is one key, owned by its object.
    for (const [i, s] of states.entries()) {
      const held = await f.store.get(`${vlanAllocPrefix()}${s.pktTag}`);
      assert.equal(idAllocationCodec.decode(held?.value ?? '').owner, `network:default:${nets[i]}`);
    }

    for (const r of await Promise.all(nets.map((n) => f.request('DELETE', `/api/v1/endpointGroups/default:g-${n}/`)))) assert.equal(r.status, 200, r.text);
    for (const r of await Promise.all(nets.map((n) => f.request('DELETE', `/api/v1/networks/default:${n}/`)))) assert.equal(r.status, 200, r.text);
    assert.deepEqual(await keys(vlanAllocPrefix()), before.vlan);
    assert.deepEqual(await keys(vxlanAllocPrefix()), before.vxlan);
    assert.deepEqual(await keys(groupIdAllocPrefix()), before.group);
  });

  void it('deleting a group leaves an id key another owner holds', async () => {
    const r = await f.request('POST', '/api/v1/endpointGroups/default:gx/', { networkName: 'anet' });
    assert.equal(r.status, 200, r.text);
    const gid = groupStateCodec.decode((await f.store.get(groupStateKey('default', 'gx')))?.value ?? '').groupId;
    const idKey = `${groupIdAllocPrefix()}${gid}`;
    // The id key says someone else holds it (damaged or hand-edited store): the group's delete must not free it.
    await f.store.put(idKey, idAllocationCodec.encode({ owner: 'group:default:someone', allocatedAt: new Date().toISOString() }));
    await until(async () => (await f.request('DELETE', '/api/v1/endpointGroups/default:gx/')).status === 200, 'the group delete');
    assert.ok(await f.store.get(idKey));
    await f.store.delete(idKey);
  });
});
