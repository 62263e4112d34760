// Original file: ../../proto/contiv/rpc/v1/docker_plugin.proto


export interface RequestAddressResponse {
  'address'?: (string);
  'data'?: ({[key: string]: string});
}

export interface RequestAddressResponse__Output {
  'address': (string);
  'data': ({[key: string]: string});
}
