// Original file: ../../proto/contiv/rpc/v1/docker_plugin.proto

import type { EndpointInterface as _contiv_rpc_v1_EndpointInterface, EndpointInterface__Output as _contiv_rpc_v1_EndpointInterface__Output } from '../../../contiv/rpc/v1/EndpointInterface';

export interface CreateEndpointRequest {
  'networkId'?: (string);
  'endpointId'?: (string);
  'interface'?: (_contiv_rpc_v1_EndpointInterface | null);
  'options'?: ({[key: string]: string});
}

export interface CreateEndpointRequest__Output {
  'networkId': (string);
  'endpointId': (string);
  'interface': (_contiv_rpc_v1_EndpointInterface__Output | null);
  'options': ({[key: string]: string});
}
