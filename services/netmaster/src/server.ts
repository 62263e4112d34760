/**
 * One TCP port for REST (HTTP/1.1, fastify) and gRPC (HTTP/2 prior knowledge,
 * grpc-js): each new connection is sniffed. A client speaking HTTP/2 starts
 * with the preface `PRI * HTTP/2.0`, which no HTTP/1 request line can start
 * with; those connections go to grpc-js's connection injector, all others to
 * fastify's HTTP server. With TLS on either API, a TLS ClientHello is routed
 * by the protocols it offers instead (connection-kind.ts, docs/security.md).
 */
import net from 'node:net';
import * as grpc from '@grpc/grpc-js';
import type { Logger } from '@contiv/runtime';
import type { FastifyInstance } from 'fastify';
import { classifyConnection, PLAIN_HTTP_REFUSAL, type TransportPolicy } from './connection-kind';
import { restTlsServer, type RestTls } from './rest-tls';

/** A connection that sends nothing for this long is closed (slowloris guard). */
const SNIFF_TIMEOUT_MS = 30_000;

export interface SharedServerOptions {
  readonly host: string;
  readonly port: number;
  readonly rest: FastifyInstance;
  readonly grpc: grpc.Server;
  readonly log: Logger;
  /** HTTPS only for REST. */
  readonly restTls?: RestTls;
  /** gRPC only with these (mutual TLS) credentials. */
  readonly grpcCredentials?: grpc.ServerCredentials;
}

export interface SharedServer {
  /** The bound port (useful with port 0). */
  readonly port: number;
  close(): Promise<void>;
}

export async function startSharedServer(opts: SharedServerOptions): Promise<SharedServer> {
  await opts.rest.ready();
  const injector = opts.grpc.createConnectionInjector(opts.grpcCredentials ?? grpc.ServerCredentials.createInsecure());
  const policy: TransportPolicy = { restTls: opts.restTls !== undefined, grpcTls: opts.grpcCredentials !== undefined };
  // Decrypted REST connections go to fastify's server like plain ones.
  const tlsServer = opts.restTls ? restTlsServer(opts.restTls, (s) => opts.rest.server.emit('connection', s), opts.log) : undefined;
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
      const kind = classifyConnection(buffered, policy);
      if (kind === 'wait') return;
      cleanup();
      if (kind === 'refuse') {
        socket.destroy();
        return;
      }
      if (kind === 'plain-http-refused') {
        socket.on('error', () => socket.destroy());
        socket.setTimeout(5_000, () => socket.destroy());
        socket.end(PLAIN_HTTP_REFUSAL);
        socket.resume();
        return;
      }
      socket.pause();
      socket.unshift(buffered);
      if (kind === 'grpc') {
        // HTTP/2 sessions (and a TLS layer under them) read what was unshifted themselves; resuming here would lose it.
        injector.injectConnection(socket);
      } else if (tlsServer) {
        // So does the TLS layer.
        tlsServer.emit('connection', socket);
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
  opts.log.info('Listening for REST and gRPC', { host: opts.host || '*', port, rest: policy.restTls ? 'https' : 'http', grpc: policy.grpcTls ? 'mutual-tls' : 'plaintext' });

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
