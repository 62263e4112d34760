/**
 * The IPAM side of the plugin (PROTOCOLS.md §2). Pools are Contiv networks
 * (or groups); addresses come from netmaster (Control.AllocateAddress), except
 * the gateway, which Docker asks for at network creation and which the agent
 * answers itself: the network's own gateway is reserved by netmaster already.
 * On an engine in swarm, addresses are the swarm manager's (swarm-addresses.ts).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { cidrsOverlap, formatIPv4, isIPv4, parseCidr, parseIPv4, parseSubnet, type Cidr } from '@contiv/model';
import type { msg } from '@contiv/rpc';
import type { Logger } from '@contiv/runtime';
import type { ControlApi } from '../control/control-api';
import { addressKey, type TeardownQueue } from '../endpoint/teardown-queue';
import { AgentError } from '../errors';
import { DEFAULT_TENANT, OPT_CONTIV_TAG, OPT_GROUP, OPT_NETWORK, OPT_TENANT, type Binding } from '../network/binding';
import { GLOBAL_ADDRESS_SPACE, LOCAL_ADDRESS_SPACE, type DockerNetworks } from '../network/docker-networks';
import type { StateCache } from '../network/state-cache';
import { formatPoolId, parsePoolId, type PoolRef } from './pool-id';
import { isSwarmRequestId, SWARM_ALLOCATOR_OPTION, SwarmAddresses, swarmRequestId } from './swarm-addresses';

export const GATEWAY_REQUEST_TYPE = 'com.docker.network.gateway';

export interface IpamServiceOptions {
  readonly cache: StateCache;
  readonly networks: Pick<DockerNetworks, 'resolvePool' | 'lookupPool' | 'pendingPools' | 'isSwarm' | 'swarmNetworkWithPool'>;
  readonly control: ControlApi;
  /** Docker's ReleaseAddress is answered at once; netmaster frees the address from here. */
  readonly teardown: Pick<TeardownQueue, 'releaseAddress' | 'awaitsRelease'>;
  readonly hostName: string;
  readonly log: Logger;
  /** How long RequestAddress on a Docker-first pool waits for its registration. */
  readonly registrationWaitMs?: number;
  /** How long RequestPool waits for a first listing of networks (for the overlap check). */
  readonly stateWaitMs?: number;
  /** How often a deferred swarm release looks at the endpoint still holding its address. */
  readonly swarmPollMs?: number;
  /**
   * How long an address this process allocated may stay pending (no endpoint
   * took it over) before the reconcile frees it: Docker follows RequestAddress
   * with CreateEndpoint at once, so a pending address this old was orphaned by
   * a crash or a lost answer. Default 10 minutes.
   */
  readonly pendingTimeoutMs?: number;
  readonly now?: () => number;
}

export const DEFAULT_PENDING_TIMEOUT_MS = 10 * 60_000;

function invalid(message: string): AgentError {
  return new AgentError('AGENT_INVALID_ARGUMENT', message);
}

function cidrOf(text: string, what: string): Cidr {
  const c = parseCidr(text);
  if (!c.ok) throw invalid(`invalid ${what} "${text}": ${c.reason}`);
  return c.value;
}

/** First usable address of a pool (Docker's own default gateway choice). */
function firstHost(c: Cidr): string {
  return formatIPv4(c.prefixLength >= 31 ? c.network : c.network + 1);
}

export class IpamService {
  /** Prefix of the request ids this process sends with AllocateAddress (tells runs apart in the store and logs). */
  readonly incarnation = randomBytes(6).toString('hex');
  /** Uses and releases of swarm's addresses on this node. */
  readonly swarm: SwarmAddresses;
  /** Request ids this process sent, with when (oldest first); entries older than the pending timeout are dropped. */
  private readonly issued = new Map<string, number>();
  /** The pending owner of each address allocated here, by addressKey (for the release guard). */
  private readonly pendingOwners = new Map<string, { readonly owner: string; readonly at: number }>();

  constructor(private readonly o: IpamServiceOptions) {
    this.swarm = new SwarmAddresses({ cache: o.cache, teardown: o.teardown, log: o.log, ...(o.swarmPollMs ? { pollMs: o.swarmPollMs } : {}) });
  }

