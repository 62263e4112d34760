/**
 * The names a container can resolve, per tenant (Contiv's nameserver kept one
 * table per tenant, its VRF): the tenant's serviceLB names (their VIP), its
 * endpoint-group names (the addresses of the group's endpoints) and, per
 * network, its endpoints' names (container name, short container id, and for
 * swarm tasks the swarm service's names, swarm-names.ts). Built from the
 * endpoint and serviceLB records in the store, so every host answers for
 * endpoints wherever they live.
 *
 * A query is looked up in the querier's tenant only, in this order (Contiv's,
 * with the querier's own network first for endpoint names):
 *   serviceLB name > group name > endpoint name of the querier's network >
 *   endpoint name of any other network of the tenant (all their addresses).
 */
import { isIPv4, parseIPv4, type EndpointState } from '@contiv/model';
import type { NetworkKey } from '../pipeline/desired-state';
import { swarmTaskNames } from './swarm-names';

/** A serviceLB as the DNS responder needs it: its VIP. */
export interface ServiceVip {
  readonly tenantName: string;
  readonly serviceName: string;
  /** The VIP; "" (not yet allocated) or not IPv4: the service has no name. */
  readonly ipAddress: string;
}

type Names = ReadonlyMap<string, readonly string[]>;

export interface TenantNames {
  /** serviceLB name → its VIP. */
  readonly services: Names;
  /** Endpoint-group name → the addresses of its endpoints. */
  readonly groups: Names;
  /** Network name → endpoint name → addresses. */
  readonly networks: ReadonlyMap<string, Names>;
  /** Endpoint name → addresses over all the tenant's networks. */
  readonly anyNetwork: Names;
}

/** Tenant name → its names. */
export type NameTable = ReadonlyMap<string, TenantNames>;

export type NameKind = 'service' | 'group' | 'endpoint';

export interface NameAnswer {
  readonly kind: NameKind;
  /** IPv4 addresses, sorted numerically, distinct; never empty. */
  readonly addresses: readonly string[];
}

/** Docker's short container id. */
export const SHORT_ID_LEN = 12;

/** How names compare: ASCII case folded, one trailing dot dropped (RFC 4343: only ASCII letters fold). */
export function normalizeName(name: string): string {
  const bare = name.endsWith('.') ? name.slice(0, -1) : name;
  return bare.replace(/[A-Z]/g, (c) => c.toLowerCase());
}

/**
 * The names an endpoint answers to: its container name (Docker's leading "/"
 * dropped), its short container id, and for a swarm task the names of its
 * swarm service (`web` and `tasks.web` for `web.1.<task id>`).
 */
export function endpointNames(ep: Pick<EndpointState, 'containerName' | 'containerId' | 'labels'>): string[] {
  const out: string[] = [];
  const name = normalizeName(ep.containerName.replace(/^\//, ''));
  if (name !== '') out.push(name, ...swarmTaskNames(name, ep.labels));
  if (ep.containerId.length >= SHORT_ID_LEN) out.push(normalizeName(ep.containerId.slice(0, SHORT_ID_LEN)));
  return out;
}

class MutableTenant {
  readonly services = new Map<string, string[]>();
  readonly groups = new Map<string, string[]>();
  readonly networks = new Map<string, Map<string, string[]>>();
  readonly anyNetwork = new Map<string, string[]>();
}

function add(names: Map<string, string[]>, name: string, ip: string): void {
  const ips = names.get(name);
  if (ips === undefined) names.set(name, [ip]);
  else if (!ips.includes(ip)) ips.push(ip);
}

const byAddress = (a: string, b: string): number => (parseIPv4(a) ?? 0) - (parseIPv4(b) ?? 0);

export function buildNameTable(endpoints: readonly EndpointState[], services: readonly ServiceVip[] = []): NameTable {
  const tenants = new Map<string, MutableTenant>();
  const tenant = (name: string): MutableTenant => {
    let t = tenants.get(name);
    if (t === undefined) {
      t = new MutableTenant();
      tenants.set(name, t);
    }
    return t;
  };
  for (const ep of endpoints) {
    if (!isIPv4(ep.ipAddress)) continue;
    const t = tenant(ep.tenantName);
    if (ep.groupName !== '') add(t.groups, normalizeName(ep.groupName), ep.ipAddress);
    const names = endpointNames(ep);
    if (names.length === 0) continue;
    let net = t.networks.get(ep.networkName);
    if (net === undefined) {
      net = new Map();
      t.networks.set(ep.networkName, net);
    }
    for (const name of names) {
      add(net, name, ep.ipAddress);
      add(t.anyNetwork, name, ep.ipAddress);
    }
  }
  for (const svc of services) {
    if (!isIPv4(svc.ipAddress) || svc.serviceName === '') continue;
    add(tenant(svc.tenantName).services, normalizeName(svc.serviceName), svc.ipAddress);
  }
  for (const t of tenants.values()) {
    for (const names of [t.services, t.groups, t.anyNetwork, ...t.networks.values()]) for (const ips of names.values()) ips.sort(byAddress);
  }
  return tenants;
}

/** `<tenant>/<network>` split at the first slash (names never hold one). */
function splitNetworkKey(key: NetworkKey): [string, string] {
  const i = key.indexOf('/');
  return i < 0 ? [key, ''] : [key.slice(0, i), key.slice(i + 1)];
}

/** What `name` means to a container of `network`, or undefined when its tenant has no such name. */
export function lookupName(table: NameTable, network: NetworkKey, name: string): NameAnswer | undefined {
  const [tenantName, networkName] = splitNetworkKey(network);
  const t = table.get(tenantName);
  if (t === undefined) return undefined;
  const n = normalizeName(name);
  const service = t.services.get(n);
  if (service !== undefined) return { kind: 'service', addresses: service };
  const group = t.groups.get(n);
  if (group !== undefined) return { kind: 'group', addresses: group };
  const endpoint = t.networks.get(networkName)?.get(n) ?? t.anyNetwork.get(n);
  return endpoint !== undefined ? { kind: 'endpoint', addresses: endpoint } : undefined;
}

/** How many names a table holds, per kind (for logs). */
export function nameTableSize(table: NameTable): Record<NameKind | 'tenants', number> {
  let service = 0;
  let group = 0;
  let endpoint = 0;
  for (const t of table.values()) {
    service += t.services.size;
    group += t.groups.size;
    endpoint += t.anyNetwork.size;
  }
  return { tenants: table.size, service, group, endpoint };
}
