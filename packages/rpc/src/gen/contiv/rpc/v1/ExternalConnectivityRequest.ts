// Original file: ../../proto/contiv/rpc/v1/docker_plugin.proto


export interface ExternalConnectivityRequest {
  'networkId'?: (string);
  'endpointId'?: (string);
  'options'?: ({[key: string]: string});
}

export interface ExternalConnectivityRequest__Output {
  'networkId': (string);
  'endpointId': (string);
  'options': ({[key: string]: string});
}
