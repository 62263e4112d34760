/**
 * Desired states for pipeline tests: small builders with readable defaults
 * (MACs follow Contiv's 02:02 + IPv4 octets rule).
 */
import { flowsToStrings } from '@contiv/openflow';
import type { DesiredLocalEndpoint, DesiredNetwork, DesiredRemoteEndpoint, DesiredRemoteHost, DesiredState } from '../desired-state';
import { tableNames } from '../framework';
import { computeFlowSet } from '../reconciler';
import { allFlows } from '../flow-cache';
import { PIPELINE_FEATURES } from '../features/index';

/** Contiv's deterministic MAC for an IPv4 address. */
export function macFor(ip: string): string {
  return `02:02:${ip
    .split('.')
    .map((o) => Number(o).toString(16).padStart(2, '0'))
    .join(':')}`;
}

export function vxlanNetwork(key: string, localId: number, vni: number, gateway = ''): DesiredNetwork {
  return { key, encap: 'vxlan', vni, vlan: 0, gateway, localId };
}

export function vlanNetwork(key: string, localId: number, vlan: number, gateway = ''): DesiredNetwork {
  return { key, encap: 'vlan', vni: 0, vlan, gateway, localId };
}

export function localEndpoint(endpointId: string, ofport: number, network: string, ip: string, more: Partial<DesiredLocalEndpoint> = {}): DesiredLocalEndpoint {
  return { endpointId, ofport, network, ip, mac: macFor(ip), ipv6: '', groupId: 0, bandwidthKbps: 0, burstKbits: 0, dscp: 0, ...more };
}

export function remoteEndpoint(endpointId: string, host: string, network: string, ip: string, more: Partial<DesiredRemoteEndpoint> = {}): DesiredRemoteEndpoint {
  return { endpointId, host, network, ip, mac: macFor(ip), ipv6: '', groupId: 0, ...more };
}

export function remoteHost(host: string, vtepIp: string, tunnelOfport?: number): DesiredRemoteHost {
  return tunnelOfport === undefined ? { host, vtepIp } : { host, vtepIp, tunnelOfport };
}

export function desiredState(parts: Partial<DesiredState>): DesiredState {
  return { hostName: 'h1', networks: [], localEndpoints: [], remoteEndpoints: [], remoteHosts: [], uplinkOfports: [], policyRules: [], ...parts };
}

/** The flows of `state` as sorted `ovs-ofctl --names dump-flows --no-stats` lines. */
export function renderPipeline(state: DesiredState, round = 0): string[] {
  return flowsToStrings(allFlows(computeFlowSet(state, PIPELINE_FEATURES, round)), { tableNames: tableNames() });
}
