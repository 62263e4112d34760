// Original file: ../../proto/contiv/rpc/v1/docker_plugin.proto

import type { EndpointInterface as _contiv_rpc_v1_EndpointInterface, EndpointInterface__Output as _contiv_rpc_v1_EndpointInterface__Output } from '../../../contiv/rpc/v1/EndpointInterface';

export interface CreateEndpointResponse {
  'interface'?: (_contiv_rpc_v1_EndpointInterface | null);
}

export interface CreateEndpointResponse__Output {
  'interface': (_contiv_rpc_v1_EndpointInterface__Output | null);
}
