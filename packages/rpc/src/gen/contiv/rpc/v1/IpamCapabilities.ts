// Original file: ../../proto/contiv/rpc/v1/docker_plugin.proto


export interface IpamCapabilities {
  'requiresMacAddress'?: (boolean);
  'requiresRequestReplay'?: (boolean);
}

export interface IpamCapabilities__Output {
  'requiresMacAddress': (boolean);
  'requiresRequestReplay': (boolean);
}
