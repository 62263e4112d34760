/**
 * Endpoint ports on the bridge: an access port with the network's local VLAN
 * tag and external_ids that say whose it is, so the agent can rebuild its view
 * from OVS after a restart (and `ovs-vsctl find port external_ids:...` works
 * for humans).
 */
import type { PortSpec, PortView } from '@contiv/ovsdb-client';

export const EXT_ENDPOINT_ID = 'contiv-endpoint-id';
export const EXT_TENANT = 'contiv-tenant';
export const EXT_NETWORK = 'contiv-network';
export const EXT_GROUP = 'contiv-group';
export const EXT_DOCKER_NETWORK = 'contiv-docker-network-id';
export const EXT_MAC = 'attached-mac';
export const EXT_IP = 'ip-address';
/** `swarm`: the endpoint's address is the swarm manager's allocation, which only the manager's release frees. */
export const EXT_ADDRESS_LEASE = 'contiv-address-lease';

export interface EndpointPort {
  readonly name: string;
  readonly tag: number;
  readonly endpointId: string;
  readonly tenantName: string;
  readonly networkName: string;
  readonly groupName: string;
  readonly dockerNetworkId: string;
  readonly mac: string;
  readonly ip: string;
  readonly addressLease?: 'swarm';
}

export function endpointPortSpec(p: EndpointPort): PortSpec {
  return {
    name: p.name,
    tag: p.tag,
    externalIds: {
      [EXT_ENDPOINT_ID]: p.endpointId,
      [EXT_TENANT]: p.tenantName,
      [EXT_NETWORK]: p.networkName,
      [EXT_GROUP]: p.groupName,
      [EXT_DOCKER_NETWORK]: p.dockerNetworkId,
      [EXT_MAC]: p.mac,
      [EXT_IP]: p.ip,
      ...(p.addressLease ? { [EXT_ADDRESS_LEASE]: p.addressLease } : {}),
    },
  };
}

/** The endpoint id of a port this agent created, else undefined. */
export function endpointIdOf(port: PortView): string | undefined {
  const id = port.externalIds[EXT_ENDPOINT_ID];
  return id ? id : undefined;
}
