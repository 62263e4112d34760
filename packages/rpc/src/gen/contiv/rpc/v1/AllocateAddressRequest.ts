// Original file: ../../proto/contiv/rpc/v1/control.proto


export interface AllocateAddressRequest {
  'tenantName'?: (string);
  'networkName'?: (string);
  'groupName'?: (string);
  'preferredAddress'?: (string);
  'host'?: (string);
  'requestId'?: (string);
}

export interface AllocateAddressRequest__Output {
  'tenantName': (string);
  'networkName': (string);
  'groupName': (string);
  'preferredAddress': (string);
  'host': (string);
  'requestId': (string);
}
