/**
 * External contracts group create/delete (Contiv's ExtContractsGroupCreate/
 * Update/Delete). Groups name them in `extContractsGrps`. Only an ACI fabric
 * acts on contracts; here they are kept and referenced, nothing is programmed.
 */
import { extContractsGroupKey, extContractsGroupsEqual, objectKey, type ExtContractsGroupConfig } from '@contiv/model';
import { NetmasterError } from '../errors';
import { OBJECT_TYPES } from './catalog';
import { MAX_ATTEMPTS, type Core } from './context';
import { absent, del, put, unchanged } from './store-writer';

export class ExtContractsService {
  constructor(private readonly core: Core) {}

  /** Creates the group; an identical re-POST is a no-op, a changed one is refused (as in Contiv). */
  async create(cfg: ExtContractsGroupConfig, requestId?: string): Promise<{ config: ExtContractsGroupConfig; created: boolean }> {
    const { tenantName: t, contractsGroupName: x } = cfg;
    const key = objectKey(OBJECT_TYPES.extContracts, extContractsGroupKey(t, x));
    return this.core.locks.tenantWrite(t, async () => {
      for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
        const existing = this.core.catalog.extContractsGroup(t, x);
        if (existing) {
          if (!extContractsGroupsEqual(existing.value, cfg)) {
            throw new NetmasterError('IMMUTABLE', `external contracts update not supported (extContractsGroup ${t}:${x}; delete it and create it again)`);
          }
          return { config: existing.value, created: false };
        }
        const tenant = this.core.catalog.tenant(t);
        if (!tenant) throw new NetmasterError('NOT_FOUND', `Tenant ${t} not found`);
        const conditions = [absent(key), unchanged(tenant.key, tenant.modRevision)];
        if (await this.core.writer.txn(conditions, [put(key, JSON.stringify(cfg))])) {
          this.core.log.info('Created external contracts group', { extContractsGroup: extContractsGroupKey(t, x), requestId });
          return { config: cfg, created: true };
        }
        await this.core.writer.refresh(conditions.map((c) => c.key));
      }
      throw new NetmasterError('INTERNAL', `extContractsGroup ${t}:${x}: gave up after ${MAX_ATTEMPTS} conflicting store writes`);
    });
  }

  /** Refused while groups name it (the message names them). */
  async delete(t: string, x: string, requestId?: string): Promise<void> {
    await this.core.locks.tenantWrite(t, async () => {
      const c = this.core.catalog;
      for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
        const existing = c.extContractsGroup(t, x);
        if (!existing) throw new NetmasterError('NOT_FOUND', `extContractsGroup ${t}:${x} not found`);
        const users = c.groupsUsingExtContracts(t, x).map((g) => g.value.groupName);
        if (users.length > 0) throw new NetmasterError('IN_USE', `External contracts group ${x} is in-use by ${users.length} endpoint groups: ${users.join(', ')} (tenant ${t})`);
        const conditions = [unchanged(existing.key, existing.modRevision)];
        if (await this.core.writer.txn(conditions, [del(existing.key)])) {
          this.core.log.info('Deleted external contracts group', { extContractsGroup: extContractsGroupKey(t, x), requestId });
          return;
        }
        await this.core.writer.refresh(conditions.map((y) => y.key));
      }
      throw new NetmasterError('INTERNAL', `extContractsGroup ${t}:${x}: gave up after ${MAX_ATTEMPTS} conflicting store writes`);
    });
  }
}
