/**
 * `/NetworkDriver.*` (PROTOCOLS.md §1.3–1.6): Docker JSON -> agent gRPC -> Docker JSON.
 * Replies use Go field names; the engine ignores unknown fields.
 */
import type { msg } from '@contiv/rpc';
import {
  asObject,
  ipamDataList,
  optionalBool,
  optionalInt,
  optionalObject,
  optionalString,
  requiredString,
  stringEntries,
  type DockerCapabilitiesResponse,
  type DockerCreateEndpointResponse,
  type DockerEndpointInterface,
  type DockerIpamData,
  type DockerJoinResponse,
  type Json,
  type JsonObject,
} from '../docker-types';
import { isShimError } from '../errors';
import type { Route, RouteContext } from './route';

export interface NetworkDriverRouteOptions {
  /**
   * How long GetCapabilities waits for a starting agent. The engine calls it once,
   * at activation, and a failure leaves the driver unregistered until dockerd
   * restarts; so after this wait the shim answers the fallback scope instead.
   */
  readonly capabilitiesWaitMs: number;
  /** Scope reported when the agent never answered GetCapabilities. */
  readonly fallbackScope: 'local' | 'global';
}

const GENERIC = 'com.docker.network.generic';

function ipamData(list: DockerIpamData[]): msg.IpamData[] {
  return list.map((d) => ({
    addressSpace: d.AddressSpace ?? '',
    pool: d.Pool ?? '',
    gateway: d.Gateway ?? '',
    auxAddresses: d.AuxAddresses ?? {},
  }));
}

/** The user's `-o k=v` map; scalar values are kept as strings, anything else dropped. */
function genericOptions(options: JsonObject, method: string): Record<string, string> {
  const generic = optionalObject(options, GENERIC, method);
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(generic)) {
    if (typeof v === 'string') out[k] = v;
    else if (typeof v === 'number' || typeof v === 'boolean') out[k] = String(v);
  }
  return out;
}

export function createNetworkRequest(body: Json | undefined): msg.CreateNetworkRequest {
  const m = '/NetworkDriver.CreateNetwork';
  const o = asObject(body, m);
  const options = optionalObject(o, 'Options', m);
  return {
    networkId: requiredString(o, 'NetworkID', m),
    genericOptions: genericOptions(options, m),
    enableIpv6: optionalBool(options, 'com.docker.network.enable_ipv6', m),
    internal: optionalBool(options, 'com.docker.network.internal', m),
    ipv4Data: ipamData(ipamDataList(o, 'IPv4Data', m)),
    ipv6Data: ipamData(ipamDataList(o, 'IPv6Data', m)),
  };
}

export function allocateNetworkRequest(body: Json | undefined): msg.AllocateNetworkRequest {
  const m = '/NetworkDriver.AllocateNetwork';
  const o = asObject(body, m);
  return {
    networkId: requiredString(o, 'NetworkID', m),
    options: stringEntries(optionalObject(o, 'Options', m)),
    ipv4Data: ipamData(ipamDataList(o, 'IPv4Data', m)),
    ipv6Data: ipamData(ipamDataList(o, 'IPv6Data', m)),
  };
}

function networkRef(body: Json | undefined, m: string): msg.NetworkRef {
  return { networkId: requiredString(asObject(body, m), 'NetworkID', m) };
}

function endpointRef(body: Json | undefined, m: string): msg.EndpointRef {
  const o = asObject(body, m);
  return { networkId: requiredString(o, 'NetworkID', m), endpointId: requiredString(o, 'EndpointID', m) };
}

export function createEndpointRequest(body: Json | undefined): msg.CreateEndpointRequest {
  const m = '/NetworkDriver.CreateEndpoint';
  const o = asObject(body, m);
  const intf = optionalObject(o, 'Interface', m);
  return {
    networkId: requiredString(o, 'NetworkID', m),
    endpointId: requiredString(o, 'EndpointID', m),
    interface: {
      address: optionalString(intf, 'Address', m),
      addressIpv6: optionalString(intf, 'AddressIPv6', m),
      macAddress: optionalString(intf, 'MacAddress', m),
    },
    options: stringEntries(optionalObject(o, 'Options', m)),
  };
}

/** Only fields the agent filled in: Docker rejects a reply that changes what it sent. */
export function createEndpointResponse(res: msg.CreateEndpointResponse__Output): DockerCreateEndpointResponse {
  const i = res.interface;
  const out: DockerEndpointInterface = {};
  if (i?.address) out.Address = i.address;
  if (i?.addressIpv6) out.AddressIPv6 = i.addressIpv6;
  if (i?.macAddress) out.MacAddress = i.macAddress;
  return Object.keys(out).length > 0 ? { Interface: out } : {};
}

export function joinRequest(body: Json | undefined): msg.JoinRequest {
  const m = '/NetworkDriver.Join';
  const o = asObject(body, m);
  return {
    networkId: requiredString(o, 'NetworkID', m),
    endpointId: requiredString(o, 'EndpointID', m),
    sandboxKey: optionalString(o, 'SandboxKey', m),
    options: stringEntries(optionalObject(o, 'Options', m)),
  };
}

export function joinResponse(res: msg.JoinResponse__Output): DockerJoinResponse {
  return {
    InterfaceName: { SrcName: res.srcName, DstPrefix: res.dstPrefix },
    Gateway: res.gateway,
    GatewayIPv6: res.gatewayIpv6,
    StaticRoutes: res.staticRoutes.map((r) => ({ Destination: r.destination, RouteType: r.routeType, NextHop: r.nextHop })),
    DisableGatewayService: res.disableGatewayService,
  };
}

