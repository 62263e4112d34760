/**
 * Endpoint records (one per container attachment) and the address each one
 * holds. Creating an endpoint takes over its address allocation (the owner
 * becomes the endpoint id) and writes the EndpointState agents watch, in one
 * transaction.
 */
import {
  endpointKey,
  endpointStateCodec,
  formatIPv4,
  ipAllocationCodec,
  ipAllocKey,
  macFromIPv4,
  networkStateKey,
  parseIPv4,
  type EndpointState,
} from '@contiv/model';
import type { TxnCondition, TxnOp } from '@contiv/store';
import { NetmasterError } from '../errors';
import { isPendingOwner, isServiceOwner } from '../allocator/ip-pool';
import { MAX_ATTEMPTS, type Core } from './context';
import { absent, del, put, unchanged } from './store-writer';

/** What an agent reports when it creates an endpoint. */
export type EndpointInput = Omit<EndpointState, 'createdAt'>;

const ID_RE = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/;

/** Fields an agent may refresh on an existing endpoint (same network, same address). */
const MUTABLE: (keyof Omit<EndpointInput, 'labels'>)[] = ['homingHost', 'intfName', 'vtepIp', 'containerId', 'containerName', 'macAddress', 'ipv6Address'];

/** Labels are Docker's; bounded so one container cannot bloat every agent's view of the store. */
const MAX_LABELS = 256;

function checkLabels(id: string, labels: Record<string, string>): Record<string, string> {
  const entries = Object.entries(labels);
  if (entries.length > MAX_LABELS) throw new NetmasterError('INVALID_ARGUMENT', `endpoint ${id}: ${entries.length} labels; at most ${MAX_LABELS} are recorded`);
  for (const [k, v] of entries) {
    if (k.length === 0 || k.length > 1024 || typeof v !== 'string' || v.length > 4096) throw new NetmasterError('INVALID_ARGUMENT', `endpoint ${id}: label ${JSON.stringify(k.slice(0, 64))} is empty or too long`);
  }
  return labels;
}

export class EndpointService {
  constructor(private readonly core: Core) {}

