/**
 * Turns what the agent knows (netmaster's networks, every endpoint record and
 * node record from the store, and the bridge's ports from OVSDB) into the
 * pipeline's DesiredState. Pure, so the resolution rules are unit-tested:
 *
 * - a network's host-local id is its pktTag, which netmaster allocates from one
 *   cluster-wide pool for every network (VLAN id, or the local VLAN of a VXLAN
 *   network), so it is the same on every host and across agent restarts;
 * - local endpoints come from OVS (ports with our external_ids and an ofport),
 *   so a container's flows exist exactly while its port does;
 * - remote hosts are the node records plus the hosts remote endpoint records
 *   point at: a peer whose agent is restarting (node lease gone) keeps its
 *   tunnel while its endpoints exist;
 * - an endpoint's group id comes from its group's state (the port's
 *   contiv-group, or the endpoint record's groupName), and with it the
 *   group's netProfile; policy rules are compiled for the groups that exist
 *   and kept for the groups of local endpoints (rulesForLocalGroups).
 */
import { compilePolicyRules, serviceProviders, servicePorts, type CompiledRule, type EndpointState, type GroupState, type NetworkState, type NodeRecord, type RuleState, type ServiceLbConfig } from '@contiv/model';
import type { PortView } from '@contiv/ovsdb-client';
import type { DesiredLocalEndpoint, DesiredNetwork, DesiredRemoteEndpoint, DesiredRemoteHost, DesiredService, DesiredState } from '../pipeline/desired-state';
import { networkKeyOf } from '../pipeline/desired-state';
import { EXT_ENDPOINT_ID, EXT_GROUP, EXT_IP, EXT_MAC, EXT_NETWORK, EXT_TENANT } from '../ovs/endpoint-ports';
import { tunnelPortName } from './tunnel-ports';

export interface DatapathInputs {
  readonly hostName: string;
  readonly vtepIp: string;
  readonly networks: readonly NetworkState[];
  readonly groups: readonly GroupState[];
  readonly rules: readonly RuleState[];
  readonly endpoints: readonly EndpointState[];
  readonly nodes: readonly NodeRecord[];
  /** The ports of the agent's bridge. */
  readonly ports: readonly PortView[];
  /** iflist, in order. */
  readonly uplinks: readonly string[];
  /** serviceLBs (each with its VIP); absent = none. */
  readonly services?: readonly ServiceLbConfig[];
}

export interface BuiltState {
  readonly state: DesiredState;
  /** Peer VTEP addresses that need a tunnel port. */
  readonly tunnelPeers: ReadonlySet<string>;
  /** What was left out and why, for a debug log. */
  readonly skipped: readonly string[];
}

const MAX_LOCAL_ID = 0xffff;

function ofportOf(port: PortView | undefined): number | undefined {
  const ofport = port?.interfaces[0]?.ofport;
  return ofport !== undefined && ofport > 0 ? ofport : undefined;
}

/** Endpoint records may carry an IPv6 address with its prefix length. */
function bareIpv6(address: string | undefined): string {
  return (address ?? '').split('/')[0] ?? '';
}

