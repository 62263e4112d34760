// Original file: ../../proto/contiv/rpc/v1/control.proto


export interface AllocateAddressResponse {
  'address'?: (string);
  'prefixLength'?: (number);
  'gateway'?: (string);
}

export interface AllocateAddressResponse__Output {
  'address': (string);
  'prefixLength': (number);
  'gateway': (string);
}
