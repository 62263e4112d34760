// Original file: ../../proto/contiv/rpc/v1/docker_plugin.proto


export interface EndpointRef {
  'networkId'?: (string);
  'endpointId'?: (string);
}

export interface EndpointRef__Output {
  'networkId': (string);
  'endpointId': (string);
}
