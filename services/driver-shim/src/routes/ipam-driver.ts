/** `/IpamDriver.*` (PROTOCOLS.md §2): Docker JSON -> agent gRPC -> Docker JSON. */
import type { msg } from '@contiv/rpc';
import {
  asObject,
  optionalBool,
  optionalObject,
  optionalString,
  requiredString,
  stringEntries,
  type DockerRequestAddressResponse,
  type DockerRequestPoolResponse,
  type Json,
} from '../docker-types';
import type { Route } from './route';

export function requestPoolRequest(body: Json | undefined): msg.RequestPoolRequest {
  const m = '/IpamDriver.RequestPool';
  const o = asObject(body, m);
  return {
    addressSpace: optionalString(o, 'AddressSpace', m),
    pool: optionalString(o, 'Pool', m),
    subPool: optionalString(o, 'SubPool', m),
    options: stringEntries(optionalObject(o, 'Options', m)),
    v6: optionalBool(o, 'V6', m),
  };
}

export function requestAddressRequest(body: Json | undefined): msg.RequestAddressRequest {
  const m = '/IpamDriver.RequestAddress';
  const o = asObject(body, m);
  return {
    poolId: requiredString(o, 'PoolID', m),
    address: optionalString(o, 'Address', m),
    // Classic libnetwork sends `null` here; newer engines add the endpoint name and MAC.
    options: stringEntries(optionalObject(o, 'Options', m)),
  };
}

export function releaseAddressRequest(body: Json | undefined): msg.ReleaseAddressRequest {
  const m = '/IpamDriver.ReleaseAddress';
  const o = asObject(body, m);
  return { poolId: requiredString(o, 'PoolID', m), address: requiredString(o, 'Address', m) };
}

export function ipamDriverRoutes(): Array<[string, Route]> {
  const route = (name: string, handle: Route['handle']): [string, Route] => [`/IpamDriver.${name}`, { subsystem: 'IpamDriver', handle }];
  return [
    route('GetCapabilities', async (_b, ctx) => {
      const res = await ctx.agent.call('ipam', (c, o) => c.GetCapabilities({}, o), ctx.requestId);
      return { RequiresMACAddress: res.requiresMacAddress, RequiresRequestReplay: res.requiresRequestReplay };
    }),
    route('GetDefaultAddressSpaces', async (_b, ctx) => {
      const res = await ctx.agent.call('ipam', (c, o) => c.GetDefaultAddressSpaces({}, o), ctx.requestId);
      return { LocalDefaultAddressSpace: res.localDefaultAddressSpace, GlobalDefaultAddressSpace: res.globalDefaultAddressSpace };
    }),
    route('RequestPool', async (b, ctx): Promise<DockerRequestPoolResponse> => {
      const req = requestPoolRequest(b);
      const res = await ctx.agent.call('ipam', (c, o) => c.RequestPool(req, o), ctx.requestId);
      return { PoolID: res.poolId, Pool: res.pool, Data: res.data };
    }),
    route('ReleasePool', async (b, ctx) => {
      const m = '/IpamDriver.ReleasePool';
      const req = { poolId: requiredString(asObject(b, m), 'PoolID', m) };
      await ctx.agent.call('ipam', (c, o) => c.ReleasePool(req, o), ctx.requestId);
      return {};
    }),
    route('RequestAddress', async (b, ctx): Promise<DockerRequestAddressResponse> => {
      const req = requestAddressRequest(b);
      const res = await ctx.agent.call('ipam', (c, o) => c.RequestAddress(req, o), ctx.requestId);
      return { Address: res.address, Data: res.data };
    }),
    route('ReleaseAddress', async (b, ctx) => {
      const req = releaseAddressRequest(b);
      await ctx.agent.call('ipam', (c, o) => c.ReleaseAddress(req, o), ctx.requestId);
      return {};
    }),
  ];
}
