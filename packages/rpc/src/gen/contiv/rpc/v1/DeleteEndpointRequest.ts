// Original file: ../../proto/contiv/rpc/v1/control.proto


export interface DeleteEndpointRequest {
  'endpointId'?: (string);
  'releaseAddress'?: (boolean);
}

export interface DeleteEndpointRequest__Output {
  'endpointId': (string);
  'releaseAddress': (boolean);
}
