/**
 * Network create and delete: validation against the rest of the tenant,
 * VLAN/VXLAN id allocation and the state agents watch, all in one store
 * transaction per attempt (Contiv's NetworkCreate/NetworkDelete callbacks).
 */
import {
  cidrsOverlap,
  endpointKey,
  formatIPv4,
  idAllocationCodec,
  ipAllocPrefix,
  networkId,
  networkParamsEqual,
  networkStateCodec,
  networkStateKey,
  objectKey,
  parseIdSpan,
  parseSubnet,
  spanContains,
  networkKey,
  type GlobalConfig,
  type NetworkConfig,
  type NetworkOrigin,
  type NetworkState,
  type Span,
  type Subnet,
} from '@contiv/model';
import type { TxnCondition, TxnOp } from '@contiv/store';
import { NetmasterError } from '../errors';
import type { IdPool } from '../allocator/id-pool';
import { OBJECT_TYPES, type Versioned } from './catalog';
import { MAX_ATTEMPTS, networkOwner, type Core } from './context';
import { absent, del, put, unchanged } from './store-writer';

export interface CreateNetworkOptions {
  readonly origin: NetworkOrigin;
  readonly dockerNetworkId?: string;
  readonly dockerScope?: string;
  /** More conditions and writes that must happen in the same transaction (a docknet mapping). */
  readonly extra?: { readonly conditions: readonly TxnCondition[]; readonly ops: readonly TxnOp[] };
  readonly requestId?: string;
}

export interface CreateNetworkResult {
  readonly config: NetworkConfig;
  readonly state: NetworkState;
  /** False when an identical network already existed (idempotent re-POST). */
  readonly created: boolean;
}

export interface DeleteNetworkOptions {
  /** Docker is deleting a network it created: allowed for origin docker, removes endpoints left behind. */
  readonly fromDocker?: boolean;
  readonly requestId?: string;
}

interface Tags {
  vlan?: number;
  vni?: number;
}

function rangeOf(global: GlobalConfig, which: 'vlans' | 'vxlans'): Span {
  const span = parseIdSpan(global[which]);
  if (!span) throw new NetmasterError('INTERNAL', `global ${which} range ${global[which]} is unusable`);
  return span;
}

type Step =
  | { readonly kind: 'exists'; readonly result: CreateNetworkResult }
  | { readonly kind: 'wait'; readonly done: Promise<void> }
  | { readonly kind: 'write'; readonly plan: Plan };

/** Parsed subnets, cached per decoded config object (those are replaced, never mutated). */
const parsedSubnets = new WeakMap<NetworkConfig, Subnet | undefined>();

function subnetOf(cfg: NetworkConfig): Subnet | undefined {
  if (!parsedSubnets.has(cfg)) {
    const p = parseSubnet(cfg.subnet);
    parsedSubnets.set(cfg, p.ok ? p.value : undefined);
  }
  return parsedSubnets.get(cfg);
}

/** A create that passed its checks and is being written. */
interface Pending {
  readonly name: string;
  readonly subnet: Subnet;
  /** Resolves when the write is over (either way). */
  readonly done: Promise<void>;
  readonly finish: () => void;
}

interface Plan {
  readonly cfg: NetworkConfig;
  readonly tags: Tags;
  readonly subnet: Subnet;
  readonly tenantRevision: number;
  readonly global: GlobalConfig;
}

export class NetworkService {
  /** Creates past their checks whose store write is in flight, per tenant. */
  private readonly pending = new Map<string, Map<string, Pending>>();

  constructor(private readonly core: Core) {}

  /** Names of networks being created in `tenant` right now (a group may not take them). */
  pendingNames(tenant: string): string[] {
    return [...(this.pending.get(tenant)?.keys() ?? [])];
  }

