// Original file: ../../proto/contiv/rpc/v1/docker_plugin.proto


export interface NetworkRef {
  'networkId'?: (string);
}

export interface NetworkRef__Output {
  'networkId': (string);
}
