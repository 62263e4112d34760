import { OvsdbError } from '../errors';

export type Endpoint =
  | { readonly kind: 'unix'; readonly path: string; readonly text: string }
  | { readonly kind: 'tcp'; readonly host: string; readonly port: number; readonly text: string };

/**
 * Parses an OVS-style active connection string: `unix:/path/db.sock`,
 * `tcp:127.0.0.1:6640`, `tcp:[::1]:6640`. SSL is not supported.
 */
export function parseEndpoint(text: string): Endpoint {
  if (text.startsWith('unix:')) {
    const path = text.slice('unix:'.length);
    if (path === '') throw new OvsdbError('OVSDB_BAD_ENDPOINT', `Endpoint ${JSON.stringify(text)} has no socket path`);
    return { kind: 'unix', path, text };
  }
  if (text.startsWith('tcp:')) {
    const rest = text.slice('tcp:'.length);
    const m = /^(?:\[([^\]]+)\]|([^:[\]]+)):(\d{1,5})$/.exec(rest);
    const host = m?.[1] ?? m?.[2];
    const port = Number(m?.[3]);
    if (host === undefined || !Number.isInteger(port) || port < 1 || port > 65535) {
      throw new OvsdbError('OVSDB_BAD_ENDPOINT', `Endpoint ${JSON.stringify(text)} is not tcp:HOST:PORT`);
    }
    return { kind: 'tcp', host, port, text };
  }
  throw new OvsdbError('OVSDB_BAD_ENDPOINT', `Endpoint ${JSON.stringify(text)} must start with unix: or tcp:`);
}
