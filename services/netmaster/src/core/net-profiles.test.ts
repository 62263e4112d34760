import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { groupStateCodec, groupStatePrefix, validateAppProfile, validateEndpointGroup, validateNetProfile, validateNetwork } from '@contiv/model';
import { noopLogger } from '@contiv/runtime';
import { MemoryStore, type TxnCondition, type TxnOp, type TxnResult } from '@contiv/store';
import { isNetmasterError } from '../errors';
import { createCore } from './context';
import { GROUPS_PER_UPDATE_TXN } from './net-profiles';
import { createServices, type Services } from './services';

/** Records every transaction: its size and whether it wrote the profile. */
class TxnLogStore extends MemoryStore {
  txns: { size: number; keys: string[] }[] = [];
  override transact(conditions: readonly TxnCondition[], ops: readonly TxnOp[]): Promise<TxnResult> {
    this.txns.push({ size: conditions.length + ops.length, keys: ops.map((o) => o.key) });
    return super.transact(conditions, ops);
  }
}

async function services(store: MemoryStore): Promise<Services> {
  const core = createCore(store, noopLogger);
  await core.mirror.start();
  const s = createServices(core, 'docker');
  await s.globals.bootstrap();
  return s;
}

const profile = (over: Record<string, unknown> = {}) => validateNetProfile({ tenantName: 'default', profileName: 'gold', bandwidth: '1Gbps', DSCP: 46, burst: 64, ...over });

void describe('NetProfileService', () => {
  void it('rewrites the GroupState of every group using the profile, in transactions small enough for etcd and Consul', async () => {
    const store = new TxnLogStore();
    const s = await services(store);
    await s.networks.create(validateNetwork({ tenantName: 'default', networkName: 'n1', encap: 'vxlan', subnet: '10.1.0.0/16' }), { origin: 'contiv' });
    await s.netProfiles.upsert(profile());
    const n = 2 * GROUPS_PER_UPDATE_TXN + 5;
    for (let i = 1; i <= n; i++) await s.groups.upsert(validateEndpointGroup({ tenantName: 'default', groupName: `g${i}`, networkName: 'n1', netProfile: 'gold' }));
    await s.groups.upsert(validateEndpointGroup({ tenantName: 'default', groupName: 'plain', networkName: 'n1' }));
    const states = async () => (await store.list(groupStatePrefix())).entries.map((e) => groupStateCodec.decode(e.value));
    for (const st of await states()) {
      const want = st.groupName === 'plain' ? { bandwidthKbps: 0, burstKb: 0, dscp: 0 } : { bandwidthKbps: 1000000, burstKb: 64, dscp: 46 };
      assert.deepEqual({ bandwidthKbps: st.bandwidthKbps, burstKb: st.burstKb, dscp: st.dscp }, want, st.groupName);
    }

    store.txns = [];
    await s.netProfiles.upsert(profile({ bandwidth: '500Mbps', DSCP: 10, burst: 0 }));
    assert.equal(store.txns.length, 3);
    assert.ok(Math.max(...store.txns.map((t) => t.size)) <= 2 * GROUPS_PER_UPDATE_TXN + 2, `transaction sizes ${store.txns.map((t) => t.size).join(', ')}`);
    assert.ok(store.txns.at(-1)?.keys.some((k) => k.endsWith('obj/netprofile/default:gold')), 'the profile goes with the last batch');
    for (const st of await states()) {
      const want = st.groupName === 'plain' ? { bandwidthKbps: 0, burstKb: 0, dscp: 0 } : { bandwidthKbps: 500000, burstKb: 0, dscp: 10 };
      assert.deepEqual({ bandwidthKbps: st.bandwidthKbps, burstKb: st.burstKb, dscp: st.dscp }, want, st.groupName);
    }

    store.txns = [];
    const same = await s.netProfiles.upsert(profile({ bandwidth: '500Mbps', DSCP: 10, burst: 0 }));
    assert.equal(same.created, false);
    assert.deepEqual(store.txns, [], 'an identical re-POST writes nothing');
  });

  void it('refuses what would leave a dangling reference, writing nothing', async () => {
    const store = new TxnLogStore();
    const s = await services(store);
    await s.networks.create(validateNetwork({ tenantName: 'default', networkName: 'n1', encap: 'vxlan', subnet: '10.1.0.0/16' }), { origin: 'contiv' });
    store.txns = [];
    await assert.rejects(
      s.groups.upsert(validateEndpointGroup({ tenantName: 'default', groupName: 'g1', networkName: 'n1', netProfile: 'gold' })),
      (err: unknown) => isNetmasterError(err, 'NOT_FOUND') && err.message === 'netprofile gold not found (tenant default)',
    );
    await assert.rejects(
      s.appProfiles.upsert(validateAppProfile({ tenantName: 'default', appProfileName: 'a1', endpointGroups: ['g1'] })),
      (err: unknown) => isNetmasterError(err, 'NOT_FOUND') && err.message === 'EndpointGroup g1 not found (tenant default)',
    );
    await assert.rejects(s.netProfiles.upsert(profile({ tenantName: 'red' })), (err: unknown) => isNetmasterError(err, 'NOT_FOUND') && /Tenant red not found/.test(err.message));
    assert.deepEqual(store.txns, []);
    await s.netProfiles.upsert(profile());
    await s.groups.upsert(validateEndpointGroup({ tenantName: 'default', groupName: 'g1', networkName: 'n1', netProfile: 'gold' }));
    await assert.rejects(s.netProfiles.delete('default', 'gold'), (err: unknown) => isNetmasterError(err, 'IN_USE'));
    await assert.rejects(s.tenants.delete('default'), (err: unknown) => isNetmasterError(err, 'IN_USE'));
  });
});
