// Original file: ../../proto/contiv/rpc/v1/docker_plugin.proto


export interface EndpointOperInfoResponse {
  'value'?: ({[key: string]: string});
}

export interface EndpointOperInfoResponse__Output {
  'value': ({[key: string]: string});
}
