/** `/api/v1/policys/<tenant>:<policy>/` (Contiv's generated plural). */
import { applyRestKey, policySpec, validatePolicy } from '@contiv/model';
import type { Services } from '../../core/services';
import { NetmasterError } from '../../errors';
import type { Collection } from '../collection';
import { splitKey } from './network';

export function policyCollection(s: Services): Collection {
  const find = (key: string) => {
    const [t, p] = splitKey('policy', key);
    const cfg = s.core.catalog.policy(t, p);
    if (!cfg) throw new NetmasterError('NOT_FOUND', `policy ${key} not found`);
    return cfg.value;
  };
  return {
    plural: 'policys',
    schema: policySpec.schema,
    list: () => s.core.catalog.policies().map((p) => s.views.policy(p.value)),
    get: (key) => s.views.policy(find(key)),
    async upsert(key, body, ctx) {
      const cfg = validatePolicy(applyRestKey(policySpec, body, key), key);
      const { config } = await s.policies.create(cfg, ctx.requestId);
      return s.views.policy(config);
    },
    async remove(key, ctx) {
      const [t, p] = splitKey('policy', key);
      await s.policies.delete(t, p, ctx.requestId);
    },
    inspect(key) {
      const cfg = find(key);
      return { Config: s.views.policy(cfg), Oper: s.views.policyOper(cfg) };
    },
  };
}
