/** Free TCP ports on the loopback address, for servers the tests start. */
import net from 'node:net';

/**
 * A TCP port that was free on 127.0.0.1 a moment ago. Another process can
 * still take it before our server binds it: starters that bind it should
 * retry with a fresh port when the bind fails (startEtcd does).
 */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen({ host: '127.0.0.1', port: 0, exclusive: true }, () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : undefined;
      server.close(() => (port === undefined ? reject(new Error('no port assigned')) : resolve(port)));
    });
  });
}
