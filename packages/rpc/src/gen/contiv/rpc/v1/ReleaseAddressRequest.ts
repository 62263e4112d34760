// Original file: ../../proto/contiv/rpc/v1/docker_plugin.proto


export interface ReleaseAddressRequest {
  'poolId'?: (string);
  'address'?: (string);
}

export interface ReleaseAddressRequest__Output {
  'poolId': (string);
  'address': (string);
}
