/** `/api/v1/networks/<tenant>:<network>/` */
import { applyRestKey, networkSpec, validateNetwork } from '@contiv/model';
import type { Services } from '../../core/services';
import { NetmasterError } from '../../errors';
import type { Collection } from '../collection';

/** `tenant:name` -> its parts; anything else is an invalid key. */
export function splitKey(kind: string, key: string): [string, string] {
  const parts = key.split(':');
  if (parts.length !== 2 || !parts[0] || !parts[1]) throw new NetmasterError('INVALID_ARGUMENT', `${kind} ${key}: invalid key "${key}" (expected tenant:name)`);
  return [parts[0], parts[1]];
}

export function networkCollection(s: Services): Collection {
  const find = (key: string) => {
    const [t, n] = splitKey('network', key);
    const cfg = s.core.catalog.network(t, n);
    if (!cfg) throw new NetmasterError('NOT_FOUND', `network ${key} not found`);
    return cfg.value;
  };
  return {
    plural: 'networks',
    schema: networkSpec.schema,
    list: () => s.core.catalog.networks().map((n) => s.views.network(n.value)),
    get: (key) => s.views.network(find(key)),
    async upsert(key, body, ctx) {
      const cfg = validateNetwork(applyRestKey(networkSpec, body, key), key);
      const { config } = await s.networks.create(cfg, { origin: 'contiv', requestId: ctx.requestId });
      // Infra networks get no Docker network (nothing runs containers on them through Docker).
      if (config.nwType !== 'infra') await s.dockerReadiness.wait(config.tenantName, config.networkName, '', ctx.requestId);
      return s.views.network(config);
    },
    async remove(key, ctx) {
      const [t, n] = splitKey('network', key);
      await s.networks.delete(t, n, { requestId: ctx.requestId });
    },
    inspect(key) {
      const cfg = find(key);
      return { Config: s.views.network(cfg), Oper: s.views.networkOper(cfg.tenantName, cfg.networkName) };
    },
  };
}
