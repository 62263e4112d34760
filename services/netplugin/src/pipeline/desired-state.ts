/**
 * The input of the pipeline: everything the flows depend on, already resolved
 * to ofports and host-local ids. The agent computes it from the store and OVS;
 * features compute flows from it and nothing else, so they are pure.
 */
import type { CompiledRule, Encap, ServicePort } from '@contiv/model';

/** `<tenant>/<network>`: how the pipeline names a network. */
export type NetworkKey = string;

export function networkKeyOf(tenantName: string, networkName: string): NetworkKey {
  return `${tenantName}/${networkName}`;
}

export interface DesiredNetwork {
  readonly key: NetworkKey;
  readonly encap: Encap;
  /** VXLAN network identifier (vxlan networks). */
  readonly vni: number;
  /** VLAN id on the uplinks (vlan networks). */
  readonly vlan: number;
  /** Bare IPv4 address, or "" when the network has none. */
  readonly gateway: string;
  /** Host-local id, 1..65535, unique among this host's networks (NetworkIdField). */
  readonly localId: number;
}

export interface DesiredLocalEndpoint {
  readonly endpointId: string;
  readonly ofport: number;
  readonly network: NetworkKey;
  readonly ip: string;
  readonly mac: string;
  /** Bare IPv6 address, or "". */
  readonly ipv6: string;
  /** Cluster-wide id of the endpoint's group (GroupState.groupId); 0 = no group. */
  readonly groupId: number;
  /** The group's netProfile: rate limit of the endpoint's outgoing traffic in kbit/s (0 = none), its burst in kbit, and DSCP (0 = unchanged). */
  readonly bandwidthKbps: number;
  readonly burstKbits: number;
  readonly dscp: number;
}

export interface DesiredRemoteEndpoint {
  readonly endpointId: string;
  readonly ip: string;
  readonly mac: string;
  /** Bare IPv6 address, or "". */
  readonly ipv6: string;
  /** Cluster-wide group id; 0 = no group. */
  readonly groupId: number;
  readonly network: NetworkKey;
  /** Host name the endpoint lives on (a key of `remoteHosts`). */
  readonly host: string;
}

export interface DesiredRemoteHost {
  readonly host: string;
  readonly vtepIp: string;
  /** The ofport of the VXLAN port towards `vtepIp`, or undefined while it is not up yet. */
  readonly tunnelOfport?: number;
}

/** A backend of a service: a local or remote endpoint of the service's network. */
export interface DesiredServiceProvider {
  readonly endpointId: string;
  readonly ip: string;
  readonly mac: string;
}

/** A serviceLB as the pipeline programs it (only for networks this host has). */
export interface DesiredService {
  /** `<tenant>/<service>`. */
  readonly key: string;
  readonly network: NetworkKey;
  /** The VIP (bare IPv4). */
  readonly vip: string;
  readonly ports: readonly ServicePort[];
  /** Sorted by endpoint id; empty = connections to the VIP are dropped. */
  readonly providers: readonly DesiredServiceProvider[];
}

export interface DesiredState {
  readonly hostName: string;
  readonly networks: readonly DesiredNetwork[];
  readonly localEndpoints: readonly DesiredLocalEndpoint[];
  readonly remoteEndpoints: readonly DesiredRemoteEndpoint[];
  readonly remoteHosts: readonly DesiredRemoteHost[];
  /** Ofports of the VLAN trunk uplinks (iflist); remote traffic of vlan networks leaves by the first. */
  readonly uplinkOfports: readonly number[];
  /** The policy rules this host decides, in decision order (@contiv/model compilePolicyRules): the agent keeps those of its local endpoints' groups. */
  readonly policyRules: readonly CompiledRule[];
  /** serviceLBs of this host's networks with their reachable providers (absent = none). */
  readonly services?: readonly DesiredService[];
}

/** The MAC the gateway address answers ARP with (Contiv ofnet's router MAC). */
export const GATEWAY_MAC = '00:00:11:11:11:11';

/** Lookups the features share. */
export interface StateIndex {
  readonly networks: ReadonlyMap<NetworkKey, DesiredNetwork>;
  readonly hosts: ReadonlyMap<string, DesiredRemoteHost>;
}

export function indexState(state: DesiredState): StateIndex {
  return {
    networks: new Map(state.networks.map((n) => [n.key, n])),
    hosts: new Map(state.remoteHosts.map((h) => [h.host, h])),
  };
}
