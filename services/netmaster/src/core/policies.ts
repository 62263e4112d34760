/**
 * Policy create/delete (Contiv's PolicyCreate/PolicyUpdate/PolicyDelete). A
 * policy is a named set of rules (core/rules.ts) that endpoint groups apply by
 * naming it in their `policies`.
 */
import { objectKey, policyKey, ruleStateKey, type PolicyConfig } from '@contiv/model';
import type { TxnCondition, TxnOp } from '@contiv/store';
import { NetmasterError } from '../errors';
import { OBJECT_TYPES } from './catalog';
import { MAX_ATTEMPTS, type Core } from './context';
import { absent, del, put, unchanged } from './store-writer';

/** Rules deleted per transaction: two keys each, well under etcd's (128) and Consul's (64) operation caps. */
export const RULES_PER_DELETE_TXN = 20;

export class PolicyService {
  constructor(private readonly core: Core) {}

  /** Creates the policy; re-POSTing it is a no-op (a policy has no fields besides its key). */
  async create(cfg: PolicyConfig, requestId?: string): Promise<{ config: PolicyConfig; created: boolean }> {
    const { tenantName: t, policyName: p } = cfg;
    return this.core.locks.tenantWrite(t, async () => {
      const key = objectKey(OBJECT_TYPES.policy, policyKey(t, p));
      for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
        const existing = this.core.catalog.policy(t, p);
        if (existing) return { config: existing.value, created: false };
        const tenant = this.core.catalog.tenant(t);
        if (!tenant) throw new NetmasterError('NOT_FOUND', `Tenant ${t} not found`);
        const conditions = [absent(key), unchanged(tenant.key, tenant.modRevision)];
        if (await this.core.writer.txn(conditions, [put(key, JSON.stringify(cfg))])) {
          this.core.log.info('Created policy', { policy: policyKey(t, p), requestId });
          return { config: cfg, created: true };
        }
        await this.core.writer.refresh(conditions.map((c) => c.key));
      }
      throw new NetmasterError('INTERNAL', `policy ${t}:${p}: gave up after ${MAX_ATTEMPTS} conflicting store writes`);
    });
  }

  /** Refused while groups use the policy (the message names them); deletes its rules with it. */
  async delete(t: string, p: string, requestId?: string): Promise<void> {
    await this.core.locks.tenantWrite(t, async () => {
      const c = this.core.catalog;
      for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
        const existing = c.policy(t, p);
        if (!existing) throw new NetmasterError('NOT_FOUND', `policy ${t}:${p} not found`);
        const users = c.groupsUsingPolicy(t, p).map((g) => g.value.groupName);
        if (users.length > 0) throw new NetmasterError('IN_USE', `Policy ${p} is being used by ${users.length} endpoint groups: ${users.join(', ')} (tenant ${t})`);
        const ruleOps = c.rules(t, p).flatMap((r): TxnOp[] => [del(r.key), del(ruleStateKey(t, p, r.value.ruleId))]);
        // All but the last batch of rules go first; the last goes with the policy itself.
        const perTxn = RULES_PER_DELETE_TXN * 2;
        while (ruleOps.length > perTxn) await this.core.writer.txn([], ruleOps.splice(0, perTxn));
        const conditions: TxnCondition[] = [unchanged(existing.key, existing.modRevision)];
        if (await this.core.writer.txn(conditions, [...ruleOps, del(existing.key)])) {
          this.core.log.info('Deleted policy', { policy: policyKey(t, p), requestId });
          return;
        }
        await this.core.writer.refresh(conditions.map((x) => x.key));
      }
      throw new NetmasterError('INTERNAL', `policy ${t}:${p}: gave up after ${MAX_ATTEMPTS} conflicting store writes`);
    });
  }
}
