// Original file: ../../proto/contiv/rpc/v1/docker_plugin.proto


export interface StaticRoute {
  'destination'?: (string);
  'routeType'?: (number);
  'nextHop'?: (string);
}

export interface StaticRoute__Output {
  'destination': (string);
  'routeType': (number);
  'nextHop': (string);
}
