/**
 * Loads proto/ at run time (protobufjs through @grpc/proto-loader) and exposes
 * the service definitions. The generated types in gen/ describe the same
 * messages; `pnpm --filter @contiv/rpc gen` regenerates them after a .proto edit.
 */
import fs from 'node:fs';
import path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import type { ProtoGrpcType as ControlProto } from './gen/control';
import type { ProtoGrpcType as DockerPluginProto } from './gen/docker_plugin';

export const PROTO_FILES = ['contiv/rpc/v1/docker_plugin.proto', 'contiv/rpc/v1/control.proto', 'contiv/rpc/v1/errors.proto'];

/** proto/ sits at the repository (or plugin rootfs) top, three levels above lib/. */
export function protoDir(): string {
  const candidates = [path.resolve(__dirname, '../../../proto'), path.resolve(__dirname, '../proto')];
  for (const dir of candidates) if (fs.existsSync(path.join(dir, PROTO_FILES[0] as string))) return dir;
  throw new Error(`cannot find the proto/ directory (looked in ${candidates.join(', ')})`);
}

type Contracts = DockerPluginProto & ControlProto;
let loaded: Contracts['contiv']['rpc']['v1'] | undefined;

export function contracts(): Contracts['contiv']['rpc']['v1'] {
  if (!loaded) {
    const def = protoLoader.loadSync(PROTO_FILES, {
      includeDirs: [protoDir()],
      keepCase: false,
      longs: String,
      enums: String,
      defaults: true,
      oneofs: true,
    });
    loaded = (grpc.loadPackageDefinition(def) as unknown as Contracts).contiv.rpc.v1;
  }
  return loaded;
}
