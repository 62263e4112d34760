import path from 'node:path';
import { OpenFlowError } from '../errors';

export type Endpoint =
  | { readonly kind: 'unix'; readonly path: string; readonly text: string }
  | { readonly kind: 'tcp'; readonly host: string; readonly port: number; readonly text: string };

/**
 * Parses an OVS-style active connection string: `unix:/run/openvswitch/br0.mgmt`,
 * `tcp:127.0.0.1:6653`, `tcp:[::1]:6653`. SSL is not supported.
 */
export function parseEndpoint(text: string): Endpoint {
  if (text.startsWith('unix:')) {
    const p = text.slice('unix:'.length);
    if (p === '') throw new OpenFlowError('OF_BAD_ENDPOINT', `Endpoint ${JSON.stringify(text)} has no socket path`);
    return { kind: 'unix', path: p, text };
  }
  if (text.startsWith('tcp:')) {
    const m = /^(?:\[([^\]]+)\]|([^:[\]]+)):(\d{1,5})$/.exec(text.slice('tcp:'.length));
    const host = m?.[1] ?? m?.[2];
    const port = Number(m?.[3]);
    if (host === undefined || !Number.isInteger(port) || port < 1 || port > 65535) {
      throw new OpenFlowError('OF_BAD_ENDPOINT', `Endpoint ${JSON.stringify(text)} is not tcp:HOST:PORT`);
    }
    return { kind: 'tcp', host, port, text };
  }
  throw new OpenFlowError('OF_BAD_ENDPOINT', `Endpoint ${JSON.stringify(text)} must start with unix: or tcp:`);
}

/**
 * The management socket ovs-vswitchd opens for every bridge
 * (`<OVS_RUNDIR>/<bridge>.mgmt`, what `ovs-ofctl dump-flows <bridge>` uses).
 */
export function bridgeMgmtEndpoint(runDir: string, bridge: string): string {
  return `unix:${path.join(runDir, `${bridge}.mgmt`)}`;
}
