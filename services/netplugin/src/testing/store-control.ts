/**
 * A netmaster double for unit tests that keeps allocations and endpoint
 * records in a store the way netmaster does (docs/allocation.md): one key per
 * address, owner `pending:<host>:<requestId>` until an endpoint takes it over,
 * lowest free address first. One network, given by its state.
 */
import {
  dockerNetworkKey,
  dockerNetworkMappingCodec,
  endpointKey,
  endpointStateCodec,
  formatIPv4,
  ipAllocationCodec,
  ipAllocKey,
  parseIPv4,
  parseSubnet,
  type DockerNetworkMapping,
  type NetworkState,
} from '@contiv/model';
import { RpcError, type msg } from '@contiv/rpc';
import type { MemoryStore } from '@contiv/store';
import type { ControlApi } from '../control/control-api';

export class StoreControl implements ControlApi {
  readonly calls: Array<{ method: string; req: unknown }> = [];
  /** What RegisterDockerNetwork maps a Docker network to (netmaster resolves tags and names; tests say it). */
  mapTo: Omit<DockerNetworkMapping, 'dockerNetworkId' | 'dockerName'> | undefined;

  constructor(
    private readonly store: MemoryStore,
    private readonly net: NetworkState,
  ) {}

  count(method: string): number {
    return this.calls.filter((c) => c.method === method).length;
  }

  async owner(ip: string): Promise<string | undefined> {
    const e = await this.store.get(ipAllocKey(this.net.tenantName, this.net.networkName, ip));
    return e ? ipAllocationCodec.decode(e.value).owner : undefined;
  }

  async AllocateAddress(req: msg.AllocateAddressRequest): Promise<msg.AllocateAddressResponse__Output> {
    this.calls.push({ method: 'AllocateAddress', req });
    const owner = `pending:${req.host ?? ''}:${req.requestId ?? ''}`;
    const s = parseSubnet(this.net.subnet);
    if (!s.ok) throw new Error('bad subnet');
    const answer = (ip: string): msg.AllocateAddressResponse__Output => ({ address: ip, prefixLength: s.value.prefixLength, gateway: this.net.gateway });
    if (req.preferredAddress) {
      const held = await this.owner(req.preferredAddress);
      if (held === owner) return answer(req.preferredAddress);
      if (held) throw new RpcError('ALREADY_EXISTS', `address ${req.preferredAddress} is already in use in network ${this.net.networkName}`);
      await this.take(req.preferredAddress, owner, req.host ?? '');
      return answer(req.preferredAddress);
    }
    const gw = parseIPv4(this.net.gateway);
    for (let a = s.value.network + 1; a < s.value.broadcast; a++) {
      if (a === gw) continue;
      const held = await this.owner(formatIPv4(a));
      if (held === owner) return answer(formatIPv4(a));
      if (held) continue;
      await this.take(formatIPv4(a), owner, req.host ?? '');
      return answer(formatIPv4(a));
    }
    throw new RpcError('POOL_EXHAUSTED', 'no free address');
  }

  async ReleaseAddress(req: msg.ReleaseNetworkAddressRequest): Promise<void> {
    this.calls.push({ method: 'ReleaseAddress', req });
    const key = ipAllocKey(this.net.tenantName, this.net.networkName, req.address ?? '');
    if (req.host) {
      // Netmaster's guard: the named owner, or an endpoint of the caller's host whose record is gone.
      const e = await this.store.get(key);
      if (!e) return;
      const held = ipAllocationCodec.decode(e.value);
      const byOwner = !!req.owner && held.owner === req.owner;
      const byHost = !held.owner.startsWith('pending:') && held.host === req.host && !(await this.store.get(endpointKey(held.owner)));
      if (!byOwner && !byHost) return;
    }
    await this.store.delete(key);
  }

  async CreateEndpoint(req: msg.RecordEndpointRequest): Promise<msg.EndpointRecord__Output> {
    this.calls.push({ method: 'CreateEndpoint', req });
    const ep = req.endpoint as msg.EndpointRecord__Output;
    const held = await this.owner(ep.ipAddress);
    if (held && held !== ep.endpointId && !held.startsWith('pending:') && (await this.store.get(endpointKey(held)))) {
      throw new RpcError('ALREADY_EXISTS', `address ${ep.ipAddress} is in use by endpoint ${held}`);
    }
    await this.store.put(
      endpointKey(ep.endpointId),
      endpointStateCodec.encode({
        endpointId: ep.endpointId, tenantName: ep.tenantName, networkName: ep.networkName, groupName: ep.groupName ?? '', ipAddress: ep.ipAddress, ipv6Address: '',
        macAddress: ep.macAddress ?? '', homingHost: ep.homingHost, intfName: ep.intfName ?? '', vtepIp: ep.vtepIp ?? '', containerId: '', containerName: '', createdAt: new Date().toISOString(),
      }),
    );
    await this.take(ep.ipAddress, ep.endpointId, ep.homingHost);
    return ep;
  }

  async DeleteEndpoint(req: msg.DeleteEndpointRequest): Promise<void> {
    this.calls.push({ method: 'DeleteEndpoint', req });
    const e = await this.store.get(endpointKey(req.endpointId ?? ''));
    if (!e) return;
    const ep = endpointStateCodec.decode(e.value);
    await this.store.delete(endpointKey(ep.endpointId));
    const held = await this.owner(ep.ipAddress);
    if (req.releaseAddress && held !== undefined && held === ep.endpointId) {
      await this.store.delete(ipAllocKey(this.net.tenantName, this.net.networkName, ep.ipAddress));
    }
  }

  async RegisterDockerNetwork(req: msg.RegisterDockerNetworkRequest): Promise<msg.RegisterDockerNetworkResponse__Output> {
    this.calls.push({ method: 'RegisterDockerNetwork', req });
    const m: DockerNetworkMapping = this.mapTo
      ? { ...this.mapTo, dockerNetworkId: req.dockerNetworkId ?? '', dockerName: req.dockerName ?? '' }
      : { dockerNetworkId: req.dockerNetworkId ?? '', tenantName: 'default', networkName: req.dockerName ?? '', groupName: '', dockerName: req.dockerName ?? '', origin: 'docker' };
    await this.store.put(dockerNetworkKey(req.dockerScope ?? '', m.dockerNetworkId), dockerNetworkMappingCodec.encode(m));
    return { tenantName: m.tenantName, networkName: m.networkName };
  }

  async UnregisterDockerNetwork(req: msg.UnregisterDockerNetworkRequest): Promise<void> {
    this.calls.push({ method: 'UnregisterDockerNetwork', req });
    await this.store.delete(dockerNetworkKey(req.dockerScope ?? '', req.dockerNetworkId ?? ''));
  }

  private async take(ip: string, owner: string, host: string): Promise<void> {
    await this.store.put(ipAllocKey(this.net.tenantName, this.net.networkName, ip), ipAllocationCodec.encode({ owner, host, allocatedAt: new Date().toISOString() }));
  }
}
