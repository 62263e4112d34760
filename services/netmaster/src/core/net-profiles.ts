/**
 * Netprofile create/update/delete (Contiv's NetprofileCreate/Update/Delete).
 * Groups name a profile in their `netProfile`; each such group's GroupState
 * carries a copy of the profile's settings (core/groups.ts), so an update
 * rewrites those GroupStates together with the profile and the agents
 * reprogram the groups' endpoints from them.
 */
import { groupQosOf, groupStateCodec, netProfileKey, netProfilesEqual, objectKey, type NetProfileConfig } from '@contiv/model';
import type { TxnCondition, TxnOp } from '@contiv/store';
import { NetmasterError } from '../errors';
import { OBJECT_TYPES } from './catalog';
import { MAX_ATTEMPTS, type Core } from './context';
import { absent, del, put, unchanged } from './store-writer';

/** GroupStates rewritten per transaction: a condition and a put each, well under etcd's (128) and Consul's (64) caps. */
export const GROUPS_PER_UPDATE_TXN = 20;

interface Batch {
  conditions: TxnCondition[];
  ops: TxnOp[];
}

export class NetProfileService {
  constructor(private readonly core: Core) {}

  /** Creates the profile, or updates it and every GroupState using it; an identical re-POST writes nothing. */
  async upsert(cfg: NetProfileConfig, requestId?: string): Promise<{ config: NetProfileConfig; created: boolean }> {
    const { tenantName: t, profileName: p } = cfg;
    const key = objectKey(OBJECT_TYPES.netProfile, netProfileKey(t, p));
    return this.core.locks.tenantWrite(t, async () => {
      for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
        const c = this.core.catalog;
        const existing = c.netProfile(t, p);
        if (existing && netProfilesEqual(existing.value, cfg)) return { config: existing.value, created: false };
        if (!existing) {
          const tenant = c.tenant(t);
          if (!tenant) throw new NetmasterError('NOT_FOUND', `Tenant ${t} not found`);
          const conditions = [absent(key), unchanged(tenant.key, tenant.modRevision)];
          if (await this.core.writer.txn(conditions, [put(key, JSON.stringify(cfg))])) {
            this.core.log.info('Created netprofile', { netprofile: netProfileKey(t, p), requestId });
            return { config: cfg, created: true };
          }
          await this.core.writer.refresh(conditions.map((x) => x.key));
          continue;
        }
        const batches = this.groupStateBatches(cfg);
        const last = batches.pop() ?? { conditions: [], ops: [] };
        last.conditions.push(unchanged(existing.key, existing.modRevision));
        last.ops.push(put(existing.key, JSON.stringify(cfg)));
        // All but the last batch of GroupStates go first; the last goes with the profile itself.
        let ok = true;
        for (const b of [...batches, last]) {
          if (!(await this.core.writer.txn(b.conditions, b.ops))) {
            await this.core.writer.refresh(b.conditions.map((x) => x.key));
            ok = false;
            break;
          }
        }
        if (ok) {
          const groups = c.groupsUsingNetProfile(t, p).map((g) => g.value.groupName);
          this.core.log.info('Updated netprofile', { netprofile: netProfileKey(t, p), groups, requestId });
          return { config: cfg, created: false };
        }
      }
      throw new NetmasterError('INTERNAL', `netprofile ${t}:${p}: gave up after ${MAX_ATTEMPTS} conflicting store writes`);
    });
  }

  /** The GroupStates of the groups using the profile, with the new settings, in transaction-sized batches. */
  private groupStateBatches(cfg: NetProfileConfig): Batch[] {
    const { tenantName: t, profileName: p } = cfg;
    const qos = groupQosOf(cfg);
    const batches: Batch[] = [];
    for (const g of this.core.catalog.groupsUsingNetProfile(t, p)) {
      const state = this.core.catalog.groupState(t, g.value.groupName);
      if (!state) throw new NetmasterError('INTERNAL', `endpoint group ${t}:${g.value.groupName} has no state record`);
      let batch = batches[batches.length - 1];
      if (!batch || batch.ops.length >= GROUPS_PER_UPDATE_TXN) {
        batch = { conditions: [], ops: [] };
        batches.push(batch);
      }
      batch.conditions.push(unchanged(state.key, state.modRevision));
      batch.ops.push(put(state.key, groupStateCodec.encode({ ...state.value, netProfile: p, ...qos })));
    }
    return batches;
  }

  /** Refused while groups use the profile (the message names them). */
  async delete(t: string, p: string, requestId?: string): Promise<void> {
    await this.core.locks.tenantWrite(t, async () => {
      const c = this.core.catalog;
      for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
        const existing = c.netProfile(t, p);
        if (!existing) throw new NetmasterError('NOT_FOUND', `netprofile ${t}:${p} not found`);
        const users = c.groupsUsingNetProfile(t, p).map((g) => g.value.groupName);
        if (users.length > 0) throw new NetmasterError('IN_USE', `NetProfile ${p} is being used by ${users.length} endpoint groups: ${users.join(', ')} (tenant ${t})`);
        const conditions = [unchanged(existing.key, existing.modRevision)];
        if (await this.core.writer.txn(conditions, [del(existing.key)])) {
          this.core.log.info('Deleted netprofile', { netprofile: netProfileKey(t, p), requestId });
          return;
        }
        await this.core.writer.refresh(conditions.map((x) => x.key));
      }
      throw new NetmasterError('INTERNAL', `netprofile ${t}:${p}: gave up after ${MAX_ATTEMPTS} conflicting store writes`);
    });
  }
}
