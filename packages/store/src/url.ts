import { StoreError } from './errors';

export type StoreBackend = 'etcd' | 'consul';

export interface StoreUrl {
  readonly backend: StoreBackend;
  /** `http://host:port` for each endpoint, in the order given. */
  readonly endpoints: string[];
}

const DEFAULT_PORT: Record<StoreBackend, number> = { etcd: 2379, consul: 8500 };
const EXPECTED = 'expected etcd://host:port[,host:port], http://host:port[,http://host:port] or consul://host:port';

/**
 * Parses a cluster store URL (Contiv's `cluster_store`). Accepted forms:
 * `etcd://h:p[,h2:p2...]`, `http://h:p[,http://h2:p2...]` (etcd endpoints) and
 * `consul://h:p`. A missing port means the backend's default (2379, 8500); IPv6
 * hosts go in brackets. Anything else is STORE_BAD_URL naming the value.
 */
export function parseStoreUrl(url: string): StoreUrl {
  const text = url.trim();
  const bad = (why: string): StoreError => new StoreError('STORE_BAD_URL', `Invalid cluster store URL "${url}": ${why}`);
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(text)?.[1]?.toLowerCase();
  if (scheme === undefined) throw bad(EXPECTED);

  if (scheme === 'etcd' || scheme === 'consul') {
    const items = text.slice(scheme.length + 3).split(',');
    const endpoints = items.map((item) => endpoint(item, DEFAULT_PORT[scheme], bad));
    if (scheme === 'consul' && endpoints.length > 1) throw bad('consul:// takes a single agent address');
    return { backend: scheme, endpoints };
  }
  if (scheme === 'http') {
    const endpoints = text.split(',').map((item) => {
      const m = /^http:\/\/(.*)$/i.exec(item.trim());
      if (m === null) throw bad(`"${item}" is not an http:// endpoint`);
      return endpoint(m[1] as string, DEFAULT_PORT.etcd, bad);
    });
    return { backend: 'etcd', endpoints };
  }
  if (scheme === 'https' || scheme === 'etcds') throw bad('TLS to the store is not supported yet');
  throw bad(`unknown scheme "${scheme}://"; ${EXPECTED}`);
}

function endpoint(item: string, defaultPort: number, bad: (why: string) => StoreError): string {
  const hostPort = item.trim().replace(/\/$/, '');
  const m = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+)(?::(\d+))?$/.exec(hostPort);
  if (m === null) throw bad(`"${item}" is not host[:port]`);
  const host = m[1] as string;
  const port = m[2] === undefined ? defaultPort : Number(m[2]);
  if (!(port >= 1 && port <= 65535)) throw bad(`port ${m[2] ?? ''} is out of range`);
  return `http://${host}:${port}`;
}
