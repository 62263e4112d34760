/** Tenant create/delete (Contiv's TenantCreate/TenantUpdate/TenantDelete). */
import { objectKey, tenantKey, type TenantConfig } from '@contiv/model';
import { NetmasterError } from '../errors';
import { OBJECT_TYPES } from './catalog';
import { MAX_ATTEMPTS, type Core } from './context';
import { absent, del, put, unchanged } from './store-writer';

function sameTenant(a: TenantConfig, b: TenantConfig): boolean {
  return (a.defaultNetwork ?? '') === (b.defaultNetwork ?? '');
}

export class TenantService {
  constructor(private readonly core: Core) {}

  /** Creates the tenant; an identical re-POST is a no-op, a changed one is refused (as in Contiv). */
  async create(cfg: TenantConfig, requestId?: string): Promise<{ config: TenantConfig; created: boolean }> {
    const t = cfg.tenantName;
    return this.core.locks.tenantWrite(t, async () => {
      const key = objectKey(OBJECT_TYPES.tenant, tenantKey(t));
      for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
        const existing = this.core.catalog.tenant(t);
        if (existing) {
          if (!sameTenant(existing.value, cfg)) throw new NetmasterError('IMMUTABLE', `Cant change tenant parameters after its created (tenant ${t})`);
          return { config: existing.value, created: false };
        }
        if (await this.core.writer.txn([absent(key)], [put(key, JSON.stringify(cfg))])) {
          this.core.log.info('Created tenant', { tenant: t, requestId });
          return { config: cfg, created: true };
        }
        await this.core.writer.refresh([key]);
      }
      throw new NetmasterError('INTERNAL', `tenant ${t}: gave up after ${MAX_ATTEMPTS} conflicting store writes`);
    });
  }

  /**
   * Refused while the tenant has app profiles, groups, networks, policies,
   * netprofiles or external contracts groups (the message names them).
   */
  async delete(t: string, requestId?: string): Promise<void> {
    await this.core.locks.tenantWrite(t, async () => {
      const c = this.core.catalog;
      const existing = c.tenant(t);
      if (!existing) throw new NetmasterError('NOT_FOUND', `tenant ${t} not found`);
      // App profiles first: they name groups, which cannot go while they do.
      const apps = c.appProfiles(t).map((a) => a.value.appProfileName);
      if (apps.length > 0) throw new NetmasterError('IN_USE', `cannot delete ${t} has ${apps.length} app profiles: ${apps.join(', ')}`);
      const groups = c.groups(t).map((g) => g.value.groupName);
      if (groups.length > 0) throw new NetmasterError('IN_USE', `cannot delete ${t} has ${groups.length} endpoint groups: ${groups.join(', ')}`);
      const networks = c.networks(t).map((n) => n.value.networkName);
      if (networks.length > 0) throw new NetmasterError('IN_USE', `cannot delete ${t} has ${networks.length} networks: ${networks.join(', ')}`);
      const policies = c.policies(t).map((p) => p.value.policyName);
      if (policies.length > 0) throw new NetmasterError('IN_USE', `cannot delete ${t} has ${policies.length} policies: ${policies.join(', ')}`);
      const profiles = c.netProfiles(t).map((p) => p.value.profileName);
      if (profiles.length > 0) throw new NetmasterError('IN_USE', `cannot delete ${t} has ${profiles.length} netprofiles: ${profiles.join(', ')}`);
      const contracts = c.extContractsGroups(t).map((x) => x.value.contractsGroupName);
      if (contracts.length > 0) throw new NetmasterError('IN_USE', `cannot delete ${t} has ${contracts.length} external contracts groups: ${contracts.join(', ')}`);
      if (!(await this.core.writer.txn([unchanged(existing.key, existing.modRevision)], [del(existing.key)]))) {
        await this.core.writer.refresh([existing.key]);
        throw new NetmasterError('INTERNAL', `tenant ${t} changed while being deleted; try again`);
      }
      this.core.log.info('Deleted tenant', { tenant: t, requestId });
    });
  }
}
