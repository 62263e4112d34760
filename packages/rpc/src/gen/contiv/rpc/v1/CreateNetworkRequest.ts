// Original file: ../../proto/contiv/rpc/v1/docker_plugin.proto

import type { IpamData as _contiv_rpc_v1_IpamData, IpamData__Output as _contiv_rpc_v1_IpamData__Output } from '../../../contiv/rpc/v1/IpamData';

export interface CreateNetworkRequest {
  'networkId'?: (string);
  'genericOptions'?: ({[key: string]: string});
  'enableIpv6'?: (boolean);
  'internal'?: (boolean);
  'ipv4Data'?: (_contiv_rpc_v1_IpamData)[];
  'ipv6Data'?: (_contiv_rpc_v1_IpamData)[];
}

export interface CreateNetworkRequest__Output {
  'networkId': (string);
  'genericOptions': ({[key: string]: string});
  'enableIpv6': (boolean);
  'internal': (boolean);
  'ipv4Data': (_contiv_rpc_v1_IpamData__Output)[];
  'ipv6Data': (_contiv_rpc_v1_IpamData__Output)[];
}
