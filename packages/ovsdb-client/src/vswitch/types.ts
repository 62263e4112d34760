/** What a caller wants an OVS port to look like (one Interface of the same name). */
export interface PortSpec {
  name: string;
  /** Interface.type: '' (a system device such as a veth), 'internal', 'vxlan', 'patch', ... */
  type?: string;
  /** Port.tag (access VLAN), 0..4095. */
  tag?: number;
  /** Interface.options, e.g. { remote_ip, key: 'flow', dst_port } or { peer }. */
  options?: Record<string, string>;
  /** Written to both Port.external_ids and Interface.external_ids. */
  externalIds?: Record<string, string>;
  mtuRequest?: number;
  /** 1..65279: ask vswitchd for this OpenFlow port number. */
  ofportRequest?: number;
  vlanMode?: 'trunk' | 'access' | 'native-tagged' | 'native-untagged';
  trunks?: number[];
}

export interface InterfaceView {
  uuid: string;
  name: string;
  type: string;
  /** undefined until vswitchd assigned one; -1 if vswitchd failed (see `error`). */
  ofport: number | undefined;
  options: Record<string, string>;
  externalIds: Record<string, string>;
  error: string | undefined;
  mtu: number | undefined;
}

export interface PortView {
  uuid: string;
  name: string;
  /** Name of the bridge whose `ports` holds this port. */
  bridge: string | undefined;
  tag: number | undefined;
  externalIds: Record<string, string>;
  interfaces: InterfaceView[];
}

export interface BridgeOptions {
  datapathType?: 'system' | 'netdev';
  failMode?: 'standalone' | 'secure';
  /** e.g. ['OpenFlow10', 'OpenFlow13']. */
  protocols?: string[];
  /** Merged into Bridge.external_ids (other keys are kept). */
  externalIds?: Record<string, string>;
  /** Merged into Bridge.other_config (other keys are kept). */
  otherConfig?: Record<string, string>;
}
