import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { objectPrefix, ruleStatePrefix, validateNetwork, validatePolicy, validateRule } from '@contiv/model';
import { noopLogger } from '@contiv/runtime';
import { MemoryStore, type TxnCondition, type TxnOp, type TxnResult } from '@contiv/store';
import { isNetmasterError } from '../errors';
import { createCore } from './context';
import { RULES_PER_DELETE_TXN } from './policies';
import { createServices, type Services } from './services';

/** Records the size of every transaction. */
class TxnSizeStore extends MemoryStore {
  sizes: number[] = [];
  override transact(conditions: readonly TxnCondition[], ops: readonly TxnOp[]): Promise<TxnResult> {
    this.sizes.push(conditions.length + ops.length);
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

const rule = (id: string, over: Record<string, unknown> = {}) => validateRule({ tenantName: 'default', policyName: 'p1', ruleId: id, direction: 'in', action: 'allow', ...over });

void describe('PolicyService and RuleService', () => {
  void it('deletes a policy with many rules in transactions small enough for etcd and Consul', async () => {
    const store = new TxnSizeStore();
    const s = await services(store);
    await s.policies.create(validatePolicy({ tenantName: 'default', policyName: 'p1' }));
    const n = 2 * RULES_PER_DELETE_TXN + 5;
    for (let i = 1; i <= n; i++) await s.rules.create(rule(`r${i}`, { priority: (i % 100) + 1 }));
    assert.equal((await store.list(ruleStatePrefix())).entries.length, n);
    store.sizes = [];
    await s.policies.delete('default', 'p1');
    assert.equal(store.sizes.length, 3);
    assert.ok(Math.max(...store.sizes) <= 2 * RULES_PER_DELETE_TXN + 2, `transaction sizes ${store.sizes.join(', ')}`);
    assert.equal((await store.list(ruleStatePrefix())).entries.length, 0);
    assert.equal((await store.list(objectPrefix('rule'))).entries.length, 0);
    assert.equal((await store.list(objectPrefix('policy'))).entries.length, 0);
  });

  void it('a network that rules name cannot be deleted until the rules go', async () => {
    const s = await services(new MemoryStore());
    await s.networks.create(validateNetwork({ tenantName: 'default', networkName: 'n1', encap: 'vxlan', subnet: '10.1.1.0/24' }), { origin: 'contiv' });
    await s.policies.create(validatePolicy({ tenantName: 'default', policyName: 'p1' }));
    await s.rules.create(rule('1', { fromNetwork: 'n1' }));
    await assert.rejects(s.networks.delete('default', 'n1', {}), (err: unknown) => isNetmasterError(err, 'IN_USE') && /rules name it as their network: p1:1/.test(err.message));
    await s.rules.delete('default', 'p1', '1');
    await s.networks.delete('default', 'n1', {});
  });

  void it('writes a rule and its state in one transaction, and not at all when the policy is missing', async () => {
    const store = new TxnSizeStore();
    const s = await services(store);
    store.sizes = [];
    await assert.rejects(s.rules.create(rule('1')), (err: unknown) => isNetmasterError(err, 'NOT_FOUND') && /Policy p1 not found/.test(err.message));
    assert.deepEqual(store.sizes, [], 'nothing written');
    await s.policies.create(validatePolicy({ tenantName: 'default', policyName: 'p1' }));
    store.sizes = [];
    await s.rules.create(rule('1'));
    // Conditions: the policy's revision, rule absent, state absent; ops: two puts.
    assert.deepEqual(store.sizes, [5]);
    const again = await s.rules.create(rule('1'));
    assert.equal(again.created, false);
    assert.deepEqual(store.sizes, [5], 'an identical re-POST writes nothing');
  });

  void it('refuses to delete a tenant with policies and a policy used by a group', async () => {
    const s = await services(new MemoryStore());
    await s.policies.create(validatePolicy({ tenantName: 'default', policyName: 'p1' }));
    await assert.rejects(s.tenants.delete('default'), (err: unknown) => isNetmasterError(err, 'IN_USE') && err.message === 'cannot delete default has 1 policies: p1');
    await assert.rejects(s.policies.create(validatePolicy({ tenantName: 'red', policyName: 'p1' })), (err: unknown) => isNetmasterError(err, 'NOT_FOUND') && /Tenant red not found/.test(err.message));
  });
});
