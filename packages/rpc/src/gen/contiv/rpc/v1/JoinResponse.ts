// Original file: ../../proto/contiv/rpc/v1/docker_plugin.proto

import type { StaticRoute as _contiv_rpc_v1_StaticRoute, StaticRoute__Output as _contiv_rpc_v1_StaticRoute__Output } from '../../../contiv/rpc/v1/StaticRoute';

export interface JoinResponse {
  'srcName'?: (string);
  'dstPrefix'?: (string);
  'gateway'?: (string);
  'gatewayIpv6'?: (string);
  'staticRoutes'?: (_contiv_rpc_v1_StaticRoute)[];
  'disableGatewayService'?: (boolean);
}

export interface JoinResponse__Output {
  'srcName': (string);
  'dstPrefix': (string);
  'gateway': (string);
  'gatewayIpv6': (string);
  'staticRoutes': (_contiv_rpc_v1_StaticRoute__Output)[];
  'disableGatewayService': (boolean);
}
