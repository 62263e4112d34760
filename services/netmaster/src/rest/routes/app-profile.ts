/** `/api/v1/appProfiles/<tenant>:<profile>/` */
import { applyRestKey, appProfileSpec, validateAppProfile } from '@contiv/model';
import type { Services } from '../../core/services';
import { NetmasterError } from '../../errors';
import type { Collection } from '../collection';
import { splitKey } from './network';

export function appProfileCollection(s: Services): Collection {
  const find = (key: string) => {
    const [t, a] = splitKey('appProfile', key);
    const cfg = s.core.catalog.appProfile(t, a);
    if (!cfg) throw new NetmasterError('NOT_FOUND', `appProfile ${key} not found`);
    return cfg.value;
  };
  return {
    plural: 'appProfiles',
    schema: appProfileSpec.schema,
    list: () => s.core.catalog.appProfiles().map((a) => s.views.appProfile(a.value)),
    get: (key) => s.views.appProfile(find(key)),
    async upsert(key, body, ctx) {
      const cfg = validateAppProfile(applyRestKey(appProfileSpec, body, key), key);
      const { config } = await s.appProfiles.upsert(cfg, ctx.requestId);
      return s.views.appProfile(config);
    },
    async remove(key, ctx) {
      const [t, a] = splitKey('appProfile', key);
      await s.appProfiles.delete(t, a, ctx.requestId);
    },
    // App profiles have no Oper (contivmodel appProfile.json).
    inspect: (key) => ({ Config: s.views.appProfile(find(key)) }),
  };
}