  /**
   * Whether a pending address of this host must be left alone by the
   * reconcile: asked for by this process less than the pending timeout ago
   * (Docker may be about to create its endpoint), or by swarm's allocator (a
   * task, VIP or load-balancer address that only the allocator's
   * ReleaseAddress ends). An earlier run's, or an old one of this run, is an
   * orphan.
   */
  issuedHere(requestId: string): boolean {
    if (isSwarmRequestId(requestId)) return true;
    this.prune();
    return this.issued.has(requestId);
  }

  private now(): number {
    return (this.o.now ?? Date.now)();
  }

  /** Forgets requests older than the pending timeout: their addresses are the reconcile's to free if still pending. */
  private prune(): void {
    const oldest = this.now() - (this.o.pendingTimeoutMs ?? DEFAULT_PENDING_TIMEOUT_MS);
    for (const [rid, at] of this.issued) {
      if (at >= oldest) break;
      this.issued.delete(rid);
    }
    for (const [key, p] of this.pendingOwners) {
      if (p.at >= oldest) break;
      this.pendingOwners.delete(key);
    }
  }

  stop(): void {
    this.swarm.stop();
  }

  getCapabilities(): msg.IpamCapabilities {
    return { requiresMacAddress: false, requiresRequestReplay: false };
  }

  getDefaultAddressSpaces(): msg.AddressSpaces {
    return { localDefaultAddressSpace: LOCAL_ADDRESS_SPACE, globalDefaultAddressSpace: GLOBAL_ADDRESS_SPACE };
  }

  async requestPool(req: msg.RequestPoolRequest__Output): Promise<msg.RequestPoolResponse> {
    if (req.v6) throw invalid('IPv6 pools are not supported by the netplugin IPAM driver yet');
    if (!req.pool && req.subPool) throw invalid(`--ip-range ${req.subPool} needs --subnet`);
    const opts = req.options;
    if (opts[OPT_TENANT] && opts[OPT_NETWORK]) return this.contivPool(opts[OPT_TENANT], opts[OPT_NETWORK], opts[OPT_GROUP] ?? '', req.pool);
    const tag = opts[OPT_CONTIV_TAG];
    if (tag) return this.taggedPool(tag, req.pool);
    return this.dockerPool(req.pool, req.subPool);
  }

  async requestAddress(req: msg.RequestAddressRequest__Output, requestId: string | undefined): Promise<msg.RequestAddressResponse> {
    const ref = parsePoolId(req.poolId);
    const pool = cidrOf(ref.pool, 'pool');
    if (req.address && !isIPv4(req.address)) throw invalid(`invalid address "${req.address}"`);
    if (req.options['RequestAddressType'] === GATEWAY_REQUEST_TYPE) return { address: `${this.gatewayFor(ref, pool, req.address)}/${pool.prefixLength}`, data: {} };
    const target = await this.bindingOf(ref);
    const swarm = await this.o.networks.isSwarm();
    const fromAllocator = swarm && req.options[SWARM_ALLOCATOR_OPTION] !== undefined;
    if (swarm) {
      const a = { tenantName: target.tenantName, networkName: target.networkName, ip: req.address };
      if (fromAllocator && req.address && (this.swarm.cancelRelease(a) || (await this.swarm.heldForSwarm(a)))) {
        // The allocator restoring what it holds (new leader, manager restart): the same address, nothing new.
        this.o.log.debug('Swarm allocator asked again for an address it holds', { network: `${a.tenantName}:${a.networkName}`, address: a.ip, requestId });
        return { address: `${a.ip}/${pool.prefixLength}`, data: {} };
      }
      if (!fromAllocator && req.address && (await this.swarm.claim(a))) {
        // The engine of the task's node, repeating the manager's allocation: the same address, nothing allocated.
        this.o.log.debug('Engine uses an address swarm allocated', { network: `${a.tenantName}:${a.networkName}`, address: a.ip, requestId });
        return { address: `${a.ip}/${pool.prefixLength}`, data: {} };
      }
    }
    const rid = fromAllocator ? swarmRequestId() : `${this.incarnation}.${randomUUID()}`;
    if (!fromAllocator) {
      this.prune();
      // Before the call: its address may be written at netmaster even if the answer is lost.
      this.issued.set(rid, this.now());
    }
    const res = await this.o.control.AllocateAddress(
      {
        tenantName: target.tenantName,
        networkName: target.networkName,
        groupName: target.groupName,
        preferredAddress: req.address,
        host: this.o.hostName,
        requestId: rid,
      },
      requestId,
    );
    if (!fromAllocator) {
      const key = addressKey({ tenantName: target.tenantName, networkName: target.networkName, ip: res.address });
      this.pendingOwners.delete(key); // re-inserted last: the map stays oldest first
      this.pendingOwners.set(key, { owner: `pending:${this.o.hostName}:${rid}`, at: this.now() });
    }
    this.o.log.debug('Allocated an address', { tenant: target.tenantName, network: target.networkName, group: target.groupName, address: res.address, swarm: fromAllocator, requestId });
    return { address: `${res.address}/${res.prefixLength || pool.prefixLength}`, data: {} };
  }

