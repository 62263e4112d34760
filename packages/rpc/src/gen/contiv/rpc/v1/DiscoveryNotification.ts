// Original file: ../../proto/contiv/rpc/v1/docker_plugin.proto


export interface DiscoveryNotification {
  'discoveryType'?: (number);
  'address'?: (string);
  'bindAddress'?: (string);
  'self'?: (boolean);
}

export interface DiscoveryNotification__Output {
  'discoveryType': (number);
  'address': (string);
  'bindAddress': (string);
  'self': (boolean);
}
