import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { networkStateCodec, networkStatePrefix, validateNetwork, vlanAllocPrefix, vxlanAllocPrefix } from '@contiv/model';
import { noopLogger } from '@contiv/runtime';
import { MemoryStore, type ListResult, type StoreEntry, type TxnCondition, type TxnOp, type TxnResult } from '@contiv/store';
import { isNetmasterError } from '../errors';
import { createCore } from './context';
import { createServices, type Services } from './services';

async function services(store = new MemoryStore()): Promise<Services> {
  const core = createCore(store, noopLogger);
  await core.mirror.start();
  const s = createServices(core, 'docker');
  await s.globals.bootstrap();
  return s;
}

/** Records the store calls made on the request path (the mirror's watch is not one). */
class CountingStore extends MemoryStore {
  calls: string[] = [];
  override get(key: string): Promise<StoreEntry | undefined> {
    this.calls.push('get');
    return super.get(key);
  }
  override list(prefix: string): Promise<ListResult> {
    this.calls.push('list');
    return super.list(prefix);
  }
  override transact(conditions: readonly TxnCondition[], ops: readonly TxnOp[]): Promise<TxnResult> {
    this.calls.push('transact');
    return super.transact(conditions, ops);
  }
}

const net = (name: string, subnet: string, over: Record<string, unknown> = {}) =>
  validateNetwork({ tenantName: 'default', networkName: name, encap: 'vxlan', subnet, ...over });

void describe('NetworkService', () => {
  void it('takes exactly one store transaction and no read per network create, allocation, endpoint record and teardown', async () => {
    const store = new CountingStore();
    const s = await services(store);
    const step = async (fn: () => Promise<unknown>): Promise<string[]> => {
      store.calls = [];
      await fn();
      return store.calls;
    };
    assert.deepEqual(await step(() => s.networks.create(net('one', '10.60.0.0/24'), { origin: 'contiv' })), ['transact']);
    let address = '';
    const allocate = async (): Promise<void> => {
      address = (await s.core.ips.allocate({ tenantName: 'default', networkName: 'one', groupName: '', preferredAddress: '', host: 'h1', requestId: 'r1' })).address;
    };
    assert.deepEqual(await step(allocate), ['transact']);
    const record = {
      endpointId: 'ep1', tenantName: 'default', networkName: 'one', groupName: '', ipAddress: address, ipv6Address: '', macAddress: '',
      homingHost: 'h1', intfName: 'cvh1', vtepIp: '', containerId: '', containerName: '',
    };
    assert.deepEqual(await step(() => s.endpoints.create(record)), ['transact']);
    assert.deepEqual(await step(() => s.endpoints.delete('ep1', true)), ['transact']);
    assert.equal((await store.list(`${s.core.mirror.prefix}`)).entries.some((e) => e.key.endsWith(`/${address}`)), false, 'address released with the record');
  });

  void it('runs concurrent creates of one tenant in parallel without overlaps or shared tags', async () => {
    const store = new MemoryStore();
    const s = await services(store);
    // Pairs of overlapping subnets: exactly one of each pair may win.
    const results = await Promise.allSettled(
      Array.from({ length: 20 }, (_, i) => s.networks.create(net(`n${i}`, `10.${Math.floor(i / 2)}.0.0/16`), { origin: 'contiv' })),
    );
    const ok = results.filter((r) => r.status === 'fulfilled');
    const refused = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    assert.equal(ok.length, 10);
    for (const r of refused) assert.ok(isNetmasterError(r.reason, 'SUBNET_OVERLAP'), String(r.reason));
    const states = (await store.list(networkStatePrefix())).entries.map((e) => networkStateCodec.decode(e.value));
    assert.equal(new Set(states.map((st) => st.pktTag)).size, 10);
    assert.equal(new Set(states.map((st) => st.extPktTag)).size, 10);
    assert.equal((await store.list(vlanAllocPrefix())).entries.length, 10);
    assert.equal((await store.list(vxlanAllocPrefix())).entries.length, 10);
  });

  void it('waits for a concurrent create of the same name and then compares', async () => {
    const s = await services();
    const [a, b, c] = await Promise.allSettled([
      s.networks.create(net('same', '10.50.0.0/24'), { origin: 'contiv' }),
      s.networks.create(net('same', '10.50.0.0/24'), { origin: 'contiv' }),
      s.networks.create(net('same', '10.51.0.0/24'), { origin: 'contiv' }),
    ]);
    assert.equal(a?.status, 'fulfilled');
    assert.equal(b?.status, 'fulfilled');
    assert.equal(c?.status, 'rejected');
    assert.ok(a?.status === 'fulfilled' && a.value.created);
    assert.ok(b?.status === 'fulfilled' && !b.value.created);
    assert.ok(c?.status === 'rejected' && isNetmasterError(c.reason, 'IMMUTABLE'));
  });

  void it('reports exhausted tag pools and releases ids on delete', async () => {
    const s = await services();
    await s.globals.update({ name: 'global', vlans: '1-2', vxlans: '1-10000', pvtSubnet: '172.19.0.0/16', fwdMode: 'bridge', arpMode: 'proxy', networkInfraType: 'default' });
    await s.networks.create(net('a', '10.1.0.0/24', { encap: 'vlan' }), { origin: 'contiv' });
    await s.networks.create(net('b', '10.2.0.0/24'), { origin: 'contiv' });
    await assert.rejects(s.networks.create(net('c', '10.3.0.0/24', { encap: 'vlan' }), { origin: 'contiv' }), (err: unknown) => {
      assert.ok(isNetmasterError(err, 'TAG_POOL_EXHAUSTED'));
      assert.equal(err.message, 'no vlans available in the vlan range 1-2');
      return true;
    });
    await s.networks.delete('default', 'a');
    const c = await s.networks.create(net('c', '10.3.0.0/24', { encap: 'vlan' }), { origin: 'contiv' });
    assert.equal(c.state.pktTag, 1);
  });

  void it('refuses a create whose tenant is deleted meanwhile', async () => {
    const s = await services();
    await s.tenants.create({ tenantName: 'blue' });
    const creating = s.networks.create(validateNetwork({ tenantName: 'blue', networkName: 'n', encap: 'vlan', subnet: '10.0.0.0/24' }), { origin: 'contiv' });
    const deleting = s.tenants.delete('blue');
    const [c, d] = await Promise.allSettled([creating, deleting]);
    // Either order is fine, but never a network in a deleted tenant.
    const tenantGone = d?.status === 'fulfilled';
    const networkExists = s.core.catalog.network('blue', 'n') !== undefined;
    assert.ok(!(tenantGone && networkExists), `tenant deleted: ${tenantGone}, network exists: ${networkExists}, create: ${c?.status}`);
  });
});