  async releaseAddress(req: msg.ReleaseAddressRequest__Output, requestId: string | undefined): Promise<void> {
    const ref = parsePoolId(req.poolId);
    let target: Binding | undefined;
    if (ref.kind === 'contiv') {
      target = { tenantName: ref.tenant, networkName: ref.network, groupName: ref.group, origin: 'contiv', pool: '' };
    } else {
      const found = this.o.networks.lookupPool(cidrOf(ref.pool, 'pool').cidr);
      target = found?.binding;
    }
    if (!target) {
      // Docker releases a deleted network's gateway after DeleteNetwork already removed it from Contiv.
      this.o.log.debug('Release for a network Contiv no longer has', { poolId: req.poolId, address: req.address });
      return;
    }
    const state = this.o.cache.network(target.tenantName, target.networkName);
    if (state && state.gateway === req.address) return; // the gateway was never allocated to Docker
    if (!isIPv4(req.address)) throw invalid(`invalid address "${req.address}"`);
    const address = { tenantName: target.tenantName, networkName: target.networkName, ip: req.address };
    if (await this.o.networks.isSwarm()) {
      const done = await this.swarm.release(address, requestId);
      this.o.log.debug('Swarm address released', { network: `${address.tenantName}:${address.networkName}`, address: address.ip, done, requestId });
      return;
    }
    // Docker waits for nothing of this: the address stays held until netmaster frees it, so no one else gets it early.
    const key = addressKey(address);
    const owner = this.pendingOwners.get(key)?.owner ?? '';
    this.pendingOwners.delete(key);
    this.o.teardown.releaseAddress(address, requestId, { host: this.o.hostName, owner });
  }

  // ------------------------------------------------------------ pools

  private contivPool(tenant: string, network: string, group: string, requested: string): msg.RequestPoolResponse {
    const state = this.o.cache.network(tenant, network);
    if (!state && this.o.cache.isSynced()) throw new AgentError('AGENT_NOT_FOUND', `network ${network} does not exist in tenant ${tenant}`);
    if (group && !this.o.cache.group(tenant, group) && this.o.cache.isSynced()) {
      throw new AgentError('AGENT_NOT_FOUND', `endpoint group ${group} does not exist in tenant ${tenant}`);
    }
    const poolText = requested || (state ? state.subnet : '');
    if (!poolText) throw new AgentError('AGENT_STORE_UNAVAILABLE', `the subnet of network ${network} is not known yet (cluster store not reachable)`);
    const pool = requested ? cidrOf(requested, 'pool') : this.subnetCidr(poolText);
    return { poolId: formatPoolId({ kind: 'contiv', tenant, network, group, pool: pool.cidr }), pool: pool.cidr, data: {} };
  }

