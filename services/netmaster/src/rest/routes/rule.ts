/** `/api/v1/rules/<tenant>:<policy>:<ruleId>/` */
import { applyRestKey, ruleSpec, validateRule } from '@contiv/model';
import type { Services } from '../../core/services';
import { NetmasterError } from '../../errors';
import type { Collection } from '../collection';

/** `tenant:policy:ruleId` -> its parts; anything else is an invalid key. */
export function splitRuleKey(key: string): [string, string, string] {
  const [t, p, r, ...rest] = key.split(':');
  if (!t || !p || !r || rest.length > 0) throw new NetmasterError('INVALID_ARGUMENT', `rule ${key}: invalid key "${key}" (expected tenant:policy:ruleId)`);
  return [t, p, r];
}

export function ruleCollection(s: Services): Collection {
  const find = (key: string) => {
    const cfg = s.core.catalog.rule(...splitRuleKey(key));
    if (!cfg) throw new NetmasterError('NOT_FOUND', `rule ${key} not found`);
    return cfg.value;
  };
  return {
    plural: 'rules',
    schema: ruleSpec.schema,
    list: () => s.core.catalog.rules().map((r) => s.views.rule(r.value)),
    get: (key) => s.views.rule(find(key)),
    async upsert(key, body, ctx) {
      const cfg = validateRule(applyRestKey(ruleSpec, body, key), key);
      const { config } = await s.rules.create(cfg, ctx.requestId);
      return s.views.rule(config);
    },
    async remove(key, ctx) {
      const [t, p, r] = splitRuleKey(key);
      await s.rules.delete(t, p, r, ctx.requestId);
    },
    // Rules have no Oper (contivmodel rule.json), so inspect is the Config alone, as in Contiv.
    inspect: (key) => ({ Config: s.views.rule(find(key)) }),
  };
}
