/** `/api/v1/tenants/<tenant>/` */
import { applyRestKey, tenantSpec, validateTenant } from '@contiv/model';
import type { Services } from '../../core/services';
import { NetmasterError } from '../../errors';
import type { Collection } from '../collection';

export function tenantCollection(s: Services): Collection {
  const find = (key: string) => {
    const t = s.core.catalog.tenant(key);
    if (!t) throw new NetmasterError('NOT_FOUND', `tenant ${key} not found`);
    return t.value;
  };
  return {
    plural: 'tenants',
    schema: tenantSpec.schema,
    list: () => s.core.catalog.tenants().map((t) => s.views.tenant(t.value)),
    get: (key) => s.views.tenant(find(key)),
    async upsert(key, body, ctx) {
      const cfg = validateTenant(applyRestKey(tenantSpec, body, key), key);
      const { config } = await s.tenants.create(cfg, ctx.requestId);
      return s.views.tenant(config);
    },
    remove: (key, ctx) => s.tenants.delete(key, ctx.requestId),
    inspect(key) {
      const cfg = find(key);
      return { Config: s.views.tenant(cfg), Oper: s.views.tenantOper(key) };
    },
  };
}
