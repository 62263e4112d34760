/**
 * The three services of proto/ as typed, promise-based servers and clients.
 */
import * as grpc from '@grpc/grpc-js';
import { contracts } from './contracts';
import type { ControlDefinition } from './gen/contiv/rpc/v1/Control';
import type { IpamDriverDefinition } from './gen/contiv/rpc/v1/IpamDriver';
import type { NetworkDriverDefinition } from './gen/contiv/rpc/v1/NetworkDriver';
import { addAsyncService, createAsyncClient, type AsyncClient, type AsyncService } from './typed';

export type NetworkDriverService = AsyncService<NetworkDriverDefinition>;
export type IpamDriverService = AsyncService<IpamDriverDefinition>;
export type ControlService = AsyncService<ControlDefinition>;

export type NetworkDriverClient = AsyncClient<NetworkDriverDefinition>;
export type IpamDriverClient = AsyncClient<IpamDriverDefinition>;
export type ControlClient = AsyncClient<ControlDefinition>;

/** Agent side of the shim contract (served on the agent's unix socket). */
export function addDockerPluginServices(server: grpc.Server, network: NetworkDriverService, ipam: IpamDriverService): void {
  const c = contracts();
  addAsyncService(server, c.NetworkDriver.service, network);
  addAsyncService(server, c.IpamDriver.service, ipam);
}

/** Netmaster side of the agent contract. */
export function addControlService(server: grpc.Server, control: ControlService): void {
  addAsyncService(server, contracts().Control.service, control);
}

/** Shim side: `target` is `unix:/run/contiv/netplugin-rpc.sock`. */
export function createDockerPluginClients(target: string): { network: NetworkDriverClient; ipam: IpamDriverClient } {
  const c = contracts();
  return {
    network: createAsyncClient(c.NetworkDriver, c.NetworkDriver.service, target, 'the netplugin agent'),
    ipam: createAsyncClient(c.IpamDriver, c.IpamDriver.service, target, 'the netplugin agent'),
  };
}

/**
 * Agent side: `target` is netmaster's control_url (`host:9999`); credentials
 * for mutual TLS from MutualTls.channelCredentials() (default: plaintext).
 */
export function createControlClient(target: string, credentials: grpc.ChannelCredentials = grpc.credentials.createInsecure()): ControlClient {
  const c = contracts();
  return createAsyncClient(c.Control, c.Control.service, target, 'netmaster', credentials);
}
