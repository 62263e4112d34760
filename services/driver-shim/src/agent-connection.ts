/**
 * The shim's gRPC channel to the agent. Three things make it more than
 * `createDockerPluginClients`:
 *  - a dead agent is reported within `connectTimeoutMs`, not after the 30 s a
 *    call deadline would take (a missing socket file is reported at once);
 *  - after a transport failure the channel is rebuilt, so a restarted agent is
 *    used immediately instead of after grpc-js' reconnect backoff (up to 2 min);
 *  - the two failure kinds get messages that say where the agent was expected.
 */
import fs from 'node:fs';
import {
  createDockerPluginClients,
  type CallOptions,
  isRpcError,
  type TransportFailure,
  type IpamDriverClient,
  type NetworkDriverClient,
} from '@contiv/rpc';
import type { Logger } from '@contiv/runtime';
import { ShimError } from './errors';

export interface AgentClients {
  readonly network: NetworkDriverClient;
  readonly ipam: IpamDriverClient;
}

export interface AgentConnectionOptions {
  /** Path of the agent's unix socket. */
  readonly agentSocket: string;
  /** How long to wait for the channel to connect before calling the agent unreachable. */
  readonly connectTimeoutMs: number;
  /** Deadline of one call once connected (below Docker's 30 s plugin timeout). */
  readonly callTimeoutMs: number;
  readonly logger: Logger;
  /** Seam for tests. */
  readonly createClients?: (target: string) => AgentClients;
}

/** True when the call never reached a handler (the agent sent no error of its own). */
function isTransportFailure(err: unknown, kind: TransportFailure): boolean {
  return isRpcError(err) && err.transport === kind;
}

export class AgentConnection {
  private clients: AgentClients | undefined;
  private readonly target: string;

  constructor(private readonly opts: AgentConnectionOptions) {
    this.target = `unix:${opts.agentSocket}`;
  }

  /**
   * Runs one call against the agent:
   * `conn.call('network', (c, o) => c.CreateNetwork(req, o), requestId)`.
   */
  async call<K extends keyof AgentClients, R>(
    service: K,
    invoke: (client: AgentClients[K], opts: CallOptions) => Promise<R>,
    requestId?: string,
    timeoutMs?: number,
  ): Promise<R> {
    const client = await this.ready(service);
    const callTimeout = timeoutMs ?? this.opts.callTimeoutMs;
    try {
      return await invoke(client, { timeoutMs: callTimeout, requestId });
    } catch (err) {
      if (isTransportFailure(err, 'unavailable')) {
        this.reset();
        throw this.unreachable(err);
      }
      if (isTransportFailure(err, 'deadline')) {
        throw new ShimError('SHIM_AGENT_TIMEOUT', `netplugin agent at ${this.target} did not answer within ${Math.round(callTimeout / 1000)} s`, {
          cause: err,
        });
      }
      throw err;
    }
  }

  close(): void {
    this.reset();
  }

  /** A connected client, or SHIM_AGENT_UNREACHABLE after at most 2 × connectTimeoutMs. */
  private async ready<K extends keyof AgentClients>(service: K): Promise<AgentClients[K]> {
    try {
      fs.statSync(this.opts.agentSocket);
    } catch (err) {
      this.reset();
      throw this.unreachable(err, 'no socket (is netplugin running?)');
    }
    for (let attempt = 0; ; attempt++) {
      const client = this.current()[service];
      try {
        await client.waitForReady(this.opts.connectTimeoutMs);
        return client;
      } catch (err) {
        // A channel left in reconnect backoff by an earlier outage: a fresh one connects at once.
        this.reset();
        if (attempt >= 1) throw this.unreachable(err);
        this.opts.logger.debug('Rebuilding the agent channel', { target: this.target });
      }
    }
  }

  private current(): AgentClients {
    if (!this.clients) this.clients = (this.opts.createClients ?? createDockerPluginClients)(this.target);
    return this.clients;
  }

  private reset(): void {
    if (!this.clients) return;
    this.clients.network.close();
    this.clients.ipam.close();
    this.clients = undefined;
  }

  private unreachable(err: unknown, detail?: string): ShimError {
    const why = detail ?? (err instanceof Error ? err.message : String(err));
    return new ShimError('SHIM_AGENT_UNREACHABLE', `netplugin agent is not reachable at ${this.target}: ${why}`, { cause: err });
  }
}
