// Original file: ../../proto/contiv/rpc/v1/docker_plugin.proto


export interface RequestPoolRequest {
  'addressSpace'?: (string);
  'pool'?: (string);
  'subPool'?: (string);
  'options'?: ({[key: string]: string});
  'v6'?: (boolean);
}

export interface RequestPoolRequest__Output {
  'addressSpace': (string);
  'pool': (string);
  'subPool': (string);
  'options': ({[key: string]: string});
  'v6': (boolean);
}
