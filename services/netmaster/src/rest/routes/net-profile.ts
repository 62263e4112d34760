/** `/api/v1/netprofiles/<tenant>:<profile>/` (Contiv's generated plural). */
import { applyRestKey, netProfileSpec, validateNetProfile } from '@contiv/model';
import type { Services } from '../../core/services';
import { NetmasterError } from '../../errors';
import type { Collection } from '../collection';
import { splitKey } from './network';

export function netProfileCollection(s: Services): Collection {
  const find = (key: string) => {
    const [t, p] = splitKey('netprofile', key);
    const cfg = s.core.catalog.netProfile(t, p);
    if (!cfg) throw new NetmasterError('NOT_FOUND', `netprofile ${key} not found`);
    return cfg.value;
  };
  return {
    plural: 'netprofiles',
    schema: netProfileSpec.schema,
    list: () => s.core.catalog.netProfiles().map((p) => s.views.netProfile(p.value)),
    get: (key) => s.views.netProfile(find(key)),
    async upsert(key, body, ctx) {
      const cfg = validateNetProfile(applyRestKey(netProfileSpec, body, key), key);
      const { config } = await s.netProfiles.upsert(cfg, ctx.requestId);
      return s.views.netProfile(config);
    },
    async remove(key, ctx) {
      const [t, p] = splitKey('netprofile', key);
      await s.netProfiles.delete(t, p, ctx.requestId);
    },
    // Netprofiles have no Oper (contivmodel netProfile.json), so inspect is the Config alone, as in Contiv.
    inspect: (key) => ({ Config: s.views.netProfile(find(key)) }),
  };
}
