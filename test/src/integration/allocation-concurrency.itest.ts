/**
 * Issue 6, allocation correctness: 1,000 concurrent address allocations from
 * three hosts' gRPC clients against the real netmaster, on a real etcd and on
 * a real Consul. No address is handed out twice (the answers and the store's
 * ipam keys agree, one key per answer, owned by its request), retries of a
 * request get its address again, one preferred address goes to exactly one
 * asker, and releasing everything (a quarter through endpoints, the rest directly)
 * leaves no ipam key and the whole pool free. Networks and groups created
 * concurrently get distinct VLAN, VXLAN and group ids, which their deletes
 * give back.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { endpointPrefix, groupIdAllocPrefix, groupStateCodec, groupStateKey, idAllocationCodec, networkStateCodec, networkStateKey, vlanAllocPrefix, vxlanAllocPrefix } from '@contiv/model';
import { isRpcError } from '@contiv/rpc';
import { runConcurrently, startAllocationRig, type AllocationRig, type Backend } from './allocation-rig';

const ALLOCATIONS = 1000;
/** Requests sent twice at once (an agent retrying a call that timed out): each must still hold one address. */
const RETRIED = 60;
const NET = { tenantName: 'default', networkName: 'anet' };
/** A /22: 1,021 assignable addresses besides the gateway, so 1,000 fit with 21 to spare. */
const SUBNET = { subnet: '10.60.0.0/22', gateway: '10.60.0.1' };

interface Answer {
  readonly host: number;
  readonly requestId: string;
  readonly address: string;
}

