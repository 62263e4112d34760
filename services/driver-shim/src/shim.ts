/** Assembles the shim from a config: route table, agent connection, plugin server. */
import type { Logger } from '@contiv/runtime';
import { AgentConnection, type AgentClients } from './agent-connection';
import type { DriverShimConfig } from './options';
import { PluginServer } from './plugin-server';
import { ipamDriverRoutes } from './routes/ipam-driver';
import { networkDriverRoutes } from './routes/network-driver';
import { pluginRoutes } from './routes/plugin';
import type { Route, RouteTable } from './routes/route';

export function buildRoutes(config: Pick<DriverShimConfig, 'capabilitiesWaitMs'>): RouteTable {
  return new Map<string, Route>([
    ...pluginRoutes(),
    ...networkDriverRoutes({ capabilitiesWaitMs: config.capabilitiesWaitMs, fallbackScope: 'local' }),
    ...ipamDriverRoutes(),
  ]);
}

export interface RunningShim {
  readonly server: PluginServer;
  readonly agent: AgentConnection;
  close(): Promise<void>;
}

/**
 * Binds the plugin socket first (the agent is only dialled per call), so Docker
 * can activate the plugin however late the agent comes up.
 */
export async function startShim(
  config: Omit<DriverShimConfig, 'logDir' | 'debug'>,
  logger: Logger,
  createClients?: (target: string) => AgentClients,
): Promise<RunningShim> {
  const agent = new AgentConnection({
    agentSocket: config.agentSocket,
    connectTimeoutMs: config.connectTimeoutMs,
    callTimeoutMs: config.callTimeoutMs,
    logger,
    createClients,
  });
  const server = await PluginServer.listen({ socketPath: config.socket, routes: buildRoutes(config), agent, logger });
  return {
    server,
    agent,
    close: async () => {
      await server.close();
      agent.close();
    },
  };
}
