// Original file: ../../proto/contiv/rpc/v1/docker_plugin.proto


export interface AllocateNetworkResponse {
  'options'?: ({[key: string]: string});
}

export interface AllocateNetworkResponse__Output {
  'options': ({[key: string]: string});
}
