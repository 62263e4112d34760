/**
 * A small typed client of the Docker Engine API (node:http over the unix socket
 * or TCP), one named function per call the agent makes. Paths carry no API
 * version: the engine then uses its own, and the fields read here exist in
 * every version from 20.10 on.
 */
import http from 'node:http';
import { AgentError } from '../errors';

export interface DockerInfo {
  readonly Name?: string;
  readonly ServerVersion?: string;
  /** Docker <= 20.10 `--cluster-store` URL ("" or absent when none). */
  readonly ClusterStore?: string;
  readonly Swarm?: { readonly LocalNodeState?: string };
}

export interface DockerIpamConfig {
  readonly Subnet?: string;
  readonly Gateway?: string;
  readonly IPRange?: string;
}

export interface DockerNetworkEndpoint {
  readonly Name?: string;
  readonly EndpointID?: string;
  readonly MacAddress?: string;
  readonly IPv4Address?: string;
}

export interface DockerNetwork {
  readonly Id: string;
  readonly Name: string;
  readonly Driver: string;
  readonly Scope?: string;
  readonly Options?: Record<string, string> | null;
  readonly Labels?: Record<string, string> | null;
  readonly IPAM?: { readonly Driver?: string; readonly Options?: Record<string, string> | null; readonly Config?: DockerIpamConfig[] | null };
  /** Only in inspect replies (not in lists), keyed by container id. */
  readonly Containers?: Record<string, DockerNetworkEndpoint> | null;
}

/** The parts of GET /containers/{id}/json the agent reads. */
export interface DockerContainer {
  readonly Id: string;
  readonly Name?: string;
  readonly Config?: { readonly Labels?: Record<string, string> | null } | null;
}

export interface CreateNetworkSpec {
  readonly Name: string;
  readonly Driver: string;
  readonly Options: Record<string, string>;
  readonly Labels?: Record<string, string>;
  readonly IPAM: { readonly Driver: string; readonly Options: Record<string, string>; readonly Config: DockerIpamConfig[] };
  /** Ignored by API >= 1.44, honoured before. */
  readonly CheckDuplicate?: boolean;
}

/** A reply with an error status; `status` lets callers treat 404 / 409 as results. */
export class DockerApiError extends AgentError {
  constructor(
    readonly status: number,
    readonly call: string,
    message: string,
  ) {
    super('AGENT_DOCKER_FAILURE', `Docker ${call} failed (HTTP ${status}): ${message}`);
  }
}

export interface DockerEngineClientOptions {
  /** DOCKER_HOST form: unix:///var/run/docker.sock, unix:/path, tcp://host:port. */
  readonly host: string;
  readonly timeoutMs?: number;
}

type Target = { socketPath: string } | { host: string; port: number };

export function parseDockerHost(host: string): Target {
  if (host.startsWith('unix://')) return { socketPath: host.slice('unix://'.length) };
  if (host.startsWith('unix:')) return { socketPath: host.slice('unix:'.length) };
  if (host.startsWith('/')) return { socketPath: host };
  const m = /^(?:tcp|http):\/\/([^:/]+):(\d+)\/?$/.exec(host);
  if (m) return { host: m[1] as string, port: Number(m[2]) };
  throw new AgentError('AGENT_INVALID_ARGUMENT', `unsupported Docker host "${host}" (use unix:///path or tcp://host:port)`);
}

export const DEFAULT_DOCKER_TIMEOUT_MS = 10_000;

export class DockerEngineClient {
  private readonly target: Target;
  private readonly timeoutMs: number;

  constructor(opts: DockerEngineClientOptions) {
    this.target = parseDockerHost(opts.host);
    this.timeoutMs = opts.timeoutMs ?? DEFAULT_DOCKER_TIMEOUT_MS;
  }

  /** GET /info. */
  info(timeoutMs?: number): Promise<DockerInfo> {
    return this.request<DockerInfo>('GET', '/info', 'info', undefined, timeoutMs);
  }

  /** GET /networks filtered by driver (no Containers in list replies). */
  listNetworks(filter: { driver?: string } = {}): Promise<DockerNetwork[]> {
    const filters = filter.driver ? `?filters=${encodeURIComponent(JSON.stringify({ driver: [filter.driver] }))}` : '';
    return this.request<DockerNetwork[]>('GET', `/networks${filters}`, 'network ls');
  }

  /** GET /networks/{id}; undefined if the engine does not know it. */
  async inspectNetwork(idOrName: string, timeoutMs?: number): Promise<DockerNetwork | undefined> {
    try {
      return await this.request<DockerNetwork>('GET', `/networks/${encodeURIComponent(idOrName)}`, 'network inspect', undefined, timeoutMs);
    } catch (err) {
      if (err instanceof DockerApiError && err.status === 404) return undefined;
      throw err;
    }
  }

  /** GET /containers/{id}/json; undefined if the engine does not know it. */
  async inspectContainer(idOrName: string, timeoutMs?: number): Promise<DockerContainer | undefined> {
    try {
      return await this.request<DockerContainer>('GET', `/containers/${encodeURIComponent(idOrName)}/json`, 'container inspect', undefined, timeoutMs);
    } catch (err) {
      if (err instanceof DockerApiError && err.status === 404) return undefined;
      throw err;
    }
  }

  /** POST /networks/create; a duplicate name is a DockerApiError with status 409. */
  createNetwork(spec: CreateNetworkSpec): Promise<{ Id: string; Warning?: string }> {
    return this.request('POST', '/networks/create', 'network create', spec);
  }

  /** DELETE /networks/{id}; false if it was already gone. */
  async removeNetwork(idOrName: string): Promise<boolean> {
    try {
      await this.request('DELETE', `/networks/${encodeURIComponent(idOrName)}`, 'network rm');
      return true;
    } catch (err) {
      if (err instanceof DockerApiError && err.status === 404) return false;
      throw err;
    }
  }

  private request<T>(method: string, path: string, call: string, body?: unknown, timeoutMs = this.timeoutMs): Promise<T> {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    return new Promise<T>((resolve, reject) => {
      const req = http.request(
        {
          ...this.target,
          method,
          path,
          headers: { Host: 'docker', ...(payload !== undefined ? { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(payload) } : {}) },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            const status = res.statusCode ?? 0;
            if (status >= 200 && status < 300) {
              try {
                resolve((text ? JSON.parse(text) : {}) as T);
              } catch (err) {
                reject(new AgentError('AGENT_DOCKER_FAILURE', `Docker ${call} returned invalid JSON: ${(err as Error).message}`));
              }
              return;
            }
            let message = text.trim();
            try {
              message = (JSON.parse(text) as { message?: string }).message ?? message;
            } catch {
              // plain text body
            }
            reject(new DockerApiError(status, call, message));
          });
          res.on('error', reject);
        },
      );
      req.setTimeout(timeoutMs, () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
      req.on('error', (err) => reject(new AgentError('AGENT_DOCKER_FAILURE', `Docker ${call} failed: ${err.message}`, { cause: err })));
      req.end(payload);
    });
  }
}
