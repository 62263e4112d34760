/**
 * Per-network IP allocation (docs/allocation.md). One store key per allocated
 * address; an allocation is a transaction that requires the key to be absent
 * and the network state to be unchanged, so it is safe with several writers
 * and never hands out an address of a network that was deleted meanwhile.
 *
 * Speed comes from an in-memory index per network (addresses and owners),
 * fed by the mirror's watch and by our own writes: candidates are picked from
 * it, and concurrent requests in this process never try the same address.
 * The store stays the truth: a lost race refreshes the index and moves on, and
 * "exhausted" is only answered after re-reading the network's keys.
 */
import { randomUUID } from 'node:crypto';
import {
  allocationSpan,
  cidrContains,
  formatIPv4,
  ipAllocationCodec,
  ipAllocKey,
  ipAllocPrefix,
  ipamPrefix,
  networkStateKey,
  parseAddressSpan,
  parseIPv4,
  parseSubnet,
  type IpAllocation,
  type NetworkState,
  type Span,
} from '@contiv/model';
import type { Logger } from '@contiv/runtime';
import { NetmasterError } from '../errors';
import type { Catalog, Versioned } from '../core/catalog';
import type { MirrorEntry, MirrorListener, StoreMirror } from '../core/store-mirror';
import { absent, put, unchanged, type StoreWriter } from '../core/store-writer';
import { observeAllocationChange, observeAllocationFailure } from '../metrics';

/** What one network's allocations look like in memory. */
interface NetworkIndex {
  /** address -> owner */
  readonly used: Map<number, string>;
  /** owner -> address */
  readonly owners: Map<string, number>;
  /** Addresses a request of this process is trying right now. */
  readonly inFlight: Set<number>;
}

export interface AllocateRequest {
  readonly tenantName: string;
  readonly networkName: string;
  /** "" = the network pool; a group with an ipPool allocates from it. */
  readonly groupName: string;
  /** Bare IP or "" (docker run --ip). */
  readonly preferredAddress: string;
  readonly host: string;
  /** The same request id twice gets the same address. */
  readonly requestId: string;
}

export interface Allocation {
  readonly address: string;
  readonly prefixLength: number;
  readonly gateway: string;
}

/** The pending owner of an address between AllocateAddress and CreateEndpoint. */
export const pendingOwner = (host: string, requestId: string): string => `pending:${host}:${requestId}`;
export const isPendingOwner = (owner: string): boolean => owner.startsWith('pending:');
/** The owner of a serviceLB's VIP. */
export const serviceOwner = (tenant: string, service: string): string => `service:${tenant}:${service}`;
export const isServiceOwner = (owner: string): boolean => owner.startsWith('service:');

export interface NetworkPool {
  readonly state: Versioned<NetworkState>;
  readonly cidr: string;
  readonly prefixLength: number;
  readonly network: number;
  readonly broadcast: number;
  readonly gateway: number | undefined;
  /** Where new addresses come from. */
  readonly span: Span | undefined;
  /** Sub-ranges reserved for groups (skipped by network-level allocation). */
  readonly excluded: readonly Span[];
  /** For messages: `network default:net1 (10.1.1.0/24)` or `group default:web pool 10.1.1.10-10.1.1.20`. */
  readonly label: string;
}

const keyPart = (t: string, n: string): string => `${t}/${n}`;

export class IpAllocator implements MirrorListener {
  private readonly nets = new Map<string, NetworkIndex>();
  /**
   * Allocations under way, by network and pending owner: a retry of a request
   * that is still being served (the agent's call timed out and it asked again
   * with the same request id) waits for it instead of taking a second address
   * that nothing would ever use.
   */
  private readonly running = new Map<string, Promise<Allocation>>();
  /** onReset is re-reading the store copy: what it finds was allocated before (not counted). */
  private reloading = false;

  constructor(
    private readonly mirror: StoreMirror,
    private readonly catalog: Catalog,
    private readonly writer: StoreWriter,
    private readonly log: Logger,
    private readonly now: () => Date = () => new Date(),
  ) {
    mirror.addBucket(ipamPrefix());
    mirror.subscribe(ipamPrefix(), this);
  }

  // ---- index maintenance (mirror listener) ----

  onReset(): void {
    this.nets.clear();
    this.reloading = true;
    try {
      for (const e of this.mirror.list(ipamPrefix())) this.onChange(e.key, e);
    } finally {
      this.reloading = false;
    }
  }

  onChange(key: string, entry: MirrorEntry | undefined): void {
    const parts = key.slice(ipamPrefix().length).split('/');
    if (parts.length !== 3) return;
    const [t, n, ipText] = parts as [string, string, string];
    const ip = parseIPv4(ipText);
    if (ip === undefined) return;
    const idx = this.index(t, n);
    const prev = idx.used.get(ip);
    if (prev !== undefined && idx.owners.get(prev) === ip) idx.owners.delete(prev);
    // A key that appears or goes is an allocation or a release (an owner change is neither); a reload is neither.
    if (!this.reloading && (prev === undefined) !== (entry === undefined)) observeAllocationChange('ip', entry !== undefined);
    if (!entry) {
      idx.used.delete(ip);
      return;
    }
    let owner = `unknown:${ipText}`;
    try {
      owner = ipAllocationCodec.decode(entry.value, key).owner;
    } catch (err) {
      this.log.error('Treating an unreadable IP allocation as taken', { key, err });
    }
    idx.used.set(ip, owner);
    idx.owners.set(owner, ip);
  }

