/**
 * HTTPS for the REST API on the shared port: a TLS server that never listens
 * (server.ts hands it the connections that are REST), whose decrypted sockets
 * go to fastify's HTTP server like plain ones.
 */
import tls from 'node:tls';
import type { Logger } from '@contiv/runtime';

/** The certificate (chain) and key REST is served with. */
export interface RestTls {
  readonly cert: Buffer;
  revealKey(): Buffer;
}

export function restTlsServer(material: RestTls, onSecure: (socket: tls.TLSSocket) => void, log: Logger): tls.Server {
  const server = tls.createServer({ cert: material.cert, key: material.revealKey(), ALPNProtocols: ['http/1.1'], minVersion: 'TLSv1.2' }, onSecure);
  // A client that gives up or distrusts our certificate: its business, worth a debug line.
  server.on('tlsClientError', (err, socket) => {
    log.debug('REST TLS handshake failed', { remote: socket.remoteAddress, reason: err.message });
    socket.destroy();
  });
  return server;
}
