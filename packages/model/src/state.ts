/**
 * Records netmaster (and, for nodes, the agents) write under `state/`, `nodes/`
 * and `docknet/` (see keys.ts). They are the contract between netmaster and the
 * agents: agents compute everything they program from these plus local OVS.
 * Values are stored as JSON; readers validate them with the parsers in
 * state-codec.ts before trusting them.
 */

export type Encap = 'vlan' | 'vxlan';

/** Where a network came from: `netctl`/REST, or `docker network create -d netplugin`. */
export type NetworkOrigin = 'contiv' | 'docker';

export interface NetworkState {
  tenantName: string;
  networkName: string;
  nwType: 'data' | 'infra';
  encap: Encap;
  /** VLAN id (vlan networks) or the local VLAN on the host bridge (vxlan networks). */
  pktTag: number;
  /** VXLAN network identifier (vxlan networks); 0 for vlan networks. */
  extPktTag: number;
  /** Canonical network address and prefix length, e.g. "100.1.1.0/24". */
  subnet: string;
  /** Optional start-end range inside the subnet ("10.1.1.10-10.1.1.20"); empty = whole subnet. */
  ipRange: string;
  /** Bare IP or "" (no gateway). */
  gateway: string;
  ipv6Subnet: string;
  ipv6Gateway: string;
  /** Configured tag (cfgdTag) or the default `<network>.<tenant>`. */
  networkTag: string;
  origin: NetworkOrigin;
  /** For origin=docker: the Docker network id and the engine scope that created it. */
  dockerNetworkId?: string;
  dockerScope?: string;
}

export interface GroupState {
  tenantName: string;
  groupName: string;
  networkName: string;
  /** Group id, unique cluster-wide (carried in flow metadata by the policy pipeline). */
  groupId: number;
  policies: string[];
  ipPool: string;
  groupTag: string;
  /** The group's netProfile name, or "". Its settings below are copied in so agents need no other record. */
  netProfile: string;
  /** Rate limit of each of the group's endpoints, kbit/s (Contiv's bandwidth); 0 = none. */
  bandwidthKbps: number;
  /** Burst of that limit in KB as configured (Contiv's burst); 0 = the agent's default. */
  burstKb: number;
  /** DSCP written into the IP header of the endpoints' outgoing packets; 0 = left as sent. */
  dscp: number;
}

/**
 * One policy rule, resolved for the agents (`ruleStateKey`). Every field is
 * explicit ("" / 0 when not set); the groups that use the policy are the
 * GroupStates whose `policies` name it.
 */
export interface RuleState {
  tenantName: string;
  policyName: string;
  ruleId: string;
  direction: 'in' | 'out';
  /** 1..100, higher wins. */
  priority: number;
  fromEndpointGroup: string;
  toEndpointGroup: string;
  fromNetwork: string;
  toNetwork: string;
  /** `a.b.c.d`, `a.b.c.d/len` or `a.b.c.d-e` (last-octet range), or "". */
  fromIpAddress: string;
  toIpAddress: string;
  /** As configured: "tcp", "udp", "icmp", a number, or "" (any). */
  protocol: string;
  /** `protocol` as an IP protocol number; 0 = any. */
  ipProtocol: number;
  /** TCP/UDP destination port; 0 = any. */
  port: number;
  action: 'allow' | 'deny';
}

export interface GlobalState {
  networkInfraType: 'default' | 'aci' | 'aci-opflex';
  fwdMode: 'bridge' | 'routing';
  arpMode: 'proxy' | 'flood';
  vlans: string;
  vxlans: string;
  pvtSubnet: string;
}

export interface EndpointState {
  /** Docker's endpoint id (64 hex). */
  endpointId: string;
  tenantName: string;
  networkName: string;
  /** Endpoint group, or "" when attached to the plain network. */
  groupName: string;
  /** Bare IPv4 address. */
  ipAddress: string;
  ipv6Address: string;
  /** Deterministic MAC: 02:02 followed by the IPv4 octets in hex. */
  macAddress: string;
  /** Host (node name) the endpoint lives on. */
  homingHost: string;
  /** Host-side interface name (the OVS port). */
  intfName: string;
  vtepIp: string;
  containerId: string;
  containerName: string;
  createdAt: string;
  /**
   * The container's Docker labels (Config.Labels), recorded by the agent after
   * Join; absent in records written before labels were kept, or when Docker
   * could not be asked. serviceLB selectors match on them.
   */
  labels?: Record<string, string>;
}

export interface NodeRecord {
  hostname: string;
  ctrlIp: string;
  vtepIp: string;
  uplinks: string[];
  /** Address of this node's agent control endpoint, for diagnostics. */
  agentVersion: string;
  startedAt: string;
}

/** Value of a docknet key: which Contiv object a Docker network stands for. */
export interface DockerNetworkMapping {
  dockerNetworkId: string;
  tenantName: string;
  networkName: string;
  /** "" for a plain network. */
  groupName: string;
  /** Name of the network in Docker. */
  dockerName: string;
  origin: NetworkOrigin;
}

/** Value of an ipam key: who holds an address. */
export interface IpAllocation {
  /** Endpoint id once known, else "pending:<host>:<request id>" between RequestAddress and CreateEndpoint. */
  owner: string;
  host: string;
  allocatedAt: string;
}

/**
 * Value of a VLAN, VXLAN or group-id allocation key: which object holds the id.
 * `owner` is `network:<tenant>:<network>` or `group:<tenant>:<group>`.
 */
export interface IdAllocation {
  owner: string;
  allocatedAt: string;
}
