/**
 * Endpoint group create/update/delete (Contiv's EndpointGroupCreate/Update/
 * Delete). The policies, netprofile and external contracts groups a group
 * names must exist; its GroupState carries its policies and a copy of its
 * netprofile's settings (bandwidth, burst, DSCP) for the agents.
 */
import {
  defaultGroupTag,
  endpointGroupKey,
  groupStateCodec,
  groupStateKey,
  idAllocationCodec,
  MAX_GROUP_ID,
  objectKey,
  parseAddressSpan,
  spansFromSorted,
  formatAddressSpans,
  groupQosOf,
  spansOverlap,
  type EndpointGroupConfig,
  type GroupQos,
  type GroupState,
} from '@contiv/model';
import type { TxnCondition, TxnOp } from '@contiv/store';
import { NetmasterError } from '../errors';
import { OBJECT_TYPES, type Versioned } from './catalog';
import { groupOwner, MAX_ATTEMPTS, type Core } from './context';
import { absent, del, put, unchanged } from './store-writer';

function sameList(a: readonly string[] | undefined, b: readonly string[] | undefined): boolean {
  return JSON.stringify(a ?? []) === JSON.stringify(b ?? []);
}

export class GroupService {
  constructor(
    private readonly core: Core,
    /** Networks being created right now (their names are taken too). */
    private readonly pendingNetworkNames: (tenant: string) => string[],
  ) {}