  /**
   * Creates the network, or returns the identical existing one. The checks
   * run under the tenant lock and reserve the name, subnet and tags; the store
   * write runs outside it, so creates in one tenant overlap their round trips
   * to the store instead of queueing behind each other.
   */
  async create(cfg: NetworkConfig, opts: CreateNetworkOptions): Promise<CreateNetworkResult> {
    const { tenantName: t, networkName: n } = cfg;
    return this.core.locks.config.read(async () => {
      for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
        const step = await this.core.locks.tenants.write(t, async (): Promise<Step> => {
          const existing = this.core.catalog.network(t, n);
          if (existing) return { kind: 'exists', result: this.sameAsExisting(existing, cfg) };
          const inFlight = this.pending.get(t)?.get(n);
          if (inFlight) return { kind: 'wait', done: inFlight.done };
          return { kind: 'write', plan: this.plan(cfg) };
        });
        if (step.kind === 'exists') return step.result;
        if (step.kind === 'wait') {
          await step.done;
          continue;
        }
        const result = await this.write(step.plan, opts);
        if (result) {
          this.core.log.info('Created network', { network: networkKey(t, n), encap: cfg.encap, subnet: cfg.subnet, pktTag: result.state.pktTag, extPktTag: result.state.extPktTag, origin: opts.origin, requestId: opts.requestId });
          return result;
        }
      }
      throw new NetmasterError('INTERNAL', `network ${t}:${n}: gave up after ${MAX_ATTEMPTS} conflicting store writes`);
    });
  }

  private sameAsExisting(existing: Versioned<NetworkConfig>, cfg: NetworkConfig): CreateNetworkResult {
    const { tenantName: t, networkName: n } = cfg;
    const state = this.core.catalog.networkState(t, n);
    if (!state) throw new NetmasterError('INTERNAL', `network ${t}:${n} has no state record`);
    if (!networkParamsEqual(existing.value, cfg)) {
      throw new NetmasterError('IMMUTABLE', `Cant change network parameters after its created (network ${t}:${n} has subnet ${existing.value.subnet}, encap ${existing.value.encap}${existing.value.gateway ? `, gateway ${existing.value.gateway}` : ''})`);
    }
    return { config: existing.value, state: state.value, created: false };
  }

  /** Checks against the rest of the store (the model checked the object itself), then reserves. Synchronous. */
  private plan(cfg: NetworkConfig): Plan {
    const { tenantName: t, networkName: n } = cfg;
    const c = this.core.catalog;
    const tenant = c.tenant(t);
    if (!tenant) throw new NetmasterError('NOT_FOUND', `Tenant ${t} not found`);
    if (c.group(t, n)) throw new NetmasterError('ALREADY_EXISTS', `Network ${n} conflicts with the endpointGroup name (tenant ${t})`);
    const global = c.global();
    if (!global) throw new NetmasterError('NOT_LEADER', 'netmaster is starting: the global configuration is not loaded yet');
    const mine = subnetOf(cfg);
    if (!mine) throw new NetmasterError('INVALID_ARGUMENT', `network ${t}:${n}: subnet ${cfg.subnet} is not a valid IPv4 subnet`);
    const others = [
      ...c.networksOf(t).map((o) => ({ name: o.networkName, subnet: subnetOf(o) })),
      ...[...(this.pending.get(t)?.values() ?? [])].map((p) => ({ name: p.name, subnet: p.subnet })),
    ];
    for (const other of others) {
      if (other.subnet && cidrsOverlap(mine, other.subnet)) {
        throw new NetmasterError('SUBNET_OVERLAP', `subnet ${mine.cidr} of network ${t}:${n} overlaps network ${t}:${other.name} (${other.subnet.cidr})`);
      }
    }
    const tags: Tags = {};
    try {
      this.pickTags(cfg, global.value, tags);
    } catch (err) {
      this.releaseTags(tags);
      throw err;
    }
    let finish: () => void = () => undefined;
    const done = new Promise<void>((resolve) => (finish = resolve));
    const perTenant = this.pending.get(t) ?? new Map<string, Pending>();
    this.pending.set(t, perTenant);
    perTenant.set(n, { name: n, subnet: mine, done, finish });
    return { cfg, tags, subnet: mine, tenantRevision: tenant.modRevision, global: global.value };
  }

  private endPending(t: string, n: string): void {
    const perTenant = this.pending.get(t);
    const p = perTenant?.get(n);
    perTenant?.delete(n);
    if (perTenant?.size === 0) this.pending.delete(t);
    p?.finish();
  }

  private releaseTags(tags: Tags): void {
    this.core.vlans.unreserve(tags.vlan);
    this.core.vxlans.unreserve(tags.vni);
  }

  /** One transaction: config, state and tag keys, all required absent, the tenant unchanged. */
  private async write(plan: Plan, opts: CreateNetworkOptions): Promise<CreateNetworkResult | undefined> {
    const { cfg, tags, subnet: s } = plan;
    const { tenantName: t, networkName: n } = cfg;
    try {
      const state: NetworkState = {
        tenantName: t,
        networkName: n,
        nwType: cfg.nwType,
        encap: cfg.encap,
        pktTag: tags.vlan ?? 0,
        extPktTag: tags.vni ?? 0,
        subnet: s.cidr,
        ipRange: s.range ? `${formatIPv4(s.range.start)}-${formatIPv4(s.range.end)}` : '',
        gateway: cfg.gateway ?? '',
        ipv6Subnet: cfg.ipv6Subnet ?? '',
        ipv6Gateway: cfg.ipv6Gateway ?? '',
        networkTag: cfg.cfgdTag || networkId(t, n),
        origin: opts.origin,
        ...(opts.dockerNetworkId ? { dockerNetworkId: opts.dockerNetworkId } : {}),
        ...(opts.dockerScope ? { dockerScope: opts.dockerScope } : {}),
      };
      const objKey = objectKey(OBJECT_TYPES.network, networkKey(t, n));
      const stateKey = networkStateKey(t, n);
      const held = idAllocationCodec.encode({ owner: networkOwner(t, n), allocatedAt: this.core.now().toISOString() });
      const conditions: TxnCondition[] = [
        absent(objKey),
        absent(stateKey),
        unchanged(objectKey(OBJECT_TYPES.tenant, t), plan.tenantRevision),
        ...(opts.extra?.conditions ?? []),
      ];
      const ops: TxnOp[] = [put(objKey, JSON.stringify(cfg)), put(stateKey, networkStateCodec.encode(state)), ...(opts.extra?.ops ?? [])];
      if (tags.vlan !== undefined) {
        conditions.push(absent(this.core.vlans.keyOf(tags.vlan)));
        ops.push(put(this.core.vlans.keyOf(tags.vlan), held));
      }
      if (tags.vni !== undefined) {
        conditions.push(absent(this.core.vxlans.keyOf(tags.vni)));
        ops.push(put(this.core.vxlans.keyOf(tags.vni), held));
      }
      await this.clearLeftoverAddresses(t, n);
      if (await this.core.writer.txn(conditions, ops)) return { config: cfg, state, created: true };
      await this.core.writer.refresh(conditions.map((c) => c.key));
      return undefined;
    } finally {
      this.releaseTags(tags);
      this.endPending(t, n);
    }
  }

  /**
   * Address keys of an earlier network of this name: a delete frees them after
   * its transaction, so a netmaster that stopped in between left them behind,
   * and the new network would start with those addresses taken. They are
   * nobody's: no address can be allocated in a network without its state
   * record (allocations require it unchanged), which does not exist yet.
   */
  private async clearLeftoverAddresses(t: string, n: string): Promise<void> {
    const left = this.core.ips.allocated(t, n).length;
    if (left === 0) return;
    await this.core.writer.deletePrefix(ipAllocPrefix(t, n));
    this.core.log.warn('Freed addresses a deleted network of the same name left behind', { network: networkKey(t, n), addresses: left });
  }

  /** Chooses the network's VLAN (and VNI): the requested pktTag, or the lowest free in the global ranges. */
  private pickTags(cfg: NetworkConfig, global: GlobalConfig, tags: Tags): void {
    const vlanRange = rangeOf(global, 'vlans');
    if (cfg.encap === 'vlan') {
      tags.vlan = cfg.pktTag ? this.reserveExplicit(this.core.vlans, cfg.pktTag, vlanRange, global.vlans) : this.reserveAny(this.core.vlans, vlanRange, global.vlans);
      return;
    }
    const vxlanRange = rangeOf(global, 'vxlans');
    tags.vni = cfg.pktTag ? this.reserveExplicit(this.core.vxlans, cfg.pktTag, vxlanRange, global.vxlans) : this.reserveAny(this.core.vxlans, vxlanRange, global.vxlans);
    // The local VLAN on the host bridge comes from the same pool, so VLAN ids stay unique per bridge.
    tags.vlan = this.reserveAny(this.core.vlans, vlanRange, global.vlans, 'local ');
  }

  private reserveExplicit(pool: IdPool, id: number, range: Span, rangeText: string): number {
    if (!spanContains(range, id)) throw new NetmasterError('INVALID_ARGUMENT', `requested ${pool.what} ${id} is outside the ${pool.what} range ${rangeText}`);
    if (!pool.reserve(id)) throw new NetmasterError('IN_USE', `requested ${pool.what} not available - ${pool.what}:${id}`);
    return id;
  }

  private reserveAny(pool: IdPool, range: Span, rangeText: string, prefix = ''): number {
    const id = pool.reserveLowest(range);
    if (id === undefined) throw new NetmasterError('TAG_POOL_EXHAUSTED', `no ${prefix}${pool.what}s available in the ${pool.what} range ${rangeText}`);
    return id;
  }

  async delete(t: string, n: string, opts: DeleteNetworkOptions = {}): Promise<void> {
    await this.core.locks.tenantWrite(t, () =>
      this.core.locks.networkWrite(t, n, async () => {
        for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
          if (await this.tryDelete(t, n, opts)) {
            await this.core.writer.deletePrefix(ipAllocPrefix(t, n));
            this.core.log.info('Deleted network', { network: networkKey(t, n), requestId: opts.requestId });
            return;
          }
        }
        throw new NetmasterError('INTERNAL', `network ${t}:${n}: gave up after ${MAX_ATTEMPTS} conflicting store writes`);
      }),
    );
  }

  private async tryDelete(t: string, n: string, opts: DeleteNetworkOptions): Promise<boolean> {
    const c = this.core.catalog;
    const cfg = c.network(t, n);
    if (!cfg) throw new NetmasterError('NOT_FOUND', `network ${t}:${n} not found`);
    const state = c.networkState(t, n);
    if (state?.value.origin === 'docker' && !opts.fromDocker) {
      throw new NetmasterError('IN_USE', `network ${t}:${n} was created by docker network create; remove it with docker network rm ${n}`);
    }
    const groups = c.groupsOfNetwork(t, n).map((g) => g.value.groupName);
    if (groups.length > 0) throw new NetmasterError('IN_USE', `cannot delete ${n} has ${groups.length} endpoint groups: ${groups.join(', ')}`);
    const services = c.servicesOfNetwork(t, n).map((x) => x.value.serviceName);
    if (services.length > 0) throw new NetmasterError('IN_USE', `cannot delete ${n} has ${services.length} services: ${services.join(', ')}`);
    const rules = c.rules(t).filter((r) => r.value.fromNetwork === n || r.value.toNetwork === n);
    if (rules.length > 0) {
      const names = rules.map((r) => `${r.value.policyName}:${r.value.ruleId}`);
      throw new NetmasterError('IN_USE', `cannot delete ${n}: rules name it as their network: ${names.join(', ')}`);
    }
    const endpoints = c.endpointsOfNetwork(t, n);
    if (endpoints.length > 0 && !opts.fromDocker) {
      throw new NetmasterError('IN_USE', `cannot delete ${n} has ${endpoints.length} endpoints`);
    }
    const objKey = objectKey(OBJECT_TYPES.network, networkKey(t, n));
    const conditions: TxnCondition[] = [unchanged(objKey, cfg.modRevision)];
    const ops: TxnOp[] = [del(objKey)];
    if (state) {
      conditions.push(unchanged(state.key, state.modRevision));
      ops.push(del(state.key));
      for (const [pool, id] of [
        [this.core.vlans, state.value.pktTag],
        [this.core.vxlans, state.value.extPktTag],
      ] as const) {
        if (!id) continue;
        const key = pool.keyOf(id);
        const held = c.mirror.get(key);
        if (held && this.ownedBy(held.value, t, n)) {
          conditions.push(unchanged(key, held.modRevision));
          ops.push(del(key));
        }
      }
    }
    for (const m of c.dockerMappings()) {
      if (m.value.tenantName === t && m.value.networkName === n) ops.push(del(m.key));
    }
    if (!(await this.core.writer.txn(conditions, ops))) {
      await this.core.writer.refresh(conditions.map((x) => x.key));
      return false;
    }
    // Endpoints Docker left behind (origin docker only): separate writes, there may be many.
    for (const ep of endpoints) await this.core.writer.txn([], [del(endpointKey(ep.endpointId))]);
    return true;
  }

  private ownedBy(raw: string, t: string, n: string): boolean {
    try {
      return idAllocationCodec.decode(raw).owner === networkOwner(t, n);
    } catch {
      return false;
    }
  }
}
