/** `/api/v1/globals/global/` */
import { applyRestKey, GLOBAL_KEY, globalSpec, isEmptyValue, validateGlobal } from '@contiv/model';
import type { Services } from '../../core/services';
import { NetmasterError } from '../../errors';
import type { Collection } from '../collection';

export function globalCollection(s: Services): Collection {
  const find = (key: string) => {
    const g = key === GLOBAL_KEY ? s.core.catalog.global() : undefined;
    if (!g) throw new NetmasterError('NOT_FOUND', `global ${key} not found`);
    return g.value;
  };
  return {
    plural: 'globals',
    schema: globalSpec.schema,
    list: () => {
      const g = s.core.catalog.global();
      return g ? [s.views.global(g.value)] : [];
    },
    get: (key) => s.views.global(find(key)),
    async upsert(key, body, ctx) {
      const given = applyRestKey(globalSpec, body, key);
      // Fields left out keep their current value (Contiv required the whole object).
      const current = s.core.catalog.global()?.value ?? {};
      const merged: Record<string, unknown> = { ...current };
      for (const [k, v] of Object.entries(given)) if (!isEmptyValue(v)) merged[k] = v;
      const cfg = validateGlobal(merged, key);
      return s.views.global(await s.globals.update(cfg, ctx.requestId));
    },
    remove() {
      return Promise.reject(new NetmasterError('INVALID_ARGUMENT', 'the global configuration cannot be deleted'));
    },
    inspect(key) {
      const cfg = find(key);
      return { Config: s.views.global(cfg), Oper: s.views.globalOper(cfg) };
    },
  };
}
