// Original file: ../../proto/contiv/rpc/v1/control.proto

import type { EndpointRecord as _contiv_rpc_v1_EndpointRecord, EndpointRecord__Output as _contiv_rpc_v1_EndpointRecord__Output } from '../../../contiv/rpc/v1/EndpointRecord';

export interface RecordEndpointRequest {
  'endpoint'?: (_contiv_rpc_v1_EndpointRecord | null);
}

export interface RecordEndpointRequest__Output {
  'endpoint': (_contiv_rpc_v1_EndpointRecord__Output | null);
}
