/** `/api/v1/extContractsGroups/<tenant>:<group>/` */
import { applyRestKey, extContractsGroupSpec, validateExtContractsGroup } from '@contiv/model';
import type { Services } from '../../core/services';
import { NetmasterError } from '../../errors';
import type { Collection } from '../collection';
import { splitKey } from './network';

export function extContractsGroupCollection(s: Services): Collection {
  const find = (key: string) => {
    const [t, x] = splitKey('extContractsGroup', key);
    const cfg = s.core.catalog.extContractsGroup(t, x);
    if (!cfg) throw new NetmasterError('NOT_FOUND', `extContractsGroup ${key} not found`);
    return cfg.value;
  };
  return {
    plural: 'extContractsGroups',
    schema: extContractsGroupSpec.schema,
    list: () => s.core.catalog.extContractsGroups().map((x) => s.views.extContractsGroup(x.value)),
    get: (key) => s.views.extContractsGroup(find(key)),
    async upsert(key, body, ctx) {
      const cfg = validateExtContractsGroup(applyRestKey(extContractsGroupSpec, body, key), key);
      const { config } = await s.extContracts.create(cfg, ctx.requestId);
      return s.views.extContractsGroup(config);
    },
    async remove(key, ctx) {
      const [t, x] = splitKey('extContractsGroup', key);
      await s.extContracts.delete(t, x, ctx.requestId);
    },
    // External contracts groups have no Oper (contivmodel extContractsGroup.json).
    inspect: (key) => ({ Config: s.views.extContractsGroup(find(key)) }),
  };
}
