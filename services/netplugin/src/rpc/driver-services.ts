/**
 * The NetworkDriver and IpamDriver gRPC services the shim calls: one method per
 * Docker call, delegating to the endpoint manager, the Docker-network registry
 * and the IPAM service. Every failure goes through error-map.ts, and is logged
 * once here with the request id that came from the shim.
 */
import type { PortView } from '@contiv/ovsdb-client';
import type { CallContext, IpamDriverService, msg, NetworkDriverService } from '@contiv/rpc';
import type { Logger } from '@contiv/runtime';
import type { Store } from '@contiv/store';
import { networkStateCodec, networkStateKey, type NetworkState } from '@contiv/model';
import type { ContainerNameRecorder } from '../docker/container-names';
import type { EngineKindTracker } from '../docker/engine-kind-tracker';
import type { EndpointManager } from '../endpoint/endpoint-manager';
import type { NetworkAddress } from '../endpoint/teardown-queue';
import { vethNames } from '../endpoint/naming';
import { AgentError, errorMessage } from '../errors';
import type { IpamService } from '../ipam/ipam-service';
import type { Binding } from '../network/binding';
import type { DockerNetworks } from '../network/docker-networks';
import type { StateCache } from '../network/state-cache';
import { EXT_ADDRESS_LEASE, EXT_IP, EXT_NETWORK, EXT_TENANT } from '../ovs/endpoint-ports';
import type { VswitchPorts } from '../ovs/vswitch';
import { toRpcError } from './error-map';

export type NetworkDriverImpl = NetworkDriverService;
export type IpamDriverImpl = IpamDriverService;

export interface DriverServicesOptions {
  readonly networks: DockerNetworks;
  readonly endpoints: EndpointManager;
  readonly ipam: IpamService;
  readonly cache: StateCache;
  readonly store: Pick<Store, 'get'>;
  readonly engineKind: Pick<EngineKindTracker, 'resolve'>;
  readonly vswitch: () => VswitchPorts | undefined;
  readonly log: Logger;
  /** How long GetCapabilities waits for the engine kind before using the remembered one. */
  readonly capabilitiesWaitMs?: number;
  /** How long CreateEndpoint/Join wait for a network still being registered. */
  readonly resolveWaitMs?: number;
  /** Learns the container of a joined endpoint for its record (DNS names); in the background, after Join answered. */
  readonly containerNames?: Pick<ContainerNameRecorder, 'afterJoin'>;
}

const QUIET = new Set(['GetCapabilities', 'EndpointOperInfo', 'GetDefaultAddressSpaces', 'Ipam.GetCapabilities']);

function handler<Req, Res>(log: Logger, method: string, fn: (req: Req, ctx: CallContext) => Promise<Res>): (req: Req, ctx: CallContext) => Promise<Res> {
  return async (req, ctx) => {
    const started = Date.now();
    try {
      const res = await fn(req, ctx);
      if (!QUIET.has(method)) log.debug('Driver call', { method, requestId: ctx.requestId, ms: Date.now() - started });
      return res;
    } catch (err) {
      const rpcErr = toRpcError(err);
      log.warn('Driver call failed', { method, requestId: ctx.requestId, code: rpcErr.code, err: rpcErr.message, ms: Date.now() - started });
      throw rpcErr;
    }
  };
}

/** The swarm address an endpoint's port says it used (contiv-address-lease=swarm), if any. */
function swarmLeaseOf(port: PortView | undefined): NetworkAddress | undefined {
  const ids = port?.externalIds;
  if (!ids || ids[EXT_ADDRESS_LEASE] !== 'swarm') return undefined;
  const [tenantName, networkName, ip] = [ids[EXT_TENANT], ids[EXT_NETWORK], ids[EXT_IP]];
  return tenantName && networkName && ip ? { tenantName, networkName, ip } : undefined;
}

