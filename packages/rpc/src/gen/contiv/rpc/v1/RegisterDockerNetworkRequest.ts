// Original file: ../../proto/contiv/rpc/v1/control.proto


export interface RegisterDockerNetworkRequest {
  'dockerNetworkId'?: (string);
  'dockerName'?: (string);
  'dockerScope'?: (string);
  'tenantName'?: (string);
  'subnet'?: (string);
  'gateway'?: (string);
  'ipRange'?: (string);
  'ipv6Subnet'?: (string);
  'ipv6Gateway'?: (string);
  'encap'?: (string);
  'options'?: ({[key: string]: string});
}

export interface RegisterDockerNetworkRequest__Output {
  'dockerNetworkId': (string);
  'dockerName': (string);
  'dockerScope': (string);
  'tenantName': (string);
  'subnet': (string);
  'gateway': (string);
  'ipRange': (string);
  'ipv6Subnet': (string);
  'ipv6Gateway': (string);
  'encap': (string);
  'options': ({[key: string]: string});
}
