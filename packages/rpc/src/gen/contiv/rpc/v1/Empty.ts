// Original file: ../../proto/contiv/rpc/v1/docker_plugin.proto


export interface Empty {
}

export interface Empty__Output {
}
