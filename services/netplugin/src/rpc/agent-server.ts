/**
 * The agent's gRPC server on its unix socket, root-only (0600): the shim is
 * its only client.
 */
import { addDockerPluginServices, listenUnix, type RpcServer } from '@contiv/rpc';
import type { IpamDriverImpl, NetworkDriverImpl } from './driver-services';

export class AgentServer {
  private constructor(private readonly server: RpcServer) {}

  get socketPath(): string {
    return this.server.socketPath;
  }

  static async listen(socketPath: string, network: NetworkDriverImpl, ipam: IpamDriverImpl): Promise<AgentServer> {
    return new AgentServer(await listenUnix(socketPath, (server) => addDockerPluginServices(server, network, ipam)));
  }

  close(): Promise<void> {
    return this.server.close();
  }
}