  private index(t: string, n: string): NetworkIndex {
    const k = keyPart(t, n);
    let idx = this.nets.get(k);
    if (!idx) {
      idx = { used: new Map(), owners: new Map(), inFlight: new Set() };
      this.nets.set(k, idx);
    }
    return idx;
  }

  // ---- queries ----

  /** Allocated addresses of a network, ascending. */
  allocated(t: string, n: string): number[] {
    return [...(this.nets.get(keyPart(t, n))?.used.keys() ?? [])].sort((a, b) => a - b);
  }

  /** The current holder of an address (owner, host as recorded), with the revision of its key. */
  holder(t: string, n: string, ip: string): { owner: string; host: string; modRevision: number } | undefined {
    const key = ipAllocKey(t, n, ip);
    const entry = this.mirror.get(key);
    if (!entry) return undefined;
    const parsed = parseIPv4(ip);
    let host = '';
    try {
      host = ipAllocationCodec.decode(entry.value, key).host;
    } catch {
      // unreadable: onChange logged it; its owner is `unknown:<ip>`
    }
    return { owner: (parsed !== undefined && this.nets.get(keyPart(t, n))?.used.get(parsed)) || `unknown:${ip}`, host, modRevision: entry.modRevision };
  }

  /** Where a network (or one of its groups) allocates from. Throws NOT_FOUND. */
  pool(t: string, n: string, group = ''): NetworkPool {
    const state = this.catalog.networkState(t, n);
    if (!state) throw new NetmasterError('NOT_FOUND', `network ${t}:${n} not found`);
    const parsed = parseSubnet(state.value.subnet);
    const range = state.value.ipRange ? parseAddressSpan(state.value.ipRange) : undefined;
    if (!parsed.ok || (state.value.ipRange && !range)) {
      throw new NetmasterError('INTERNAL', `network ${t}:${n} has an unusable subnet ${state.value.subnet} / range ${state.value.ipRange}`);
    }
    const s = { ...parsed.value, range };
    const gateway = state.value.gateway ? parseIPv4(state.value.gateway) : undefined;
    const groupPools = this.catalog
      .groupsOfNetwork(t, n)
      .map((g) => ({ name: g.value.groupName, span: g.value.ipPool ? parseAddressSpan(g.value.ipPool) : undefined }))
      .filter((g): g is { name: string; span: Span } => g.span !== undefined);
    const base = { state, cidr: s.cidr, prefixLength: s.prefixLength, network: s.network, broadcast: s.broadcast, gateway };
    if (group) {
      const cfg = this.catalog.group(t, group);
      if (!cfg) throw new NetmasterError('NOT_FOUND', `endpointGroup ${t}:${group} not found`);
      if (cfg.value.networkName !== n) throw new NetmasterError('INVALID_ARGUMENT', `endpointGroup ${t}:${group} is on network ${cfg.value.networkName}, not ${n}`);
      const mine = groupPools.find((g) => g.name === group);
      if (mine) return { ...base, span: mine.span, excluded: [], label: `group ${t}:${group} pool ${this.catalog.group(t, group)?.value.ipPool ?? ''}` };
    }
    return { ...base, span: allocationSpan(s), excluded: groupPools.map((g) => g.span), label: `network ${t}:${n} (${s.cidr})` };
  }

  // ---- allocation ----

  async allocate(req: AllocateRequest): Promise<Allocation> {
    const { tenantName: t, networkName: n } = req;
    const pool = this.pool(t, n, req.groupName);
    const idx = this.index(t, n);
    // Without a request id there is nothing to match a retry against: make the owner unique.
    const owner = pendingOwner(req.host, req.requestId || randomUUID());
    if (!req.requestId) return this.allocateNew(pool, idx, req, owner);
    const held = idx.owners.get(owner);
    if (held !== undefined) return this.answer(pool, held);
    const key = `${keyPart(t, n)}|${owner}`;
    const running = this.running.get(key);
    if (running) return running;
    const p = this.allocateNew(pool, idx, req, owner).finally(() => this.running.delete(key));
    this.running.set(key, p);
    return p;
  }

  /**
   * Takes an address for a non-endpoint owner (a serviceLB VIP): `preferred`
   * when given (inside the network, not its gateway, free), else the lowest
   * free one of the network pool. An address this owner already holds (a
   * create that stopped half-way) is answered again.
   */
  async allocateOwned(t: string, n: string, owner: string, preferred: string): Promise<Allocation> {
    const pool = this.pool(t, n);
    const idx = this.index(t, n);
    const held = idx.owners.get(owner);
    if (held !== undefined && (!preferred || parseIPv4(preferred) === held)) return this.answer(pool, held);
    return this.allocateNew(pool, idx, { tenantName: t, networkName: n, groupName: '', preferredAddress: preferred, host: '', requestId: owner }, owner);
  }