for (const backend of ['etcd', 'consul'] as Backend[]) {
  void describe(`allocation under contention on ${backend}`, { timeout: 120_000 }, () => {
    let rig: AllocationRig;
    let answers: Answer[] = [];

    before(async () => {
      rig = await startAllocationRig(backend);
      const r = await rig.rest('POST', '/api/v1/networks/default:anet/', { encap: 'vxlan', ...SUBNET });
      assert.equal(r.status, 200, r.text);
    });
    after(async () => {
      await rig?.stop();
    });

    void test(`${ALLOCATIONS} concurrent allocations from 3 hosts: no duplicates, the store agrees`, async () => {
      const requests = Array.from({ length: ALLOCATIONS }, (_, k) => ({ host: k % 3, requestId: `r${k}` }));
      // All at once, plus a second copy of some requests racing their first.
      const calls = [...requests, ...requests.slice(0, RETRIED)].map(async ({ host, requestId }) => {
        const a = await rig.controls[host]?.AllocateAddress({ ...NET, host: rig.hosts[host], requestId });
        return { host, requestId, address: a?.address ?? '' };
      });
      const all = await Promise.all(calls);
      answers = all.slice(0, ALLOCATIONS);
      for (const [i, again] of all.slice(ALLOCATIONS).entries()) assert.equal(again.address, answers[i]?.address, `retry of ${again.requestId}`);

      const addresses = answers.map((a) => a.address);
      assert.equal(new Set(addresses).size, ALLOCATIONS, 'every answer is a different address');
      const entries = await rig.ipamEntries();
      assert.equal(entries.length, ALLOCATIONS, 'one ipam key per answer, none for the retries');
      const byAddress = new Map(entries.map((e) => [e.key.slice(e.key.lastIndexOf('/') + 1), e.alloc]));
      for (const a of answers) {
        const held = byAddress.get(a.address);
        assert.equal(held?.owner, `pending:${rig.hosts[a.host]}:${a.requestId}`, `owner of ${a.address}`);
        assert.equal(held?.host, rig.hosts[a.host]);
      }
      assert.ok(!addresses.includes(SUBNET.gateway));
      const inspect = (await rig.rest('GET', '/api/v1/inspect/networks/default:anet/')).json as { Oper: { allocatedAddressesCount: number } };
      assert.equal(inspect.Oper.allocatedAddressesCount, ALLOCATIONS);
    });

    void test('one preferred address asked for by all three hosts at once goes to exactly one', async () => {
      const free = '10.60.3.250';
      assert.ok(!answers.some((a) => a.address === free), 'still free');
      const tries = await Promise.allSettled(
        Array.from({ length: 30 }, (_, k) => rig.controls[k % 3]?.AllocateAddress({ ...NET, host: rig.hosts[k % 3], requestId: `pref${k}`, preferredAddress: free })),
      );
      const won = tries.filter((t) => t.status === 'fulfilled');
      assert.equal(won.length, 1, 'one winner');
      for (const t of tries) if (t.status === 'rejected') assert.ok(isRpcError(t.reason, 'ALREADY_EXISTS'), String(t.reason));
      await rig.controls[0]?.ReleaseAddress({ ...NET, address: free });
    });

    void test('releasing everything from the 3 hosts (a quarter through endpoints) leaves no key and the pool whole', async () => {
      await runConcurrently(answers.length, 96, async (i) => {
        const a = answers[i] as Answer;
        const control = rig.controls[a.host];
        const host = rig.hosts[a.host] ?? '';
        if (i % 4 === 0) {
          // The agent's path: the endpoint takes the address over, then its delete frees both.
          const endpointId = `ep${i}`;
          await control?.CreateEndpoint({ endpoint: { endpointId, ...NET, ipAddress: a.address, homingHost: host } });
          await control?.DeleteEndpoint({ endpointId, releaseAddress: true });
        } else {
          // Docker's ReleaseAddress after a failed start, guarded by host and owner, sent twice (a retry).
          const req = { ...NET, address: a.address, host, owner: `pending:${host}:${a.requestId}` };
          await control?.ReleaseAddress(req);
          await control?.ReleaseAddress(req);
        }
      });
      assert.deepEqual(await rig.ipamEntries(), [], 'no ipam key left');
      assert.deepEqual((await rig.store.list(endpointPrefix())).entries, [], 'no endpoint record left');
      const inspect = (await rig.rest('GET', '/api/v1/inspect/networks/default:anet/')).json as { Oper: { allocatedAddressesCount?: number; availableIPAddresses?: string } };
      assert.equal(inspect.Oper.allocatedAddressesCount ?? 0, 0);
      assert.equal(inspect.Oper.availableIPAddresses, '10.60.0.2-10.60.3.254', 'the whole pool is free');
    });

    void test('networks and groups created concurrently get distinct VLAN/VXLAN/group ids; deletes give them back', async () => {
      const idKeys = async (): Promise<string[]> => [
        ...(await rig.store.list(vlanAllocPrefix())).entries.map((e) => e.key),
        ...(await rig.store.list(vxlanAllocPrefix())).entries.map((e) => e.key),
        ...(await rig.store.list(groupIdAllocPrefix())).entries.map((e) => e.key),
      ];
      const baseline = (await idKeys()).sort();
      const names = Array.from({ length: 30 }, (_, i) => `cn${i}`);
      const made = await Promise.all(
        names.map((n, i) => rig.rest('POST', `/api/v1/networks/default:${n}/`, { encap: i % 3 === 0 ? 'vlan' : 'vxlan', subnet: `10.70.${i}.0/24`, gateway: `10.70.${i}.1` })),
      );
      for (const r of made) assert.equal(r.status, 200, r.text);
      const groups = await Promise.all(names.map((n) => rig.rest('POST', `/api/v1/endpointGroups/default:g${n}/`, { networkName: n })));
      for (const r of groups) assert.equal(r.status, 200, r.text);

      const states = await Promise.all(names.map(async (n) => networkStateCodec.decode((await rig.store.get(networkStateKey('default', n)))?.value ?? '')));
      const vlans = states.map((s) => s.pktTag);
      const vnis = states.filter((s) => s.encap === 'vxlan').map((s) => s.extPktTag);
      assert.equal(new Set(vlans).size, names.length, `VLANs: ${vlans.join(',')}`);
      assert.equal(new Set(vnis).size, vnis.length, `VNIs: ${vnis.join(',')}`);
      const gids = await Promise.all(names.map(async (n) => groupStateCodec.decode((await rig.store.get(groupStateKey('default', `g${n}`)))?.value ?? '').groupId));
      assert.equal(new Set(gids).size, names.length, `group ids: ${gids.join(',')}`);
      // Every id is one key in the store, held by its object.
      for (const [i, s] of states.entries()) {
        const held = await rig.store.get(`${vlanAllocPrefix()}${s.pktTag}`);
        assert.equal(idAllocationCodec.decode(held?.value ?? '').owner, `network:default:${names[i]}`);
      }
      assert.equal((await idKeys()).length, baseline.length + names.length + vnis.length + names.length);

      for (const r of await Promise.all(names.map((n) => rig.rest('DELETE', `/api/v1/endpointGroups/default:g${n}/`)))) assert.equal(r.status, 200, r.text);
      for (const r of await Promise.all(names.map((n) => rig.rest('DELETE', `/api/v1/networks/default:${n}/`)))) assert.equal(r.status, 200, r.text);
      assert.deepEqual((await idKeys()).sort(), baseline, 'every id given back');
    });
  });
}