  async create(input: EndpointInput, requestId?: string): Promise<EndpointState> {
    const { tenantName: t, networkName: n, endpointId: id } = input;
    if (!ID_RE.test(id)) throw new NetmasterError('INVALID_ARGUMENT', `endpoint id ${JSON.stringify(id)} is not valid`);
    if (!t || !n) throw new NetmasterError('INVALID_ARGUMENT', `endpoint ${id}: tenant and network are required`);
    return this.core.locks.networkRead(t, n, async () => {
      for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
        const done = await this.tryCreate(input, requestId);
        if (done) return done;
      }
      throw new NetmasterError('INTERNAL', `endpoint ${id}: gave up after ${MAX_ATTEMPTS} conflicting store writes`);
    });
  }

  private async tryCreate(input: EndpointInput, requestId?: string): Promise<EndpointState | undefined> {
    const { tenantName: t, networkName: n, endpointId: id, groupName: g } = input;
    const c = this.core.catalog;
    const pool = this.core.ips.pool(t, n);
    if (g) {
      const group = c.groupState(t, g);
      if (!group) throw new NetmasterError('NOT_FOUND', `endpointGroup ${t}:${g} not found`);
      if (group.value.networkName !== n) throw new NetmasterError('INVALID_ARGUMENT', `endpointGroup ${t}:${g} is on network ${group.value.networkName}, not ${n}`);
    }
    let address = input.ipAddress;
    if (!address) {
      address = (await this.core.ips.allocate({ tenantName: t, networkName: n, groupName: g, preferredAddress: '', host: input.homingHost, requestId: id })).address;
    }
    const ip = this.core.ips.checkAddress(pool, address);
    address = formatIPv4(ip);

    const epKey = endpointKey(id);
    const existing = c.endpoint(id);
    if (existing) {
      const e = existing.value;
      if (e.tenantName !== t || e.networkName !== n || e.ipAddress !== address) {
        throw new NetmasterError('ALREADY_EXISTS', `endpoint ${id} already exists in network ${e.tenantName}:${e.networkName} with address ${e.ipAddress}`);
      }
      const next: EndpointState = { ...e };
      for (const f of MUTABLE) if (input[f]) next[f] = input[f];
      if (input.labels && Object.keys(input.labels).length > 0) next.labels = checkLabels(id, input.labels);
      if (JSON.stringify(next) === JSON.stringify(e)) return e;
      if (await this.core.writer.txn([unchanged(epKey, existing.modRevision)], [put(epKey, endpointStateCodec.encode(next))])) return next;
      await this.core.writer.refresh([epKey]);
      return undefined;
    }

    const ipKey = ipAllocKey(t, n, address);
    const holder = this.core.ips.holder(t, n, address);
    if (holder && isServiceOwner(holder.owner)) {
      throw new NetmasterError('ADDRESS_IN_USE', `address ${address} in network ${t}:${n} is the VIP of ${holder.owner.replace(/^service:/, 'serviceLB ')}`);
    }
    if (holder && holder.owner !== id && !isPendingOwner(holder.owner) && c.endpoint(holder.owner)) {
      throw new NetmasterError('ADDRESS_IN_USE', `address ${address} in network ${t}:${n} is in use by endpoint ${holder.owner}`);
    }
    if (input.labels) checkLabels(id, input.labels);
    const state: EndpointState = {
      ...input,
      ipAddress: address,
      macAddress: input.macAddress || macFromIPv4(address),
      createdAt: this.core.now().toISOString(),
    };
    const netState = c.networkState(t, n);
    if (!netState) throw new NetmasterError('NOT_FOUND', `network ${t}:${n} not found`);
    const conditions: TxnCondition[] = [
      absent(epKey),
      holder ? unchanged(ipKey, holder.modRevision) : absent(ipKey),
      unchanged(networkStateKey(t, n), netState.modRevision),
    ];
    const ops: TxnOp[] = [
      put(epKey, endpointStateCodec.encode(state)),
      put(ipKey, ipAllocationCodec.encode({ owner: id, host: input.homingHost, allocatedAt: this.core.now().toISOString() })),
    ];
    if (await this.core.writer.txn(conditions, ops)) {
      this.core.log.info('Created endpoint', { endpointId: id, network: `${t}:${n}`, group: g, ip: address, host: input.homingHost, requestId });
      return state;
    }
    await this.core.writer.refresh(conditions.map((x) => x.key));
    return undefined;
  }

  /** Deletes the endpoint (absent = done) and, if asked, frees its address. */
  async delete(id: string, releaseAddress: boolean, requestId?: string): Promise<void> {
    let ep = this.core.catalog.endpoint(id);
    if (!ep) {
      await this.core.writer.refresh([endpointKey(id)]);
      ep = this.core.catalog.endpoint(id);
      if (!ep) return;
    }
    const { tenantName: t, networkName: n } = ep.value;
    await this.core.locks.networkRead(t, n, async () => {
      for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
        const cur = this.core.catalog.endpoint(id);
        if (!cur) return;
        const conditions: TxnCondition[] = [unchanged(cur.key, cur.modRevision)];
        const ops: TxnOp[] = [del(cur.key)];
        const addr = cur.value.ipAddress;
        const holder = addr ? this.core.ips.holder(t, n, addr) : undefined;
        // Only while the address is still this endpoint's: once freed it may be someone else's (a pending one too).
        if (releaseAddress && holder && holder.owner === id) {
          const ipKey = ipAllocKey(t, n, addr);
          conditions.push(unchanged(ipKey, holder.modRevision));
          ops.push(del(ipKey));
        }
        if (await this.core.writer.txn(conditions, ops)) {
          this.core.log.info('Deleted endpoint', { endpointId: id, network: `${t}:${n}`, ip: addr, released: ops.length > 1, requestId });
          return;
        }
        await this.core.writer.refresh(conditions.map((x) => x.key));
      }
      throw new NetmasterError('INTERNAL', `endpoint ${id}: gave up after ${MAX_ATTEMPTS} conflicting store writes`);
    });
  }

  /**
   * Frees one address of a network (absent = done). With a guard (what agents
   * send), only while nobody else holds it: its holder is `guard.owner`, or an
   * endpoint of `guard.host` whose record is gone. A release that comes late or
   * twice (a retry after a lost answer) then never frees an address that was
   * handed out again meanwhile. Without a guard, whoever holds it.
   */
  async releaseAddress(t: string, n: string, address: string, requestId?: string, guard?: ReleaseGuard): Promise<void> {
    const ip = parseIPv4(address);
    if (ip === undefined) throw new NetmasterError('INVALID_ARGUMENT', `address ${JSON.stringify(address)} is not a valid IPv4 address`);
    address = formatIPv4(ip);
    const key = ipAllocKey(t, n, address);
    await this.core.locks.networkRead(t, n, async () => {
      for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
        if (!this.core.mirror.get(key)) await this.core.writer.refresh([key]);
        const holder = this.core.ips.holder(t, n, address);
        if (!holder) return;
        const conditions: TxnCondition[] = [];
        if (guard) {
          const byOwner = guard.owner !== '' && holder.owner === guard.owner;
          const byHost = !isPendingOwner(holder.owner) && !isServiceOwner(holder.owner) && holder.host === guard.host && !this.core.catalog.endpoint(holder.owner);
          if (!byOwner && !byHost) {
            this.core.log.info('Kept an address held by someone else', { network: `${t}:${n}`, ip: address, owner: holder.owner, host: holder.host, guard, requestId });
            return;
          }
          conditions.push(unchanged(key, holder.modRevision));
          if (!byOwner && ID_RE.test(holder.owner)) conditions.push(absent(endpointKey(holder.owner)));
        }
        if (await this.core.writer.txn(conditions, [del(key)])) {
          this.core.log.info('Released address', { network: `${t}:${n}`, ip: address, owner: holder.owner, requestId });
          return;
        }
        await this.core.writer.refresh(conditions.map((c) => c.key));
      }
      throw new NetmasterError('INTERNAL', `address ${address} of ${t}:${n}: gave up after ${MAX_ATTEMPTS} conflicting store writes`);
    });
  }
}

/** Who may free an address (ReleaseNetworkAddressRequest's host and owner). */
export interface ReleaseGuard {
  readonly host: string;
  /** "" when the caller does not know it. */
  readonly owner: string;
}