export function discoveryRequest(body: Json | undefined, m: string): msg.DiscoveryNotification {
  const o = asObject(body, m);
  const data = optionalObject(o, 'DiscoveryData', m);
  // Only node discovery (type 1) reaches remote drivers; its struct has no JSON tags.
  return {
    discoveryType: optionalInt(o, 'DiscoveryType', m),
    address: typeof data.Address === 'string' ? data.Address : '',
    bindAddress: typeof data.BindAddress === 'string' ? data.BindAddress : '',
    self: data.Self === true,
  };
}

export function externalConnectivityRequest(body: Json | undefined): msg.ExternalConnectivityRequest {
  const m = '/NetworkDriver.ProgramExternalConnectivity';
  const o = asObject(body, m);
  return {
    networkId: requiredString(o, 'NetworkID', m),
    endpointId: requiredString(o, 'EndpointID', m),
    options: stringEntries(optionalObject(o, 'Options', m)),
  };
}

async function getCapabilities(ctx: RouteContext, opts: NetworkDriverRouteOptions): Promise<DockerCapabilitiesResponse> {
  const deadline = Date.now() + opts.capabilitiesWaitMs;
  for (;;) {
    try {
      const res = await ctx.agent.call('network', (c, o) => c.GetCapabilities({}, o), ctx.requestId);
      return { Scope: res.scope, ConnectivityScope: res.connectivityScope || res.scope };
    } catch (err) {
      if (!isShimError(err, 'SHIM_AGENT_UNREACHABLE') || Date.now() >= deadline) {
        ctx.logger.error('Answering GetCapabilities without the agent', { err, scope: opts.fallbackScope });
        return { Scope: opts.fallbackScope, ConnectivityScope: opts.fallbackScope };
      }
      await new Promise((r) => setTimeout(r, 250));
    }
  }
}

export function networkDriverRoutes(opts: NetworkDriverRouteOptions): Array<[string, Route]> {
  const route = (name: string, handle: Route['handle']): [string, Route] => [`/NetworkDriver.${name}`, { subsystem: 'NetworkDriver', handle }];
  const empty = {};
  return [
    route('GetCapabilities', (_b, ctx) => getCapabilities(ctx, opts)),
    route('CreateNetwork', async (b, ctx) => {
      const req = createNetworkRequest(b);
      await ctx.agent.call('network', (c, o) => c.CreateNetwork(req, o), ctx.requestId);
      return empty;
    }),
    route('DeleteNetwork', async (b, ctx) => {
      const req = networkRef(b, '/NetworkDriver.DeleteNetwork');
      await ctx.agent.call('network', (c, o) => c.DeleteNetwork(req, o), ctx.requestId);
      return empty;
    }),
    route('AllocateNetwork', async (b, ctx) => {
      const req = allocateNetworkRequest(b);
      const res = await ctx.agent.call('network', (c, o) => c.AllocateNetwork(req, o), ctx.requestId);
      return { Options: res.options };
    }),
    route('FreeNetwork', async (b, ctx) => {
      const req = networkRef(b, '/NetworkDriver.FreeNetwork');
      await ctx.agent.call('network', (c, o) => c.FreeNetwork(req, o), ctx.requestId);
      return empty;
    }),
    route('CreateEndpoint', async (b, ctx) => {
      const req = createEndpointRequest(b);
      const res = await ctx.agent.call('network', (c, o) => c.CreateEndpoint(req, o), ctx.requestId);
      return createEndpointResponse(res);
    }),
    route('DeleteEndpoint', async (b, ctx) => {
      const req = endpointRef(b, '/NetworkDriver.DeleteEndpoint');
      await ctx.agent.call('network', (c, o) => c.DeleteEndpoint(req, o), ctx.requestId);
      return empty;
    }),
    route('EndpointOperInfo', async (b, ctx) => {
      const req = endpointRef(b, '/NetworkDriver.EndpointOperInfo');
      const res = await ctx.agent.call('network', (c, o) => c.EndpointOperInfo(req, o), ctx.requestId);
      return { Value: res.value };
    }),
    route('Join', async (b, ctx) => {
      const req = joinRequest(b);
      const res = await ctx.agent.call('network', (c, o) => c.Join(req, o), ctx.requestId);
      return joinResponse(res);
    }),
    route('Leave', async (b, ctx) => {
      const req = endpointRef(b, '/NetworkDriver.Leave');
      await ctx.agent.call('network', (c, o) => c.Leave(req, o), ctx.requestId);
      return empty;
    }),
    route('DiscoverNew', async (b, ctx) => {
      const req = discoveryRequest(b, '/NetworkDriver.DiscoverNew');
      await ctx.agent.call('network', (c, o) => c.DiscoverNew(req, o), ctx.requestId);
      return empty;
    }),
    route('DiscoverDelete', async (b, ctx) => {
      const req = discoveryRequest(b, '/NetworkDriver.DiscoverDelete');
      await ctx.agent.call('network', (c, o) => c.DiscoverDelete(req, o), ctx.requestId);
      return empty;
    }),
    route('ProgramExternalConnectivity', async (b, ctx) => {
      const req = externalConnectivityRequest(b);
      await ctx.agent.call('network', (c, o) => c.ProgramExternalConnectivity(req, o), ctx.requestId);
      return empty;
    }),
    route('RevokeExternalConnectivity', async (b, ctx) => {
      const req = endpointRef(b, '/NetworkDriver.RevokeExternalConnectivity');
      await ctx.agent.call('network', (c, o) => c.RevokeExternalConnectivity(req, o), ctx.requestId);
      return empty;
    }),
  ];
}
