// Original file: ../../proto/contiv/rpc/v1/docker_plugin.proto


export interface AddressSpaces {
  'localDefaultAddressSpace'?: (string);
  'globalDefaultAddressSpace'?: (string);
}

export interface AddressSpaces__Output {
  'localDefaultAddressSpace': (string);
  'globalDefaultAddressSpace': (string);
}
