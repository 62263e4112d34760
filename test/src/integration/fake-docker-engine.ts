/**
 * The few Docker Engine API calls netplugin makes (GET /info, network ls,
 * inspect, create, rm) on a unix socket, with endpoints the test adds and
 * removes: "Docker's view" for the reconcile tests, where Docker itself is not
 * what is tested and its crash windows (an endpoint Docker forgot while the
 * agent was away) cannot be timed with a real engine. It runs no plugin calls:
 * the test makes those on the shim's socket, in Docker's order.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';

interface Network {
  Id: string;
  Name: string;
  Driver: string;
  Scope: string;
  Options: Record<string, string>;
  Labels: Record<string, string>;
  IPAM: unknown;
  Containers: Record<string, { EndpointID: string; Name: string; IPv4Address: string }>;
}

export interface FakeDockerEngine {
  readonly socketPath: string;
  /** The network named so (created by the agent's legacy controller), if any. */
  network(name: string): Network | undefined;
  /** Docker now lists the endpoint (as after CreateEndpoint + Join). */
  addEndpoint(networkId: string, endpointId: string, ip: string): void;
  /** How many network listings were asked for (each reconcile pass makes one). */
  readonly listings: () => number;
  /** Docker forgot the endpoint (the container went). */
  removeEndpoint(networkId: string, endpointId: string): void;
  close(): Promise<void>;
}

export async function startFakeDockerEngine(socketPath: string, hostName: string): Promise<FakeDockerEngine> {
  const networks = new Map<string, Network>();
  let listings = 0;
  const json = (res: http.ServerResponse, status: number, body: unknown): void => {
    const text = JSON.stringify(body);
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
    res.end(text);
  };
  const find = (idOrName: string): Network | undefined => networks.get(idOrName) ?? [...networks.values()].find((n) => n.Name === idOrName);
  const server = http.createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (body += c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://docker');
      const path = url.pathname.replace(/^\/v\d+\.\d+/, '');
      if (req.method === 'GET' && path === '/info') return json(res, 200, { Name: hostName, ServerVersion: '20.10.24' });
      if (req.method === 'GET' && path === '/networks') {
        listings++;
        const filters = JSON.parse(url.searchParams.get('filters') ?? '{}') as { driver?: string[] };
        const list = [...networks.values()].filter((n) => !filters.driver || filters.driver.includes(n.Driver));
        return json(res, 200, list.map((n) => ({ ...n, Containers: {} })));
      }
      if (req.method === 'POST' && path === '/networks/create') {
        const spec = JSON.parse(body) as { Name: string; Driver: string; Options?: Record<string, string>; Labels?: Record<string, string>; IPAM?: unknown };
        if (find(spec.Name)) return json(res, 409, { message: `network with name ${spec.Name} already exists` });
        const id = randomBytes(32).toString('hex');
        networks.set(id, { Id: id, Name: spec.Name, Driver: spec.Driver, Scope: 'local', Options: spec.Options ?? {}, Labels: spec.Labels ?? {}, IPAM: spec.IPAM ?? {}, Containers: {} });
        return json(res, 201, { Id: id, Warning: '' });
      }
      const m = /^\/networks\/([^/]+)$/.exec(path);
      if (m) {
        const n = find(decodeURIComponent(m[1] ?? ''));
        if (!n) return json(res, 404, { message: `network ${m[1]} not found` });
        if (req.method === 'GET') return json(res, 200, n);
        if (req.method === 'DELETE') {
          if (Object.keys(n.Containers).length > 0) return json(res, 403, { message: `error while removing network: network ${n.Name} has active endpoints` });
          networks.delete(n.Id);
          res.writeHead(204).end();
          return;
        }
      }
      json(res, 404, { message: `page not found: ${req.method} ${path}` });
    });
  });
  fs.rmSync(socketPath, { force: true });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(socketPath, resolve);
  });
  return {
    socketPath,
    network: (name) => find(name),
    listings: () => listings,
    addEndpoint(networkId, endpointId, ip) {
      const n = networks.get(networkId);
      if (!n) throw new Error(`fake docker: no network ${networkId}`);
      n.Containers[`c${endpointId.slice(0, 12)}`] = { EndpointID: endpointId, Name: `ctr-${endpointId.slice(0, 6)}`, IPv4Address: ip };
    },
    removeEndpoint(networkId, endpointId) {
      const n = networks.get(networkId);
      if (n) delete n.Containers[`c${endpointId.slice(0, 12)}`];
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
