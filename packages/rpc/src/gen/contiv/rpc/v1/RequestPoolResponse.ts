// Original file: ../../proto/contiv/rpc/v1/docker_plugin.proto


export interface RequestPoolResponse {
  'poolId'?: (string);
  'pool'?: (string);
  'data'?: ({[key: string]: string});
}

export interface RequestPoolResponse__Output {
  'poolId': (string);
  'pool': (string);
  'data': ({[key: string]: string});
}
