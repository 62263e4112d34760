/**
 * A gRPC server on a root-only unix socket: how the agent serves the shim.
 * A stale socket file left by a crash is replaced; a live one (another
 * process serving it) is refused rather than stolen.
 */
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import * as grpc from '@grpc/grpc-js';

export interface RpcServer {
  readonly socketPath: string;
  /** Graceful shutdown (5 s at most), then the socket file is removed. */
  close(): Promise<void>;
}

function isAlive(socketPath: string): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect(socketPath);
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

async function prepareSocketPath(socketPath: string): Promise<void> {
  // A directory we create is root's alone (the socket is 0600 anyway); an existing one is left as it is.
  fs.mkdirSync(path.dirname(socketPath), { recursive: true, mode: 0o700 });
  let st: fs.Stats;
  try {
    st = fs.lstatSync(socketPath);
  } catch {
    return;
  }
  if (!st.isSocket()) throw new Error(`${socketPath} exists and is not a socket; refusing to replace it`);
  if (await isAlive(socketPath)) throw new Error(`another process is already serving ${socketPath}`);
  fs.unlinkSync(socketPath);
}

/** Binds `socketPath` (mode 0600) and serves what `register` adds to the server. */
export async function listenUnix(socketPath: string, register: (server: grpc.Server) => void): Promise<RpcServer> {
  await prepareSocketPath(socketPath);
  const server = new grpc.Server();
  register(server);
  // The umask closes the window between bind and chmod in which others could connect.
  const old = process.umask(0o177);
  try {
    await new Promise<void>((resolve, reject) =>
      server.bindAsync(`unix:${socketPath}`, grpc.ServerCredentials.createInsecure(), (err) => (err ? reject(err) : resolve())),
    );
  } finally {
    process.umask(old);
  }
  fs.chmodSync(socketPath, 0o600);
  return {
    socketPath,
    close: async () => {
      await new Promise<void>((resolve) => {
        const t = setTimeout(() => {
          server.forceShutdown();
          resolve();
        }, 5_000);
        server.tryShutdown(() => {
          clearTimeout(t);
          resolve();
        });
      });
      fs.rmSync(socketPath, { force: true });
    },
  };
}
