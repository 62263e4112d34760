// Original file: ../../proto/contiv/rpc/v1/docker_plugin.proto


export interface IpamData {
  'addressSpace'?: (string);
  'pool'?: (string);
  'gateway'?: (string);
  'auxAddresses'?: ({[key: string]: string});
}

export interface IpamData__Output {
  'addressSpace': (string);
  'pool': (string);
  'gateway': (string);
  'auxAddresses': ({[key: string]: string});
}
