// Original file: ../../proto/contiv/rpc/v1/docker_plugin.proto


export interface EndpointInterface {
  'address'?: (string);
  'addressIpv6'?: (string);
  'macAddress'?: (string);
}

export interface EndpointInterface__Output {
  'address': (string);
  'addressIpv6': (string);
  'macAddress': (string);
}
