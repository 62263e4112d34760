// Original file: ../../proto/contiv/rpc/v1/control.proto


export interface ReleaseNetworkAddressRequest {
  'tenantName'?: (string);
  'networkName'?: (string);
  'address'?: (string);
  'host'?: (string);
  'owner'?: (string);
}

export interface ReleaseNetworkAddressRequest__Output {
  'tenantName': (string);
  'networkName': (string);
  'address': (string);
  'host': (string);
  'owner': (string);
}
