/** `/api/v1/serviceLBs/<tenant>:<service>/` (Contiv's generated plural). */
import { applyRestKey, serviceLbSpec, validateServiceLb } from '@contiv/model';
import type { Services } from '../../core/services';
import { NetmasterError } from '../../errors';
import type { Collection } from '../collection';
import { splitKey } from './network';

export function serviceLbCollection(s: Services): Collection {
  const find = (key: string) => {
    const [t, x] = splitKey('serviceLB', key);
    const cfg = s.core.catalog.serviceLb(t, x);
    if (!cfg) throw new NetmasterError('NOT_FOUND', `serviceLB ${key} not found`);
    return cfg.value;
  };
  return {
    plural: 'serviceLBs',
    schema: serviceLbSpec.schema,
    list: () => s.core.catalog.serviceLbs().map((x) => s.views.serviceLb(x.value)),
    get: (key) => s.views.serviceLb(find(key)),
    async upsert(key, body, ctx) {
      const cfg = validateServiceLb(applyRestKey(serviceLbSpec, body, key), key);
      const { config } = await s.serviceLbs.upsert(cfg, ctx.requestId);
      return s.views.serviceLb(config);
    },
    async remove(key, ctx) {
      const [t, x] = splitKey('serviceLB', key);
      await s.serviceLbs.delete(t, x, ctx.requestId);
    },
    inspect(key) {
      const cfg = find(key);
      return { Config: s.views.serviceLb(cfg), Oper: s.views.serviceLbOper(cfg) };
    },
  };
}