  private async allocateNew(pool: NetworkPool, idx: NetworkIndex, req: AllocateRequest, owner: string): Promise<Allocation> {
    return this.takeNew(pool, idx, req, owner).catch((err: unknown) => {
      observeAllocationFailure('ip', err);
      throw err;
    });
  }

  private async takeNew(pool: NetworkPool, idx: NetworkIndex, req: AllocateRequest, owner: string): Promise<Allocation> {
    const { tenantName: t, networkName: n } = req;
    if (req.preferredAddress) return this.allocateSpecific(pool, req.preferredAddress, owner, req.host);

    let refreshed = false;
    for (;;) {
      const candidate = this.lowestFree(pool, idx);
      if (candidate === undefined) {
        if (refreshed) throw new NetmasterError('IPAM_POOL_EXHAUSTED', `no free address in ${pool.label}`);
        // The index may be behind the store: re-read before saying "exhausted".
        await this.writer.refreshPrefix(ipAllocPrefix(t, n));
        refreshed = true;
        continue;
      }
      if (await this.tryTake(pool, idx, candidate, owner, req.host)) return this.answer(pool, candidate);
    }
  }

  /** Takes one specific address (docker run --ip): it must be inside the subnet and free. */
  private async allocateSpecific(pool: NetworkPool, text: string, owner: string, host: string): Promise<Allocation> {
    const ip = this.checkAddress(pool, text);
    const { tenantName: t, networkName: n } = pool.state.value;
    const idx = this.index(t, n);
    for (let attempt = 0; attempt < 3; attempt++) {
      const holder = idx.used.get(ip);
      if (holder === owner) return this.answer(pool, ip);
      if (holder !== undefined) throw new NetmasterError('ADDRESS_IN_USE', `address ${text} is already in use in network ${t}:${n}`);
      if (idx.inFlight.has(ip)) throw new NetmasterError('ADDRESS_IN_USE', `address ${text} is being allocated by another request in network ${t}:${n}`);
      if (await this.tryTake(pool, idx, ip, owner, host)) return this.answer(pool, ip);
    }
    throw new NetmasterError('ADDRESS_IN_USE', `address ${text} is already in use in network ${t}:${n}`);
  }

  /** Parses an address that must belong to the network and be assignable to an endpoint. */
  checkAddress(pool: NetworkPool, text: string): number {
    const ip = parseIPv4(text);
    const where = `network ${pool.state.value.tenantName}:${pool.state.value.networkName} (${pool.cidr})`;
    if (ip === undefined) throw new NetmasterError('INVALID_ARGUMENT', `address ${JSON.stringify(text)} is not a valid IPv4 address`);
    if (!cidrContains(pool, ip)) throw new NetmasterError('INVALID_ARGUMENT', `address ${text} is outside ${where}`);
    if (ip === pool.network) throw new NetmasterError('INVALID_ARGUMENT', `address ${text} is the network address of ${where}`);
    if (ip === pool.broadcast) throw new NetmasterError('INVALID_ARGUMENT', `address ${text} is the broadcast address of ${where}`);
    if (ip === pool.gateway) throw new NetmasterError('INVALID_ARGUMENT', `address ${text} is the gateway of ${where}`);
    return ip;
  }

  private lowestFree(pool: NetworkPool, idx: NetworkIndex): number | undefined {
    if (!pool.span) return undefined;
    for (let a = pool.span.start; a <= pool.span.end; a++) {
      const skip = pool.excluded.find((s) => a >= s.start && a <= s.end);
      if (skip) {
        a = skip.end;
        continue;
      }
      if (a !== pool.gateway && !idx.used.has(a) && !idx.inFlight.has(a)) return a;
    }
    return undefined;
  }

  /** One conditional write for one candidate; false if someone else got it first. */
  private async tryTake(pool: NetworkPool, idx: NetworkIndex, ip: number, owner: string, host: string): Promise<boolean> {
    const { tenantName: t, networkName: n } = pool.state.value;
    const key = ipAllocKey(t, n, formatIPv4(ip));
    const stateKey = networkStateKey(t, n);
    const value: IpAllocation = { owner, host, allocatedAt: this.now().toISOString() };
    idx.inFlight.add(ip);
    try {
      if (await this.writer.txn([absent(key), unchanged(stateKey, pool.state.modRevision)], [put(key, ipAllocationCodec.encode(value))])) return true;
    } finally {
      idx.inFlight.delete(ip);
    }
    await this.writer.refresh([key, stateKey]);
    const now = this.catalog.networkState(t, n);
    if (!now || now.modRevision !== pool.state.modRevision) throw new NetmasterError('NOT_FOUND', `network ${t}:${n} was deleted or re-created meanwhile`);
    if (!idx.used.has(ip)) this.log.warn('Address write refused but the address looks free; retrying', { key });
    return false;
  }

  private answer(pool: NetworkPool, ip: number): Allocation {
    return { address: formatIPv4(ip), prefixLength: pool.prefixLength, gateway: pool.state.value.gateway };
  }
}
