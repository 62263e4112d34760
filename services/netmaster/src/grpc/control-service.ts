/**
 * The Control service agents call (proto/contiv/rpc/v1/control.proto). Each
 * method checks the gate, delegates to a core service and maps failures once.
 */
import type { ControlService, CallContext } from '@contiv/rpc';
import type { msg } from '@contiv/rpc';
import type { Logger } from '@contiv/runtime';
import type { Services } from '../core/services';
import { NetmasterError } from '../errors';
import type { Gate } from '../gate';
import { toRpcError } from './error-map';

function required(value: string, what: string): string {
  if (!value) throw new NetmasterError('INVALID_ARGUMENT', `${what} is required`);
  return value;
}

function toRecord(e: msg.EndpointRecord__Output | msg.EndpointRecord): msg.EndpointRecord {
  return {
    endpointId: e.endpointId ?? '',
    tenantName: e.tenantName ?? '',
    networkName: e.networkName ?? '',
    groupName: e.groupName ?? '',
    ipAddress: e.ipAddress ?? '',
    ipv6Address: e.ipv6Address ?? '',
    macAddress: e.macAddress ?? '',
    homingHost: e.homingHost ?? '',
    intfName: e.intfName ?? '',
    vtepIp: e.vtepIp ?? '',
    containerId: e.containerId ?? '',
    containerName: e.containerName ?? '',
    labels: { ...(e.labels ?? {}) },
  };
}


export function createControlService(s: Services, gate: Gate, log: Logger): ControlService {
  /** Runs one call: gate, logging with the caller's request id, error mapping. */
  const call = async <T>(method: string, ctx: CallContext, meta: Record<string, unknown>, fn: (requestId: string) => Promise<T>): Promise<T> => {
    const requestId = ctx.requestId ?? '';
    const started = performance.now();
    try {
      gate.assertWritable();
      const out = await fn(requestId);
      log.debug('Served control call', { method, requestId, peer: ctx.peer, ...meta, ms: Math.round((performance.now() - started) * 10) / 10 });
      return out;
    } catch (err) {
      const rpcErr = toRpcError(err);
      if (rpcErr.code === 'INTERNAL') log.error('Control call failed', { method, requestId, peer: ctx.peer, ...meta, err });
      else log.info('Refused control call', { method, requestId, peer: ctx.peer, ...meta, code: rpcErr.code, message: rpcErr.message });
      throw rpcErr;
    }
  };
  const tenantOf = (t: string): string => t || 'default';

  return {
    AllocateAddress: (req, ctx) =>
      call('AllocateAddress', ctx, { network: `${req.tenantName}:${req.networkName}`, requestId: req.requestId }, async () =>
        s.core.locks.networkRead(tenantOf(req.tenantName), required(req.networkName, 'network_name'), () =>
          s.core.ips.allocate({
            tenantName: tenantOf(req.tenantName),
            networkName: req.networkName,
            groupName: req.groupName,
            preferredAddress: req.preferredAddress,
            host: req.host,
            requestId: req.requestId,
          }),
        ),
      ),

    ReleaseAddress: (req, ctx) =>
      call('ReleaseAddress', ctx, { network: `${req.tenantName}:${req.networkName}`, address: req.address }, async (rid) => {
        const guard = req.host ? { host: req.host, owner: req.owner ?? '' } : undefined;
        await s.endpoints.releaseAddress(tenantOf(req.tenantName), required(req.networkName, 'network_name'), required(req.address, 'address'), rid, guard);
        return {};
      }),

    CreateEndpoint: (req, ctx) =>
      call('CreateEndpoint', ctx, { endpointId: req.endpoint?.endpointId }, async (rid) => {
        if (!req.endpoint) throw new NetmasterError('INVALID_ARGUMENT', 'endpoint is required');
        const e = toRecord(req.endpoint);
        const state = await s.endpoints.create(
          {
            endpointId: required(e.endpointId ?? '', 'endpoint_id'),
            tenantName: tenantOf(e.tenantName ?? ''),
            networkName: required(e.networkName ?? '', 'network_name'),
            groupName: e.groupName ?? '',
            ipAddress: e.ipAddress ?? '',
            ipv6Address: e.ipv6Address ?? '',
            macAddress: e.macAddress ?? '',
            homingHost: e.homingHost ?? '',
            intfName: e.intfName ?? '',
            vtepIp: e.vtepIp ?? '',
            containerId: e.containerId ?? '',
            containerName: e.containerName ?? '',
            ...(e.labels && Object.keys(e.labels).length > 0 ? { labels: e.labels } : {}),
          },
          rid,
        );
        return toRecord(state);
      }),

    DeleteEndpoint: (req, ctx) =>
      call('DeleteEndpoint', ctx, { endpointId: req.endpointId }, async (rid) => {
        await s.endpoints.delete(required(req.endpointId, 'endpoint_id'), req.releaseAddress, rid);
        return {};
      }),

    RegisterDockerNetwork: (req, ctx) =>
      call('RegisterDockerNetwork', ctx, { dockerNetworkId: req.dockerNetworkId, dockerName: req.dockerName }, (rid) =>
        s.dockerNetworks.register(
          {
            dockerNetworkId: required(req.dockerNetworkId, 'docker_network_id'),
            dockerName: required(req.dockerName, 'docker_name'),
            dockerScope: required(req.dockerScope, 'docker_scope'),
            tenantName: req.tenantName,
            subnet: req.subnet,
            gateway: req.gateway,
            ipRange: req.ipRange,
            ipv6Subnet: req.ipv6Subnet,
            ipv6Gateway: req.ipv6Gateway,
            encap: req.encap,
            options: req.options ?? {},
          },
          rid,
        ),
      ),

    UnregisterDockerNetwork: (req, ctx) =>
      call('UnregisterDockerNetwork', ctx, { dockerNetworkId: req.dockerNetworkId }, async (rid) => {
        await s.dockerNetworks.unregister(required(req.dockerScope, 'docker_scope'), required(req.dockerNetworkId, 'docker_network_id'), rid);
        return {};
      }),
  };
}
