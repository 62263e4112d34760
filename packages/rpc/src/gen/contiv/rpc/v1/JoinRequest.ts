// Original file: ../../proto/contiv/rpc/v1/docker_plugin.proto


export interface JoinRequest {
  'networkId'?: (string);
  'endpointId'?: (string);
  'sandboxKey'?: (string);
  'options'?: ({[key: string]: string});
}

export interface JoinRequest__Output {
  'networkId': (string);
  'endpointId': (string);
  'sandboxKey': (string);
  'options': ({[key: string]: string});
}
