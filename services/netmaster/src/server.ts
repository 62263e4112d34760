/**
 * One TCP port for REST (HTTP/1.1, fastify) and gRPC (HTTP/2 prior knowledge,
 * grpc-js): each new connection is sniffed. A client speaking HTTP/2 starts
 * with the preface `PRI * HTTP/2.0`, which no HTTP/1 request line can start
 * with; those connections go to grpc-js's connection injector, all others to
 * fastify's HTTP server.
 */
import net from 'node:net';
import * as grpc from '@grpc/grpc-js';
import type { Logger } from '@contiv/runtime';
import type { FastifyInstance } from 'fastify';

const H2_PREFIX = Buffer.from('PRI');
/** A connection that sends nothing for this long is closed (slowloris guard). */
const SNIFF_TIMEOUT_MS = 30_000;

export interface SharedServerOptions {
  readonly host: string;
  readonly port: number;
  readonly rest: FastifyInstance;
  readonly grpc: grpc.Server;
  readonly log: Logger;
}

export interface SharedServer {
  /** The bound port (useful with port 0). */
  readonly port: number;
  close(): Promise<void>;
}

export async function startSharedServer(opts: SharedServerOptions): Promise<SharedServer> {
  await opts.rest.ready();
  const injector = opts.grpc.createConnectionInjector(grpc.ServerCredentials.createInsecure());
  const sockets = new Set<net.Socket>();

  const route = (socket: net.Socket): void => {
    let buffered = Buffer.alloc(0);
    const timer = setTimeout(() => socket.destroy(), SNIFF_TIMEOUT_MS);
    const cleanup = (): void => {
      clearTimeout(timer);
      socket.removeListener('data', onData);
      socket.removeListener('error', onError);
      socket.removeListener('end', onEnd);
    };
    const onError = (): void => {
      cleanup();
      socket.destroy();
    };
    const onEnd = (): void => {
      cleanup();
      socket.destroy();
    };
    const onData = (chunk: Buffer): void => {
      buffered = Buffer.concat([buffered, chunk]);
      // Wait until we can tell (a few bytes), unless it already cannot be the preface.
      if (buffered.length < H2_PREFIX.length && H2_PREFIX.subarray(0, buffered.length).equals(buffered)) return;
      cleanup();
      socket.pause();
      socket.unshift(buffered);
      if (buffered.subarray(0, H2_PREFIX.length).equals(H2_PREFIX)) {
        // HTTP/2 sessions read what was unshifted themselves; resuming here would lose it.
        injector.injectConnection(socket);
      } else {
        opts.rest.server.emit('connection', socket);
        socket.resume();
      }
    };
    socket.on('data', onData);
    socket.on('error', onError);
    socket.on('end', onEnd);
  };

  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    route(socket);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ port: opts.port, ...(opts.host ? { host: opts.host } : {}) }, () => {
      server.removeListener('error', reject);
      resolve();
    });
  });
  const port = (server.address() as net.AddressInfo).port;
  opts.log.info('Listening for REST and gRPC', { host: opts.host || '*', port });

  return {
    port,
    async close() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        injector.drain(1000);
        for (const s of sockets) s.destroy();
      });
      injector.destroy();
      opts.grpc.forceShutdown();
      await opts.rest.close();
    },
  };
}
