// Original file: ../../proto/contiv/rpc/v1/docker_plugin.proto


export interface Capabilities {
  'scope'?: (string);
  'connectivityScope'?: (string);
}

export interface Capabilities__Output {
  'scope': (string);
  'connectivityScope': (string);
}