  private taggedPool(tag: string, requested: string): msg.RequestPoolResponse {
    const g = this.o.cache.groupByTag(tag);
    const n = g ? this.o.cache.network(g.tenantName, g.networkName) : this.o.cache.networkByTag(tag);
    if (!n) throw new AgentError('AGENT_NOT_FOUND', `no Contiv network or endpoint group has the tag "${tag}"`);
    const subnet = this.subnetCidr(n.subnet);
    if (requested && cidrOf(requested, '--subnet').cidr !== subnet.cidr) {
      throw invalid(`--subnet ${requested} differs from the subnet ${subnet.cidr} of network ${n.networkName} (tag ${tag}); leave --subnet out`);
    }
    return {
      poolId: formatPoolId({ kind: 'contiv', tenant: n.tenantName, network: n.networkName, group: g?.groupName ?? '', pool: subnet.cidr }),
      pool: subnet.cidr,
      data: {},
    };
  }

  private async dockerPool(requested: string, subPool: string): Promise<msg.RequestPoolResponse> {
    if (!requested) {
      throw invalid('--subnet is required: Contiv has no default address pool (docker network create -d netplugin --ipam-driver netplugin --subnet a.b.c.d/len NAME)');
    }
    const pool = cidrOf(requested, '--subnet');
    if (pool.prefixLength > 30) throw invalid(`--subnet ${requested} leaves no room for containers (use a prefix of /30 or shorter)`);
    if (subPool) {
      const sub = cidrOf(subPool, '--ip-range');
      if (!(sub.network >= pool.network && sub.broadcast <= pool.broadcast)) throw invalid(`--ip-range ${subPool} is not inside --subnet ${pool.cidr}`);
    }
    if (!(await this.o.cache.waitSynced(this.o.stateWaitMs ?? 5_000))) {
      throw new AgentError('AGENT_STORE_UNAVAILABLE', `cannot check --subnet ${pool.cidr} against the Contiv networks: the cluster store is not reachable`);
    }
    const sub = subPool ? cidrOf(subPool, '--ip-range').cidr : '';
    // A swarm worker (or a restarted manager) asking for the pool of a swarm network that exists: the same pool.
    if ((await this.o.networks.isSwarm()) && this.o.networks.swarmNetworkWithPool(pool.cidr)) {
      return { poolId: formatPoolId({ kind: 'docker', pool: pool.cidr, subPool: sub }), pool: pool.cidr, data: {} };
    }
    for (const n of this.o.cache.allNetworks()) {
      if (n.tenantName !== DEFAULT_TENANT) continue;
      const other = parseSubnet(n.subnet);
      if (other.ok && cidrsOverlap(pool, other.value)) {
        throw invalid(`--subnet ${pool.cidr} overlaps the subnet ${other.value.cidr} of Contiv network "${n.networkName}" in tenant ${DEFAULT_TENANT}`);
      }
    }
    for (const p of this.o.networks.pendingPools()) {
      const other = parseCidr(p);
      if (other.ok && cidrsOverlap(pool, other.value)) throw invalid(`--subnet ${pool.cidr} overlaps ${p} of a Docker network being created right now`);
    }
    return { poolId: formatPoolId({ kind: 'docker', pool: pool.cidr, subPool: sub }), pool: pool.cidr, data: {} };
  }

  // ------------------------------------------------------------ addresses

  private gatewayFor(ref: PoolRef, pool: Cidr, preferred: string): string {
    if (preferred) {
      const n = parseIPv4(preferred) as number;
      if (n < pool.network || n > pool.broadcast) throw invalid(`gateway ${preferred} is not inside ${pool.cidr}`);
      return preferred;
    }
    if (ref.kind === 'contiv') {
      const gw = this.o.cache.network(ref.tenant, ref.network)?.gateway;
      if (gw) return gw;
    }
    return firstHost(pool);
  }

  private async bindingOf(ref: PoolRef): Promise<Binding> {
    if (ref.kind === 'contiv') return { tenantName: ref.tenant, networkName: ref.network, groupName: ref.group, origin: 'contiv', pool: '' };
    return this.o.networks.resolvePool(ref.pool, this.o.registrationWaitMs ?? 20_000);
  }

  private subnetCidr(text: string): Cidr {
    const s = parseSubnet(text);
    if (s.ok) return s.value;
    return cidrOf(text, 'subnet');
  }
}
