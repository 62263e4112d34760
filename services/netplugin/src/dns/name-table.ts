/**
 * The names a container can resolve: per network, every endpoint's container
 * name and short (12-character) container id, wherever the endpoint lives.
 * Built from the endpoint records in the store, so an endpoint on another
 * host resolves as soon as its record carries its container's name.
 */
import { isIPv4, parseIPv4, type EndpointState } from '@contiv/model';
import { networkKeyOf, type NetworkKey } from '../pipeline/desired-state';

/** Network key → normalized name → IPv4 addresses (sorted, distinct). */
export type NameTable = ReadonlyMap<NetworkKey, ReadonlyMap<string, readonly string[]>>;

/** Docker's short container id. */
export const SHORT_ID_LEN = 12;

/** How names compare: ASCII case folded, one trailing dot dropped (RFC 4343: only ASCII letters fold). */
export function normalizeName(name: string): string {
  const bare = name.endsWith('.') ? name.slice(0, -1) : name;
  return bare.replace(/[A-Z]/g, (c) => c.toLowerCase());
}

/** The names an endpoint answers to: its container name (Docker's leading "/" dropped) and short container id. */
export function endpointNames(ep: Pick<EndpointState, 'containerName' | 'containerId'>): string[] {
  const out: string[] = [];
  const name = normalizeName(ep.containerName.replace(/^\//, ''));
  if (name !== '') out.push(name);
  if (ep.containerId.length >= SHORT_ID_LEN) out.push(normalizeName(ep.containerId.slice(0, SHORT_ID_LEN)));
  return out;
}

export function buildNameTable(endpoints: readonly EndpointState[]): NameTable {
  const table = new Map<NetworkKey, Map<string, string[]>>();
  for (const ep of endpoints) {
    if (!isIPv4(ep.ipAddress)) continue;
    const key = networkKeyOf(ep.tenantName, ep.networkName);
    let names = table.get(key);
    for (const name of endpointNames(ep)) {
      if (names === undefined) {
        names = new Map();
        table.set(key, names);
      }
      const ips = names.get(name) ?? [];
      if (!ips.includes(ep.ipAddress)) ips.push(ep.ipAddress);
      names.set(name, ips);
    }
  }
  for (const names of table.values()) for (const ips of names.values()) ips.sort((a, b) => (parseIPv4(a) ?? 0) - (parseIPv4(b) ?? 0));
  return table;
}

/** The addresses `name` has in `network`, or undefined when the network has no such name. */
export function lookupName(table: NameTable, network: NetworkKey, name: string): readonly string[] | undefined {
  return table.get(network)?.get(normalizeName(name));
}