export function buildDesiredState(inputs: DatapathInputs): BuiltState {
  const skipped: string[] = [];
  const networks: DesiredNetwork[] = [];
  const usedIds = new Map<number, string>();
  for (const n of [...inputs.networks].sort((a, b) => a.pktTag - b.pktTag || networkKeyOf(a.tenantName, a.networkName).localeCompare(networkKeyOf(b.tenantName, b.networkName)))) {
    const key = networkKeyOf(n.tenantName, n.networkName);
    const other = usedIds.get(n.pktTag);
    if (n.pktTag < 1 || n.pktTag > MAX_LOCAL_ID) {
      skipped.push(`network ${key}: pktTag ${n.pktTag} is not a usable id`);
      continue;
    }
    if (other !== undefined) {
      skipped.push(`network ${key}: pktTag ${n.pktTag} is also ${other}'s`);
      continue;
    }
    usedIds.set(n.pktTag, key);
    networks.push({ key, encap: n.encap, vni: n.extPktTag, vlan: n.encap === 'vlan' ? n.pktTag : 0, gateway: n.gateway, localId: n.pktTag });
  }
  const known = new Set(networks.map((n) => n.key));
  const groups = new Map(inputs.groups.map((g) => [`${g.tenantName}/${g.groupName}`, g]));
  const groupOf = (tenant: string, group: string | undefined): GroupState | undefined => (group ? groups.get(`${tenant}/${group}`) : undefined);
  const records = new Map(inputs.endpoints.map((e) => [e.endpointId, e]));

  const localEndpoints: DesiredLocalEndpoint[] = [];
  const localIds = new Set<string>();
  for (const port of inputs.ports) {
    const ids = port.externalIds;
    const endpointId = ids[EXT_ENDPOINT_ID];
    if (!endpointId) continue;
    localIds.add(endpointId);
    const ofport = ofportOf(port);
    const network = networkKeyOf(ids[EXT_TENANT] ?? '', ids[EXT_NETWORK] ?? '');
    if (ofport === undefined || !known.has(network) || !ids[EXT_IP] || !ids[EXT_MAC]) {
      skipped.push(`local endpoint ${endpointId.slice(0, 12)} (${port.name}): ${ofport === undefined ? 'no ofport yet' : !known.has(network) ? `unknown network ${network}` : 'no address in its port'}`);
      continue;
    }
    const record = records.get(endpointId);
    const group = groupOf(ids[EXT_TENANT] ?? '', ids[EXT_GROUP] || record?.groupName);
    localEndpoints.push({
      endpointId,
      ofport,
      network,
      ip: ids[EXT_IP],
      mac: ids[EXT_MAC],
      ipv6: bareIpv6(record?.ipv6Address),
      groupId: group?.groupId ?? 0,
      bandwidthKbps: group?.bandwidthKbps ?? 0,
      burstKbits: (group?.burstKb ?? 0) * 8,
      dscp: group?.dscp ?? 0,
    });
  }

  const vtepOf = new Map<string, string>();
  for (const e of inputs.endpoints) if (e.homingHost && e.homingHost !== inputs.hostName && e.vtepIp) vtepOf.set(e.homingHost, e.vtepIp);
  for (const n of inputs.nodes) if (n.hostname !== inputs.hostName && n.vtepIp) vtepOf.set(n.hostname, n.vtepIp);
  for (const [host, ip] of vtepOf) if (ip === inputs.vtepIp) vtepOf.delete(host);

  const remoteEndpoints: DesiredRemoteEndpoint[] = [];
  for (const e of inputs.endpoints) {
    if (e.homingHost === inputs.hostName || localIds.has(e.endpointId)) continue;
    const network = networkKeyOf(e.tenantName, e.networkName);
    if (!known.has(network) || !vtepOf.has(e.homingHost) || !e.ipAddress || !e.macAddress) continue;
    const groupId = groupOf(e.tenantName, e.groupName)?.groupId ?? 0;
    remoteEndpoints.push({ endpointId: e.endpointId, ip: e.ipAddress, mac: e.macAddress, network, host: e.homingHost, ipv6: bareIpv6(e.ipv6Address), groupId });
  }

  const portsByName = new Map(inputs.ports.map((p) => [p.name, p]));
  const remoteHosts: DesiredRemoteHost[] = [...vtepOf]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([host, vtepIp]) => {
      const tunnelOfport = ofportOf(portsByName.get(tunnelPortName(vtepIp)));
      return tunnelOfport === undefined ? { host, vtepIp } : { host, vtepIp, tunnelOfport };
    });
  const uplinkOfports = inputs.uplinks.map((name) => ofportOf(portsByName.get(name))).filter((p): p is number => p !== undefined);

  const services = desiredServices(inputs, known, localEndpoints, remoteEndpoints);

  return {
    state: {
      hostName: inputs.hostName,
      networks,
      localEndpoints,
      remoteEndpoints,
      remoteHosts,
      uplinkOfports,
      policyRules: rulesForLocalGroups(compilePolicyRules({ groups: inputs.groups, rules: inputs.rules, networks: inputs.networks }), localEndpoints),
      ...(services.length > 0 ? { services } : {}),
    },
    tunnelPeers: new Set(vtepOf.values()),
    skipped,
  };
}

/**
 * The rules this host decides: a rule is enforced where a member of a group
 * it applies to sends (`out`) or receives (`in`), that is on the hosts of
 * those members, so a host keeps only the rules of its local endpoints'
 * groups, applied to those groups. The others' flows could never match (the
 * rule tables are scoped to local senders and receivers), and holding them
 * made every host program and recompute every rule of the cluster.
 */
export function rulesForLocalGroups(rules: readonly CompiledRule[], local: readonly DesiredLocalEndpoint[]): CompiledRule[] {
  const groups = new Set(local.map((e) => e.groupId).filter((g) => g !== 0));
  return rules.flatMap((r) => {
    const applied = r.appliedTo.filter((g) => groups.has(g));
    if (applied.length === 0) return [];
    return applied.length === r.appliedTo.length ? [r] : [{ ...r, appliedTo: applied }];
  });
}

/**
 * The services of networks this host has, with their providers among the
 * endpoints it programs (local ports and remote endpoints with a known host):
 * selection by labels is @contiv/model's serviceProviders, the same as
 * netmaster's inspect.
 */
function desiredServices(inputs: DatapathInputs, known: ReadonlySet<string>, local: readonly DesiredLocalEndpoint[], remote: readonly DesiredRemoteEndpoint[]): DesiredService[] {
  const out: DesiredService[] = [];
  const programmed = new Map<string, { ip: string; mac: string }>();
  for (const e of local) programmed.set(e.endpointId, { ip: e.ip, mac: e.mac });
  for (const e of remote) programmed.set(e.endpointId, { ip: e.ip, mac: e.mac });
  for (const svc of inputs.services ?? []) {
    const network = networkKeyOf(svc.tenantName, svc.networkName);
    if (!known.has(network) || !svc.ipAddress) continue;
    const providers = serviceProviders(svc, inputs.endpoints).flatMap((e) => {
      const p = programmed.get(e.endpointId);
      return p === undefined ? [] : [{ endpointId: e.endpointId, ip: p.ip, mac: p.mac }];
    });
    out.push({ key: `${svc.tenantName}/${svc.serviceName}`, network, vip: svc.ipAddress, ports: servicePorts(svc), providers });
  }
  return out.sort((a, b) => a.key.localeCompare(b.key));
}
