/**
 * endpoint (contivmodel/endpoint.json): inspect only,
 * `/api/v1/inspect/endpoints/<id>/` -> `{"Oper": EndpointOper}`. The same shape
 * is embedded in network, group and tenant inspect output.
 */
import type { EndpointState } from '../state';
import { parseIPv4 } from '../ip/ipv4';
import { endpointGroupStateId } from './endpoint-group';
import { networkId } from './network';

export interface EndpointOper {
  containerID?: string;
  containerName?: string;
  endpointGroupId?: number;
  endpointGroupKey?: string;
  endpointID?: string;
  homingHost?: string;
  intfName?: string;
  /** Always two entries: IPv4 and IPv6 ("" when none), as Contiv printed them. */
  ipAddress?: string[];
  labels?: string;
  macAddress?: string;
  /** Contiv's internal network id `<network>.<tenant>`. */
  network?: string;
  /** The endpoint group name ("" for the plain network). */
  serviceName?: string;
  virtualPort?: string;
  vtepIP?: string;
}

/** Contiv's deterministic container MAC: `02:02:` + the IPv4 octets in hex. */
export function macFromIPv4(ip: string): string {
  const n = parseIPv4(ip);
  if (n === undefined) throw new RangeError(`not an IPv4 address: ${ip}`);
  const octets = [24, 16, 8, 0].map((shift) => ((n >>> shift) & 0xff).toString(16).padStart(2, '0'));
  return `02:02:${octets.join(':')}`;
}

/** The inspect view of a stored endpoint; `groupId` is its group's id (0 = none). */
export function endpointOper(ep: EndpointState, groupId = 0): EndpointOper {
  const oper: EndpointOper = {
    containerID: ep.containerId,
    containerName: ep.containerName,
    endpointGroupId: groupId,
    endpointGroupKey: ep.groupName ? endpointGroupStateId(ep.tenantName, ep.groupName) : '',
    endpointID: ep.endpointId,
    homingHost: ep.homingHost,
    intfName: ep.intfName,
    ipAddress: [ep.ipAddress, ep.ipv6Address],
    macAddress: ep.macAddress,
    network: networkId(ep.tenantName, ep.networkName),
    serviceName: ep.groupName,
    virtualPort: ep.intfName ? `v${ep.intfName}` : '',
    vtepIP: ep.vtepIp,
  };
  const out: EndpointOper = {};
  for (const [k, v] of Object.entries(oper) as [keyof EndpointOper, unknown][]) {
    if (v !== '' && v !== 0 && v !== undefined) (out as Record<string, unknown>)[k] = v;
  }
  return out;
}
