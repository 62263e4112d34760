/**
 * serviceLB create/update/delete (Contiv's ServiceLBCreate/Update/Delete).
 * The VIP is an address of the service's network held in IPAM by
 * `service:<tenant>:<service>`, so no endpoint can be given it: the one the
 * user named (inside the subnet, not the gateway, free) or the lowest free one
 * of the network pool. The stored record always carries it in `ipAddress`;
 * agents program the data path from that record and the endpoint records.
 */
import { ipAllocKey, serviceLbKey, serviceLbRestKey, serviceLbsEqual, networkStateKey, objectKey, type ServiceLbConfig } from '@contiv/model';
import type { TxnCondition } from '@contiv/store';
import { serviceOwner } from '../allocator/ip-pool';
import { NetmasterError } from '../errors';
import { OBJECT_TYPES } from './catalog';
import { MAX_ATTEMPTS, type Core } from './context';
import { absent, del, put, unchanged } from './store-writer';

export class ServiceLbService {
  constructor(private readonly core: Core) {}

  /**
   * Creates the service, or updates its selectors and ports (its network and
   * VIP cannot change: they are in every client's connections and DNS
   * answers). An identical re-POST writes nothing; one without `ipAddress`
   * keeps the VIP.
   */
  async upsert(cfg: ServiceLbConfig, requestId?: string): Promise<{ config: ServiceLbConfig; created: boolean }> {
    const { tenantName: t, serviceName: s, networkName: n } = cfg;
    const label = `serviceLB ${serviceLbRestKey(t, s)}`;
    return this.core.locks.tenantWrite(t, async () => {
      for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
        const c = this.core.catalog;
        const existing = c.serviceLb(t, s);
        if (existing) {
          const cur = existing.value;
          if (cur.networkName !== n) throw new NetmasterError('IMMUTABLE', `${label} is on network ${cur.networkName}; a service cannot move to another network (delete and create it again)`);
          if (cfg.ipAddress && cfg.ipAddress !== cur.ipAddress) throw new NetmasterError('IMMUTABLE', `${label} has VIP ${cur.ipAddress ?? ''}; the VIP cannot change (delete and create the service again)`);
          const next: ServiceLbConfig = { ...cfg, ...(cur.ipAddress ? { ipAddress: cur.ipAddress } : {}) };
          if (serviceLbsEqual(cur, next)) return { config: cur, created: false };
          if (await this.core.writer.txn([unchanged(existing.key, existing.modRevision)], [put(existing.key, JSON.stringify(next))])) {
            this.core.log.info('Updated serviceLB', { service: serviceLbRestKey(t, s), selectors: next.selectors, ports: next.ports, requestId });
            return { config: next, created: false };
          }
          await this.core.writer.refresh([existing.key]);
          continue;
        }
        const tenant = c.tenant(t);
        if (!tenant) throw new NetmasterError('NOT_FOUND', `Tenant ${t} not found`);
        if (!c.network(t, n)) throw new NetmasterError('NOT_FOUND', `Network ${n} not found (tenant ${t})`);
        const done = await this.core.locks.networkRead(t, n, () => this.tryCreate(cfg, tenant.key, tenant.modRevision, requestId));
        if (done) return { config: done, created: true };
      }
      throw new NetmasterError('INTERNAL', `${label}: gave up after ${MAX_ATTEMPTS} conflicting store writes`);
    });
  }

  /** Takes the VIP, then writes the service on condition that the VIP, network and tenant are as seen; frees the VIP if that fails. */
  private async tryCreate(cfg: ServiceLbConfig, tenantKey: string, tenantRevision: number, requestId?: string): Promise<ServiceLbConfig | undefined> {
    const { tenantName: t, serviceName: s, networkName: n } = cfg;
    const owner = serviceOwner(t, s);
    const pool = this.core.ips.pool(t, n);
    if (cfg.ipAddress) {
      this.core.ips.checkAddress(pool, cfg.ipAddress);
      const holder = this.core.ips.holder(t, n, cfg.ipAddress);
      if (holder && holder.owner !== owner) {
        const ep = this.core.catalog.endpoint(holder.owner)?.value;
        const who = ep ? `endpoint ${holder.owner.slice(0, 12)}${ep.containerName ? ` (${ep.containerName})` : ''}` : holder.owner;
        throw new NetmasterError('ADDRESS_IN_USE', `address ${cfg.ipAddress} is already in use in network ${t}:${n} by ${who}`);
      }
    }
    const vip = (await this.core.ips.allocateOwned(t, n, owner, cfg.ipAddress ?? '')).address;
    const next: ServiceLbConfig = { ...cfg, ipAddress: vip };
    const key = serviceLbKey(t, s);
    const ipKey = ipAllocKey(t, n, vip);
    const held = this.core.mirror.get(ipKey);
    const netState = this.core.catalog.networkState(t, n);
    if (!held || !netState) throw new NetmasterError('INTERNAL', `serviceLB ${t}:${s}: VIP ${vip} or network ${t}:${n} vanished from the mirror`);
    const conditions: TxnCondition[] = [
      absent(key),
      unchanged(tenantKey, tenantRevision),
      unchanged(objectKey(OBJECT_TYPES.network, `${t}:${n}`), this.core.catalog.network(t, n)?.modRevision ?? 0),
      unchanged(networkStateKey(t, n), netState.modRevision),
      unchanged(ipKey, held.modRevision),
    ];
    if (await this.core.writer.txn(conditions, [put(key, JSON.stringify(next))])) {
      this.core.log.info('Created serviceLB', { service: serviceLbRestKey(t, s), network: n, vip, selectors: next.selectors, ports: next.ports, requestId });
      return next;
    }
    await this.core.writer.refresh(conditions.map((x) => x.key));
    await this.releaseVip(t, n, vip, owner);
    return undefined;
  }

  private async releaseVip(t: string, n: string, vip: string, owner: string): Promise<void> {
    const holder = this.core.ips.holder(t, n, vip);
    if (!holder || holder.owner !== owner) return;
    const key = ipAllocKey(t, n, vip);
    if (!(await this.core.writer.txn([unchanged(key, holder.modRevision)], [del(key)]))) await this.core.writer.refresh([key]);
  }

  /** Deletes the service and frees its VIP in one transaction. */
  async delete(t: string, s: string, requestId?: string): Promise<void> {
    await this.core.locks.tenantWrite(t, async () => {
      for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
        const existing = this.core.catalog.serviceLb(t, s);
        if (!existing) throw new NetmasterError('NOT_FOUND', `serviceLB ${t}:${s} not found`);
        const { networkName: n, ipAddress: vip } = existing.value;
        const conditions: TxnCondition[] = [unchanged(existing.key, existing.modRevision)];
        const ops = [del(existing.key)];
        const holder = vip ? this.core.ips.holder(t, n, vip) : undefined;
        if (vip && holder && holder.owner === serviceOwner(t, s)) {
          const ipKey = ipAllocKey(t, n, vip);
          conditions.push(unchanged(ipKey, holder.modRevision));
          ops.push(del(ipKey));
        }
        if (await this.core.writer.txn(conditions, ops)) {
          this.core.log.info('Deleted serviceLB', { service: serviceLbRestKey(t, s), vip, requestId });
          return;
        }
        await this.core.writer.refresh(conditions.map((x) => x.key));
      }
      throw new NetmasterError('INTERNAL', `serviceLB ${t}:${s}: gave up after ${MAX_ATTEMPTS} conflicting store writes`);
    });
  }
}
