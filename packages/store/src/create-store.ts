import { ConsulStore } from './consul/consul-store';
import { EtcdStore } from './etcd/etcd-store';
import type { Logger } from './logger';
import type { Store } from './store';
import { parseStoreUrl } from './url';

export interface CreateStoreOptions {
  readonly logger?: Logger;
  /** Bound on every store operation (default 5000 ms). */
  readonly timeoutMs?: number;
}

/** The Store for a cluster store URL (see parseStoreUrl). Does not connect yet. */
export function createStore(url: string, options: CreateStoreOptions = {}): Store {
  const parsed = parseStoreUrl(url);
  switch (parsed.backend) {
    case 'etcd':
      return new EtcdStore({
        endpoints: parsed.endpoints,
        url: url.trim(),
        ...(options.logger === undefined ? {} : { logger: options.logger }),
        ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
      });
    case 'consul':
      return new ConsulStore({
        endpoint: parsed.endpoints[0] as string,
        url: url.trim(),
        ...(options.logger === undefined ? {} : { logger: options.logger }),
        ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
      });
  }
}
