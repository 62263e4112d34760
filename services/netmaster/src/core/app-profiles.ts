/**
 * App profile create/update/delete (Contiv's AppProfileCreate/Update/Delete).
 * Contiv pushed app profiles to an ACI fabric; without ACI (always, here)
 * they are bookkeeping only: every group named must exist, a group belongs to
 * at most one app profile, and a group cannot be deleted while one names it
 * (core/groups.ts). The group's `AppProfile` link is computed on read.
 */
import { appProfileKey, objectKey, type AppProfileConfig } from '@contiv/model';
import type { TxnCondition } from '@contiv/store';
import { NetmasterError } from '../errors';
import { OBJECT_TYPES } from './catalog';
import { MAX_ATTEMPTS, type Core } from './context';
import { absent, del, put, unchanged } from './store-writer';

function sameGroups(a: AppProfileConfig, b: AppProfileConfig): boolean {
  return JSON.stringify(a.endpointGroups ?? []) === JSON.stringify(b.endpointGroups ?? []);
}

export class AppProfileService {
  constructor(private readonly core: Core) {}

  /** Creates the profile or replaces its group list; an identical re-POST writes nothing. */
  async upsert(cfg: AppProfileConfig, requestId?: string): Promise<{ config: AppProfileConfig; created: boolean }> {
    const { tenantName: t, appProfileName: a } = cfg;
    const key = objectKey(OBJECT_TYPES.appProfile, appProfileKey(t, a));
    return this.core.locks.tenantWrite(t, async () => {
      for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
        const existing = this.core.catalog.appProfile(t, a);
        if (existing && sameGroups(existing.value, cfg)) return { config: existing.value, created: false };
        const conditions = [...this.groupConditions(cfg), existing ? unchanged(existing.key, existing.modRevision) : absent(key)];
        if (await this.core.writer.txn(conditions, [put(key, JSON.stringify(cfg))])) {
          const before = existing?.value.endpointGroups ?? [];
          const after = cfg.endpointGroups ?? [];
          this.core.log.info(existing ? 'Updated app profile' : 'Created app profile', {
            appProfile: appProfileKey(t, a),
            added: after.filter((g) => !before.includes(g)),
            removed: before.filter((g) => !after.includes(g)),
            requestId,
          });
          return { config: cfg, created: !existing };
        }
        await this.core.writer.refresh(conditions.map((x) => x.key));
      }
      throw new NetmasterError('INTERNAL', `app profile ${t}:${a}: gave up after ${MAX_ATTEMPTS} conflicting store writes`);
    });
  }

  /**
   * The tenant and every group named must exist, and no group may be in
   * another app profile; their revisions become conditions of the write.
   */
  private groupConditions(cfg: AppProfileConfig): TxnCondition[] {
    const { tenantName: t, appProfileName: a } = cfg;
    const c = this.core.catalog;
    const tenant = c.tenant(t);
    if (!tenant) throw new NetmasterError('NOT_FOUND', `Tenant ${t} not found`);
    const groups = cfg.endpointGroups ?? [];
    const missing = groups.filter((g) => !c.group(t, g));
    if (missing.length === 1) throw new NetmasterError('NOT_FOUND', `EndpointGroup ${missing[0] ?? ''} not found (tenant ${t})`);
    if (missing.length > 1) throw new NetmasterError('NOT_FOUND', `EndpointGroups ${missing.join(', ')} not found (tenant ${t})`);
    const taken = groups.flatMap((g) =>
      c
        .appProfilesNamingGroup(t, g)
        .filter((other) => other.value.appProfileName !== a)
        .map((other) => `${g} (in ${other.value.appProfileName})`),
    );
    if (taken.length > 0) {
      throw new NetmasterError('IN_USE', `an endpoint group belongs to at most one app profile: ${taken.join(', ')} (tenant ${t}); remove it from that profile first`);
    }
    return [unchanged(tenant.key, tenant.modRevision), ...groups.map((g) => c.group(t, g)).flatMap((v) => (v ? [unchanged(v.key, v.modRevision)] : []))];
  }

  async delete(t: string, a: string, requestId?: string): Promise<void> {
    await this.core.locks.tenantWrite(t, async () => {
      for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
        const existing = this.core.catalog.appProfile(t, a);
        if (!existing) throw new NetmasterError('NOT_FOUND', `appProfile ${t}:${a} not found`);
        const conditions = [unchanged(existing.key, existing.modRevision)];
        if (await this.core.writer.txn(conditions, [del(existing.key)])) {
          this.core.log.info('Deleted app profile', { appProfile: appProfileKey(t, a), requestId });
          return;
        }
        await this.core.writer.refresh(conditions.map((x) => x.key));
      }
      throw new NetmasterError('INTERNAL', `app profile ${t}:${a}: gave up after ${MAX_ATTEMPTS} conflicting store writes`);
    });
  }
}
