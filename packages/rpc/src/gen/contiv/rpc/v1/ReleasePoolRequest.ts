// Original file: ../../proto/contiv/rpc/v1/docker_plugin.proto


export interface ReleasePoolRequest {
  'poolId'?: (string);
}

export interface ReleasePoolRequest__Output {
  'poolId': (string);
}
