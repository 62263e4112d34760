/**
 * Rule create/delete (Contiv's RuleCreate/RuleUpdate/RuleDelete). Each rule
 * is stored twice in one transaction: the config object (REST) and a
 * RuleState under `state/rules/` that the agents watch to enforce it.
 */
import { objectKey, ruleKey, ruleStateCodec, ruleStateKey, ruleStateOf, rulesEqual, type RuleConfig } from '@contiv/model';
import type { TxnCondition } from '@contiv/store';
import { NetmasterError } from '../errors';
import { OBJECT_TYPES, type Versioned } from './catalog';
import { MAX_ATTEMPTS, type Core } from './context';
import { absent, del, put, unchanged } from './store-writer';

export class RuleService {
  constructor(private readonly core: Core) {}

  /**
   * Creates the rule. Re-POSTing the same rule is a no-op; a different rule
   * under an existing id is refused, as in Contiv (delete it first).
   */
  async create(cfg: RuleConfig, requestId?: string): Promise<{ config: RuleConfig; created: boolean }> {
    const { tenantName: t, policyName: p, ruleId: r } = cfg;
    const key = ruleKey(t, p, r);
    return this.core.locks.tenantWrite(t, async () => {
      for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
        const existing = this.core.catalog.rule(t, p, r);
        if (existing) {
          if (!rulesEqual(existing.value, cfg)) throw new NetmasterError('IMMUTABLE', `can not update a rule after its created (rule ${key}; delete it and add it again)`);
          return { config: existing.value, created: false };
        }
        const conditions = [...this.references(cfg).map((v) => unchanged(v.key, v.modRevision)), absent(objectKey(OBJECT_TYPES.rule, key)), absent(ruleStateKey(t, p, r))];
        const ops = [put(objectKey(OBJECT_TYPES.rule, key), JSON.stringify(cfg)), put(ruleStateKey(t, p, r), ruleStateCodec.encode(ruleStateOf(cfg)))];
        if (await this.core.writer.txn(conditions, ops)) {
          this.core.log.info('Created rule', { rule: key, requestId });
          return { config: cfg, created: true };
        }
        await this.core.writer.refresh(conditions.map((c) => c.key));
      }
      throw new NetmasterError('INTERNAL', `rule ${key}: gave up after ${MAX_ATTEMPTS} conflicting store writes`);
    });
  }

  /** The objects a new rule names (its policy, groups, networks); each must exist. */
  private references(cfg: RuleConfig): Versioned<unknown>[] {
    const { tenantName: t, policyName: p } = cfg;
    const c = this.core.catalog;
    const tenant = c.tenant(t);
    if (!tenant) throw new NetmasterError('NOT_FOUND', `Tenant ${t} not found`);
    const policy = c.policy(t, p);
    if (!policy) throw new NetmasterError('NOT_FOUND', `Policy ${p} not found (tenant ${t})`);
    const out: Versioned<unknown>[] = [policy];
    for (const field of ['fromEndpointGroup', 'toEndpointGroup'] as const) {
      const g = cfg[field];
      if (!g) continue;
      const group = c.group(t, g);
      if (!group) throw new NetmasterError('NOT_FOUND', `EndpointGroup ${g} not found (tenant ${t}, ${field})`);
      out.push(group);
    }
    for (const field of ['fromNetwork', 'toNetwork'] as const) {
      const n = cfg[field];
      if (!n) continue;
      const net = c.network(t, n);
      if (!net) throw new NetmasterError('NOT_FOUND', `Network ${n} not found (tenant ${t}, ${field})`);
      out.push(net);
    }
    return out;
  }

  async delete(t: string, p: string, r: string, requestId?: string): Promise<void> {
    const key = ruleKey(t, p, r);
    await this.core.locks.tenantWrite(t, async () => {
      for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
        const existing = this.core.catalog.rule(t, p, r);
        if (!existing) throw new NetmasterError('NOT_FOUND', `rule ${key} not found`);
        const conditions: TxnCondition[] = [unchanged(existing.key, existing.modRevision)];
        if (await this.core.writer.txn(conditions, [del(existing.key), del(ruleStateKey(t, p, r))])) {
          this.core.log.info('Deleted rule', { rule: key, requestId });
          return;
        }
        await this.core.writer.refresh(conditions.map((c) => c.key));
      }
      throw new NetmasterError('INTERNAL', `rule ${key}: gave up after ${MAX_ATTEMPTS} conflicting store writes`);
    });
  }
}
