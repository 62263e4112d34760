// Original file: ../../proto/contiv/rpc/v1/control.proto


export interface UnregisterDockerNetworkRequest {
  'dockerNetworkId'?: (string);
  'dockerScope'?: (string);
}

export interface UnregisterDockerNetworkRequest__Output {
  'dockerNetworkId': (string);
  'dockerScope': (string);
}
