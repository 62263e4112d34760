// Original file: ../../proto/contiv/rpc/v1/docker_plugin.proto

import type { IpamData as _contiv_rpc_v1_IpamData, IpamData__Output as _contiv_rpc_v1_IpamData__Output } from '../../../contiv/rpc/v1/IpamData';

export interface AllocateNetworkRequest {
  'networkId'?: (string);
  'options'?: ({[key: string]: string});
  'ipv4Data'?: (_contiv_rpc_v1_IpamData)[];
  'ipv6Data'?: (_contiv_rpc_v1_IpamData)[];
}

export interface AllocateNetworkRequest__Output {
  'networkId': (string);
  'options': ({[key: string]: string});
  'ipv4Data': (_contiv_rpc_v1_IpamData__Output)[];
  'ipv6Data': (_contiv_rpc_v1_IpamData__Output)[];
}
