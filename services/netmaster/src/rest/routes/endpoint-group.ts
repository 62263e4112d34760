/** `/api/v1/endpointGroups/<tenant>:<group>/` */
import { applyRestKey, endpointGroupSpec, validateEndpointGroup } from '@contiv/model';
import type { Services } from '../../core/services';
import { NetmasterError } from '../../errors';
import type { Collection } from '../collection';
import { splitKey } from './network';

export function endpointGroupCollection(s: Services): Collection {
  const find = (key: string) => {
    const [t, g] = splitKey('endpointGroup', key);
    const cfg = s.core.catalog.group(t, g);
    if (!cfg) throw new NetmasterError('NOT_FOUND', `endpointGroup ${key} not found`);
    return cfg.value;
  };
  return {
    plural: 'endpointGroups',
    schema: endpointGroupSpec.schema,
    list: () => s.core.catalog.groups().map((g) => s.views.group(g.value)),
    get: (key) => s.views.group(find(key)),
    async upsert(key, body, ctx) {
      const cfg = validateEndpointGroup(applyRestKey(endpointGroupSpec, body, key), key);
      const { config } = await s.groups.upsert(cfg, ctx.requestId);
      if (s.core.catalog.network(config.tenantName, config.networkName)?.value.nwType !== 'infra') {
        await s.dockerReadiness.wait(config.tenantName, config.networkName, config.groupName, ctx.requestId);
      }
      return s.views.group(config);
    },
    async remove(key, ctx) {
      const [t, g] = splitKey('endpointGroup', key);
      await s.groups.delete(t, g, ctx.requestId);
    },
    inspect(key) {
      const cfg = find(key);
      return { Config: s.views.group(cfg), Oper: s.views.groupOper(cfg) };
    },
  };
}