  async upsert(cfg: EndpointGroupConfig, requestId?: string): Promise<{ config: EndpointGroupConfig; created: boolean }> {
    const { tenantName: t, groupName: g, networkName: n } = cfg;
    return this.core.locks.tenantWrite(t, () =>
      this.core.locks.networkWrite(t, n, async () => {
        for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
          const existing = this.core.catalog.group(t, g);
          const done = existing ? await this.tryUpdate(existing, cfg) : await this.tryCreate(cfg);
          if (done) {
            this.core.log.info(existing ? 'Updated endpoint group' : 'Created endpoint group', { group: endpointGroupKey(t, g), network: n, requestId });
            return { config: cfg, created: !existing };
          }
        }
        throw new NetmasterError('INTERNAL', `endpoint group ${t}:${g}: gave up after ${MAX_ATTEMPTS} conflicting store writes`);
      }),
    );
  }

  private checkNew(cfg: EndpointGroupConfig): void {
    const { tenantName: t, groupName: g, networkName: n } = cfg;
    const c = this.core.catalog;
    if (!c.tenant(t)) throw new NetmasterError('NOT_FOUND', `Tenant ${t} not found`);
    if (!c.network(t, n)) throw new NetmasterError('NOT_FOUND', `Network ${n} not found (tenant ${t})`);
    if (c.network(t, g) || this.pendingNetworkNames(t).includes(g)) {
      throw new NetmasterError('ALREADY_EXISTS', `EndpointGroup ${g} conflicts with the network name (tenant ${t})`);
    }
    if (cfg.ipPool) this.checkPool(cfg);
  }

  /**
   * The policies, netprofile and external contracts groups the group names,
   * each of which must exist (Contiv: "Policy not found", "netprofile not
   * found", "External contracts group ... not found"); their revisions become
   * conditions of the group's write, so one deleted or changed meanwhile fails
   * it. Also the settings the group takes from its netprofile.
   */
  private references(cfg: EndpointGroupConfig): { conditions: TxnCondition[]; qos: GroupQos } {
    const { tenantName: t } = cfg;
    const c = this.core.catalog;
    const missing: string[] = [];
    const conditions: TxnCondition[] = [];
    for (const p of new Set(cfg.policies ?? [])) {
      const policy = c.policy(t, p);
      if (policy) conditions.push(unchanged(policy.key, policy.modRevision));
      else missing.push(p);
    }
    if (missing.length === 1) throw new NetmasterError('NOT_FOUND', `Policy ${missing[0] ?? ''} not found (tenant ${t})`);
    if (missing.length > 1) throw new NetmasterError('NOT_FOUND', `Policies ${missing.join(', ')} not found (tenant ${t})`);
    const profile = cfg.netProfile ? c.netProfile(t, cfg.netProfile) : undefined;
    if (cfg.netProfile && !profile) throw new NetmasterError('NOT_FOUND', `netprofile ${cfg.netProfile} not found (tenant ${t})`);
    if (profile) conditions.push(unchanged(profile.key, profile.modRevision));
    for (const x of new Set(cfg.extContractsGrps ?? [])) {
      const contracts = c.extContractsGroup(t, x);
      if (!contracts) throw new NetmasterError('NOT_FOUND', `External contracts group ${x} not found (tenant ${t})`);
      conditions.push(unchanged(contracts.key, contracts.modRevision));
    }
    return { conditions, qos: groupQosOf(profile?.value) };
  }

  /** An ipPool must lie inside the network's subnet, not overlap another group's, and be free. */
  private checkPool(cfg: EndpointGroupConfig): void {
    const { tenantName: t, groupName: g, networkName: n } = cfg;
    const pool = this.core.ips.pool(t, n);
    const span = parseAddressSpan(cfg.ipPool ?? '');
    if (!span) throw new NetmasterError('INVALID_ARGUMENT', `bad ip-pool ${cfg.ipPool}`);
    if (span.start <= pool.network || span.end >= pool.broadcast) {
      throw new NetmasterError('INVALID_ARGUMENT', `bad ip-pool ${cfg.ipPool}, EPG ip-pool must be a subset of network ${pool.cidr}`);
    }
    for (const other of this.core.catalog.groupsOfNetwork(t, n)) {
      const theirs = other.value.ipPool ? parseAddressSpan(other.value.ipPool) : undefined;
      if (other.value.groupName !== g && theirs && spansOverlap(span, theirs)) {
        throw new NetmasterError('SUBNET_OVERLAP', `ip-pool ${cfg.ipPool} overlaps the ip-pool ${other.value.ipPool} of group ${t}:${other.value.groupName}`);
      }
    }
    const taken = this.core.ips.allocated(t, n).filter((a) => a >= span.start && a <= span.end);
    if (taken.length > 0) {
      throw new NetmasterError('ADDRESS_IN_USE', `ip-pool ${cfg.ipPool} has addresses in use: ${formatAddressSpans(spansFromSorted(taken))}`);
    }
  }

  private groupState(cfg: EndpointGroupConfig, groupId: number, qos: GroupQos): GroupState {
    return {
      tenantName: cfg.tenantName,
      groupName: cfg.groupName,
      networkName: cfg.networkName,
      groupId,
      policies: cfg.policies ?? [],
      ipPool: cfg.ipPool ?? '',
      groupTag: cfg.cfgdTag || defaultGroupTag(cfg.tenantName, cfg.groupName),
      netProfile: cfg.netProfile ?? '',
      ...qos,
    };
  }

  private async tryCreate(cfg: EndpointGroupConfig): Promise<boolean> {
    this.checkNew(cfg);
    const refs = this.references(cfg);
    const { tenantName: t, groupName: g } = cfg;
    const id = this.core.groupIds.reserveLowest({ start: 1, end: MAX_GROUP_ID });
    if (id === undefined) throw new NetmasterError('TAG_POOL_EXHAUSTED', `no group ids available (1-${MAX_GROUP_ID})`);
    try {
      const objKey = objectKey(OBJECT_TYPES.group, endpointGroupKey(t, g));
      const stateKey = groupStateKey(t, g);
      const idKey = this.core.groupIds.keyOf(id);
      const net = this.core.catalog.network(t, cfg.networkName);
      if (!net) throw new NetmasterError('NOT_FOUND', `Network ${cfg.networkName} not found (tenant ${t})`);
      const conditions: TxnCondition[] = [absent(objKey), absent(stateKey), absent(idKey), unchanged(net.key, net.modRevision), ...refs.conditions];
      const ops: TxnOp[] = [
        put(objKey, JSON.stringify(cfg)),
        put(stateKey, groupStateCodec.encode(this.groupState(cfg, id, refs.qos))),
        put(idKey, idAllocationCodec.encode({ owner: groupOwner(t, g), allocatedAt: this.core.now().toISOString() })),
      ];
      if (await this.core.writer.txn(conditions, ops)) return true;
      await this.core.writer.refresh(conditions.map((c) => c.key));
      return false;
    } finally {
      this.core.groupIds.unreserve(id);
    }
  }

  private async tryUpdate(existing: Versioned<EndpointGroupConfig>, cfg: EndpointGroupConfig): Promise<boolean> {
    const { tenantName: t, groupName: g } = cfg;
    const old = existing.value;
    if (old.networkName !== cfg.networkName) throw new NetmasterError('IMMUTABLE', `Cannot change network association after epg is created. (group ${t}:${g} is on network ${old.networkName})`);
    if ((old.ipPool ?? '') !== (cfg.ipPool ?? '')) throw new NetmasterError('IMMUTABLE', `Cannot change IP pool after epg is created. (group ${t}:${g} has ip-pool ${old.ipPool ?? '""'})`);
    const unchangedCfg =
      sameList(old.policies, cfg.policies) &&
      sameList(old.extContractsGrps, cfg.extContractsGrps) &&
      (old.netProfile ?? '') === (cfg.netProfile ?? '') &&
      (old.cfgdTag ?? '') === (cfg.cfgdTag ?? '');
    if (unchangedCfg) return true;
    const refs = this.references(cfg);
    const state = this.core.catalog.groupState(t, g);
    if (!state) throw new NetmasterError('INTERNAL', `endpoint group ${t}:${g} has no state record`);
    const conditions = [unchanged(existing.key, existing.modRevision), unchanged(state.key, state.modRevision), ...refs.conditions];
    const ops = [put(existing.key, JSON.stringify(cfg)), put(state.key, groupStateCodec.encode(this.groupState(cfg, state.value.groupId, refs.qos)))];
    if (await this.core.writer.txn(conditions, ops)) return true;
    await this.core.writer.refresh(conditions.map((c) => c.key));
    return false;
  }

  /** Refused while endpoints use the group or rules or an app profile name it; releases its id and state. */
  async delete(t: string, g: string, requestId?: string): Promise<void> {
    const existing = this.core.catalog.group(t, g);
    if (!existing) throw new NetmasterError('NOT_FOUND', `endpointGroup ${t}:${g} not found`);
    const n = existing.value.networkName;
    await this.core.locks.tenantWrite(t, () =>
      this.core.locks.networkWrite(t, n, async () => {
        for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
          const cur = this.core.catalog.group(t, g);
          if (!cur) throw new NetmasterError('NOT_FOUND', `endpointGroup ${t}:${g} not found`);
          const eps = this.core.catalog.endpointsOfNetwork(t, n).filter((e) => e.groupName === g);
          if (eps.length > 0) throw new NetmasterError('IN_USE', `cannot delete ${g} has ${eps.length} endpoints`);
          const rules = this.core.catalog.rulesNamingGroup(t, g).map((r) => `${r.value.policyName}:${r.value.ruleId}`);
          if (rules.length > 0) throw new NetmasterError('IN_USE', `cannot delete ${g} has ${rules.length} policy rules: ${rules.join(', ')} (tenant ${t})`);
          const apps = this.core.catalog.appProfilesNamingGroup(t, g).map((a) => a.value.appProfileName);
          if (apps.length > 0) throw new NetmasterError('IN_USE', `Cannot delete ${g}, associated to appProfile ${apps.join(', ')} (tenant ${t}; remove it from the app profile first)`);
          const state = this.core.catalog.groupState(t, g);
          const conditions: TxnCondition[] = [unchanged(cur.key, cur.modRevision)];
          const ops: TxnOp[] = [del(cur.key)];
          if (state) {
            conditions.push(unchanged(state.key, state.modRevision));
            ops.push(del(state.key));
            const idKey = this.core.groupIds.keyOf(state.value.groupId);
            const held = this.core.catalog.mirror.get(idKey);
            // Only the group's own id: an id key held by another owner is not this group's to free.
            if (held && heldBy(held.value, groupOwner(t, g))) {
              conditions.push(unchanged(idKey, held.modRevision));
              ops.push(del(idKey));
            }
          }
          // The group's Docker networks (legacy mode) go with it on the agents; so do their mappings.
          for (const m of this.core.catalog.dockerMappings()) {
            if (m.value.tenantName === t && m.value.groupName === g) ops.push(del(m.key));
          }
          if (await this.core.writer.txn(conditions, ops)) {
            this.core.log.info('Deleted endpoint group', { group: endpointGroupKey(t, g), requestId });
            return;
          }
          await this.core.writer.refresh(conditions.map((c) => c.key));
        }
        throw new NetmasterError('INTERNAL', `endpoint group ${t}:${g}: gave up after ${MAX_ATTEMPTS} conflicting store writes`);
      }),
    );
  }
}

function heldBy(raw: string, owner: string): boolean {
  try {
    return idAllocationCodec.decode(raw).owner === owner;
  } catch {
    return false;
  }
}
