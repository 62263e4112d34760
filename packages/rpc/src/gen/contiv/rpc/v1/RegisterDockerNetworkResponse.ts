// Original file: ../../proto/contiv/rpc/v1/control.proto


export interface RegisterDockerNetworkResponse {
  'tenantName'?: (string);
  'networkName'?: (string);
}

export interface RegisterDockerNetworkResponse__Output {
  'tenantName': (string);
  'networkName': (string);
}
