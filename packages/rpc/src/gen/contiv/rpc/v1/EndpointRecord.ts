// Original file: ../../proto/contiv/rpc/v1/control.proto


export interface EndpointRecord {
  'endpointId'?: (string);
  'tenantName'?: (string);
  'networkName'?: (string);
  'groupName'?: (string);
  'ipAddress'?: (string);
  'ipv6Address'?: (string);
  'macAddress'?: (string);
  'homingHost'?: (string);
  'intfName'?: (string);
  'vtepIp'?: (string);
  'containerId'?: (string);
  'containerName'?: (string);
  'labels'?: ({[key: string]: string});
}

export interface EndpointRecord__Output {
  'endpointId': (string);
  'tenantName': (string);
  'networkName': (string);
  'groupName': (string);
  'ipAddress': (string);
  'ipv6Address': (string);
  'macAddress': (string);
  'homingHost': (string);
  'intfName': (string);
  'vtepIp': (string);
  'containerId': (string);
  'containerName': (string);
  'labels': ({[key: string]: string});
}