export function createDriverServices(o: DriverServicesOptions): { network: NetworkDriverImpl; ipam: IpamDriverImpl } {
  const log = o.log;
  const resolveWait = o.resolveWaitMs ?? 20_000;

  async function networkState(b: Binding): Promise<NetworkState> {
    const cached = o.cache.network(b.tenantName, b.networkName);
    if (cached) return cached;
    // Just written by netmaster and not yet delivered by the watch.
    const key = networkStateKey(b.tenantName, b.networkName);
    const entry = await o.store.get(key);
    if (!entry) throw new AgentError('AGENT_NOT_FOUND', `network ${b.networkName} does not exist in tenant ${b.tenantName}`);
    return networkStateCodec.decode(entry.value, key);
  }

  const network: NetworkDriverImpl = {
    GetCapabilities: handler(log, 'GetCapabilities', async () => {
      const { kind, detected } = await o.engineKind.resolve(o.capabilitiesWaitMs ?? 3_000);
      if (!detected) log.warn('Docker engine kind not detected yet; answering the remembered scope', { scope: kind.driverScope });
      return { scope: kind.driverScope, connectivityScope: kind.driverScope };
    }),
    CreateNetwork: handler(log, 'CreateNetwork', (req: msg.CreateNetworkRequest__Output) => {
      o.networks.onCreateNetwork(req);
      return Promise.resolve({});
    }),
    DeleteNetwork: handler(log, 'DeleteNetwork', async (req: msg.NetworkRef__Output) => {
      await o.networks.onDeleteNetwork(req.networkId);
      return {};
    }),
    // Only a swarm manager calls these (PROTOCOLS.md §1.4); the reply is what every worker's CreateNetwork gets.
    AllocateNetwork: handler(log, 'AllocateNetwork', async (req: msg.AllocateNetworkRequest__Output) => ({ options: await o.networks.onAllocateNetwork(req) })),
    FreeNetwork: handler(log, 'FreeNetwork', async (req: msg.NetworkRef__Output) => {
      await o.networks.onFreeNetwork(req.networkId);
      return {};
    }),
    CreateEndpoint: handler(log, 'CreateEndpoint', async (req: msg.CreateEndpointRequest__Output, ctx) => {
      const b = await o.networks.resolve(req.networkId, resolveWait);
      const state = await networkState(b);
      const address = req.interface?.address ?? '';
      // An address the swarm manager allocated: the port says so, for the release after an agent restart.
      const swarmLease = o.ipam.swarm.inUse({ tenantName: b.tenantName, networkName: b.networkName, ip: address.split('/')[0] ?? '' });
      const res = await o.endpoints.create({
        endpointId: req.endpointId,
        target: { ...b, encap: state.encap, pktTag: state.pktTag, gateway: state.gateway, dockerNetworkId: req.networkId },
        address,
        macAddress: req.interface?.macAddress ?? '',
        ...(swarmLease ? { addressLease: 'swarm' as const } : {}),
        ...(ctx.requestId ? { requestId: ctx.requestId } : {}),
      });
      return { interface: { address: '', addressIpv6: '', macAddress: res.macAddress } };
    }),
    DeleteEndpoint: handler(log, 'DeleteEndpoint', async (req: msg.EndpointRef__Output, ctx) => {
      const leased = swarmLeaseOf(o.vswitch()?.getPort(vethNames(req.endpointId).host));
      if (leased) o.ipam.swarm.ensureUse(leased);
      await o.endpoints.delete(req.endpointId, ctx.requestId);
      return {};
    }),
    EndpointOperInfo: handler(log, 'EndpointOperInfo', (req: msg.EndpointRef__Output) => {
      const port = o.vswitch()?.getPort(vethNames(req.endpointId).host);
      if (!port) return Promise.resolve({ value: {} });
      return Promise.resolve({
        value: {
          'contiv.tenant': port.externalIds['contiv-tenant'] ?? '',
          'contiv.network': port.externalIds['contiv-network'] ?? '',
          'contiv.group': port.externalIds['contiv-group'] ?? '',
          'contiv.ovs-port': port.name,
          'contiv.vlan': String(port.tag ?? ''),
        },
      });
    }),
    Join: handler(log, 'Join', async (req: msg.JoinRequest__Output) => {
      const names = vethNames(req.endpointId);
      const b = await o.networks.resolve(req.networkId, resolveWait);
      const state = await networkState(b);
      // Fire and forget: the container is attached only after Docker has this answer.
      o.containerNames?.afterJoin(req.endpointId, req.networkId).catch((err: unknown) => log.debug('Recording the container failed', { endpointId: req.endpointId.slice(0, 12), err: errorMessage(err) }));
      // No gateway: Docker adds its docker_gwbridge leg for egress (Contiv's behaviour).
      // In a swarm, always so, as with Docker's overlay: published ports (mode=host)
      // are mapped on that leg, and swarm's own DNS serves the names.
      const { kind } = await o.engineKind.resolve(0);
      const gateway = kind.flavor === 'swarm' ? '' : state.gateway;
      return { srcName: names.peer, dstPrefix: 'eth', gateway, gatewayIpv6: '', staticRoutes: [], disableGatewayService: false };
    }),
    Leave: handler(log, 'Leave', () => Promise.resolve({})),
    DiscoverNew: handler(log, 'DiscoverNew', (req: msg.DiscoveryNotification__Output) => {
      log.debug('Docker node discovery', { address: req.address, self: req.self });
      return Promise.resolve({});
    }),
    DiscoverDelete: handler(log, 'DiscoverDelete', () => Promise.resolve({})),
    ProgramExternalConnectivity: handler(log, 'ProgramExternalConnectivity', () => Promise.resolve({})),
    RevokeExternalConnectivity: handler(log, 'RevokeExternalConnectivity', () => Promise.resolve({})),
  };

  const ipam: IpamDriverImpl = {
    GetCapabilities: handler(log, 'Ipam.GetCapabilities', () => Promise.resolve(o.ipam.getCapabilities())),
    GetDefaultAddressSpaces: handler(log, 'GetDefaultAddressSpaces', () => Promise.resolve(o.ipam.getDefaultAddressSpaces())),
    RequestPool: handler(log, 'RequestPool', (req: msg.RequestPoolRequest__Output) => o.ipam.requestPool(req)),
    ReleasePool: handler(log, 'ReleasePool', () => Promise.resolve({})),
    RequestAddress: handler(log, 'RequestAddress', (req: msg.RequestAddressRequest__Output, ctx) => o.ipam.requestAddress(req, ctx.requestId)),
    ReleaseAddress: handler(log, 'ReleaseAddress', async (req: msg.ReleaseAddressRequest__Output, ctx) => {
      await o.ipam.releaseAddress(req, ctx.requestId);
      return {};
    }),
  };
  return { network, ipam };
}
