/** network (contivmodel/network.json): `/api/v1/networks/<tenantName>:<networkName>/`. */
import { Type, type Static } from '@sinclair/typebox';
import { Address6 } from 'ip-address';
import type { FieldIssue } from '../errors';
import { parseIPv4 } from '../ip/ipv4';
import { parseSubnet, SUBNET_PATTERN } from '../ip/subnet';
import type { EndpointOper } from './endpoint';
import {
  IPV6_ADDRESS_PATTERN,
  IPV6_SUBNET_PATTERN,
  NAME_DESCRIPTION,
  NAME_PATTERN,
  OPTIONAL_IPV4_PATTERN,
  TAG_PATTERN,
} from './patterns';
import { validateObject, type ObjectSpec } from './validate';

/** Largest VLAN id; VLAN networks' pktTag must be 1..this. */
export const MAX_VLAN_ID = 4094;
/** Largest VXLAN network identifier (24 bits). */
export const MAX_VNI = 16777215;

export const NetworkSchema = Type.Object({
  networkName: Type.String({ maxLength: 64, pattern: NAME_PATTERN, description: NAME_DESCRIPTION }),
  tenantName: Type.String({ maxLength: 64, pattern: NAME_PATTERN, description: NAME_DESCRIPTION }),
  nwType: Type.Union([Type.Literal('infra'), Type.Literal('data')], { description: 'infra or data' }),
  encap: Type.Union([Type.Literal('vlan'), Type.Literal('vxlan')], { description: 'vlan or vxlan' }),
  pktTag: Type.Optional(Type.Integer({ minimum: 0, maximum: 16777216 })),
  subnet: Type.String({ pattern: SUBNET_PATTERN, description: 'a valid IPv4 subnet (a.b.c.d/len with len 1-31, or a.b.c.d-a.b.c.e/len)' }),
  gateway: Type.Optional(Type.String({ pattern: OPTIONAL_IPV4_PATTERN, description: 'a valid IPv4 address' })),
  ipv6Subnet: Type.Optional(Type.String({ pattern: IPV6_SUBNET_PATTERN, description: 'a valid IPv6 subnet' })),
  ipv6Gateway: Type.Optional(Type.String({ pattern: IPV6_ADDRESS_PATTERN, description: 'a valid IPv6 address' })),
  cfgdTag: Type.Optional(Type.String({ maxLength: 128, pattern: TAG_PATTERN, description: 'a valid tag (a name, or empty)' })),
});
export type NetworkConfig = Static<typeof NetworkSchema>;

function checkNetwork(n: NetworkConfig): FieldIssue[] {
  const issues: FieldIssue[] = [];
  const parsed = parseSubnet(n.subnet);
  if (!parsed.ok) {
    issues.push({ field: 'subnet', message: `subnet ${JSON.stringify(n.subnet)} ${parsed.reason}` });
  } else if (n.gateway) {
    const s = parsed.value;
    const gw = parseIPv4(n.gateway) as number;
    if (gw < s.network || gw > s.broadcast) issues.push({ field: 'gateway', message: `gateway ${n.gateway} is outside subnet ${s.cidr}` });
    else if (gw === s.network) issues.push({ field: 'gateway', message: `gateway ${n.gateway} is the network address of ${s.cidr}` });
    else if (gw === s.broadcast) issues.push({ field: 'gateway', message: `gateway ${n.gateway} is the broadcast address of ${s.cidr}` });
  }
  if (n.pktTag) {
    if (n.encap === 'vlan' && n.pktTag > MAX_VLAN_ID) issues.push({ field: 'pktTag', message: `pktTag ${n.pktTag} is not a valid VLAN id (1-${MAX_VLAN_ID})` });
    if (n.encap === 'vxlan' && n.pktTag > MAX_VNI) issues.push({ field: 'pktTag', message: `pktTag ${n.pktTag} is not a valid VXLAN id (1-${MAX_VNI})` });
  }
  if (n.ipv6Gateway) {
    if (!n.ipv6Subnet) issues.push({ field: 'ipv6Gateway', message: 'ipv6Gateway needs an ipv6Subnet' });
    else if (!Address6.isValid(n.ipv6Gateway) || !Address6.isValid(n.ipv6Subnet)) issues.push({ field: 'ipv6Gateway', message: `ipv6Gateway ${n.ipv6Gateway} is not a valid IPv6 address` });
    else if (!new Address6(n.ipv6Gateway).isInSubnet(new Address6(n.ipv6Subnet))) {
      issues.push({ field: 'ipv6Gateway', message: `ipv6Gateway ${n.ipv6Gateway} is outside ipv6Subnet ${n.ipv6Subnet}` });
    }
  }
  return issues;
}

export const networkSpec: ObjectSpec<typeof NetworkSchema> = {
  kind: 'network',
  schema: NetworkSchema,
  keyFields: ['tenantName', 'networkName'],
  defaults: { nwType: 'data' },
  check: checkNetwork,
};

/** REST key of a network: `tenant:network`. */
export const networkKey = (tenantName: string, networkName: string): string => `${tenantName}:${networkName}`;

/** Contiv's internal network id and default network tag: `<network>.<tenant>`. */
export const networkId = (tenantName: string, networkName: string): string => `${networkName}.${tenantName}`;

/** Link-set and link members of a network. */
export const NETWORK_LINK_SETS = ['EndpointGroups', 'Servicelbs', 'Services'] as const;
export const NETWORK_LINKS = ['Tenant'] as const;

/** The fields that cannot change after creation (Contiv: any change is refused). */
export function networkParamsEqual(a: NetworkConfig, b: NetworkConfig): boolean {
  const fields: (keyof NetworkConfig)[] = ['nwType', 'encap', 'pktTag', 'subnet', 'gateway', 'ipv6Subnet', 'ipv6Gateway', 'cfgdTag'];
  return fields.every((f) => (a[f] ?? '') === (b[f] ?? ''));
}

export function validateNetwork(input: unknown, key?: string): NetworkConfig {
  return validateObject(networkSpec, input, key);
}

/** Network inspect Oper (contivmodel network.json operProperties). */
export interface NetworkOper {
  allocatedAddressesCount?: number;
  allocatedIPAddresses?: string;
  availableIPAddresses?: string;
  endpoints?: EndpointOper[];
  externalPktTag?: number;
  networkTag?: string;
  numEndpoints?: number;
  pktTag?: number;
}

/** The canonical network address of a config's subnet, for messages. */
export function subnetCidr(n: Pick<NetworkConfig, 'subnet'>): string {
  const p = parseSubnet(n.subnet);
  return p.ok ? p.value.cidr : n.subnet;
}
