// Original file: ../../proto/contiv/rpc/v1/docker_plugin.proto


export interface RequestAddressRequest {
  'poolId'?: (string);
  'address'?: (string);
  'options'?: ({[key: string]: string});
}

export interface RequestAddressRequest__Output {
  'poolId': (string);
  'address': (string);
  'options': ({[key: string]: string});
}
