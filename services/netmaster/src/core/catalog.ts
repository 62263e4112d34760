/**
 * Typed, read-only views over the mirror: config objects, state records and
 * allocations. Every value is parsed with the model's codecs (cached per
 * revision); a record that does not parse is logged once and skipped, so one
 * bad key cannot take the API down.
 */
import {
  appProfileKey,
  appProfileSpec,
  decodeConfig,
  dockerNetworkMappingCodec,
  dockerNetworkKey,
  dockerNetworkRootPrefix,
  nodePrefix,
  endpointGroupKey,
  endpointGroupSpec,
  endpointKey,
  endpointPrefix,
  endpointStateCodec,
  extContractsGroupKey,
  extContractsGroupSpec,
  GLOBAL_KEY,
  globalSpec,
  groupIdAllocPrefix,
  groupStateCodec,
  groupStateKey,
  networkKey,
  networkSpec,
  networkStateCodec,
  networkStateKey,
  netProfileKey,
  netProfileSpec,
  objectKey,
  objectPrefix,
  policyKey,
  policySpec,
  ruleKey,
  ruleSpec,
  ruleStateCodec,
  ruleStateKey,
  ruleStatePrefix,
  tenantSpec,
  serviceLbKey,
  serviceLbPrefix,
  serviceLbSpec,
  type ServiceLbConfig,
  vlanAllocPrefix,
  vxlanAllocPrefix,
  type AppProfileConfig,
  type DockerNetworkMapping,
  type EndpointGroupConfig,
  type EndpointState,
  type ExtContractsGroupConfig,
  type GlobalConfig,
  type GroupState,
  type NetworkConfig,
  type NetworkState,
  type NetProfileConfig,
  type PolicyConfig,
  type RuleConfig,
  type RuleState,
  type StateCodec,
  type TenantConfig,
} from '@contiv/model';
import type { Logger } from '@contiv/runtime';
import type { MirrorEntry, StoreMirror } from './store-mirror';

/** A parsed value with the revision it was read at (for compare-and-swap). */
export interface Versioned<T> {
  readonly key: string;
  readonly value: T;
  readonly modRevision: number;
}

export const OBJECT_TYPES = {
  tenant: 'tenant',
  network: 'network',
  group: 'endpointGroup',
  policy: 'policy',
  rule: 'rule',
  global: 'global',
  netProfile: 'netprofile',
  appProfile: 'appProfile',
  extContracts: 'extContractsGroup',
} as const;

/** Prefixes whose keys the catalog lists often: indexed by the mirror. */
export function catalogBuckets(): string[] {
  return [
    objectPrefix(OBJECT_TYPES.tenant),
    objectPrefix(OBJECT_TYPES.network),
    objectPrefix(OBJECT_TYPES.group),
    objectPrefix(OBJECT_TYPES.policy),
    objectPrefix(OBJECT_TYPES.rule),
    objectPrefix(OBJECT_TYPES.global),
    objectPrefix(OBJECT_TYPES.netProfile),
    objectPrefix(OBJECT_TYPES.appProfile),
    objectPrefix(OBJECT_TYPES.extContracts),
    serviceLbPrefix(),
    ruleStatePrefix(),
    endpointPrefix(),
    vlanAllocPrefix(),
    vxlanAllocPrefix(),
    groupIdAllocPrefix(),
    dockerNetworkRootPrefix(),
    nodePrefix(),
  ];
}

export class Catalog {
  private readonly reported = new Set<string>();

  constructor(
    readonly mirror: StoreMirror,
    private readonly log: Logger,
  ) {
    for (const prefix of catalogBuckets()) mirror.addBucket(prefix);
  }

  // ---- generic decoding ----

  private decode<T>(entry: MirrorEntry | undefined, parse: (raw: string, where: string) => T): Versioned<T> | undefined {
    if (!entry) return undefined;
    if (entry.decoded === undefined) {
      try {
        entry.decoded = parse(entry.value, entry.key);
      } catch (err) {
        if (!this.reported.has(`${entry.key}@${entry.modRevision}`)) {
          this.reported.add(`${entry.key}@${entry.modRevision}`);
          this.log.error('Ignoring a store record that does not parse', { key: entry.key, err });
        }
        return undefined;
      }
    }
    return { key: entry.key, value: entry.decoded as T, modRevision: entry.modRevision };
  }

  private state<T>(key: string, codec: StateCodec<T>): Versioned<T> | undefined {
    return this.decode(this.mirror.get(key), (raw, where) => codec.decode(raw, where));
  }

  private all<T>(prefix: string, parse: (raw: string, where: string) => T): Versioned<T>[] {
    const out: Versioned<T>[] = [];
    for (const e of this.mirror.list(prefix)) {
      const v = this.decode(e, parse);
      if (v) out.push(v);
    }
    return out.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }

  // ---- config objects ----

  tenant(name: string): Versioned<TenantConfig> | undefined {
    return this.decode(this.mirror.get(objectKey(OBJECT_TYPES.tenant, name)), (raw, w) => decodeConfig(tenantSpec, raw, w));
  }

  tenants(): Versioned<TenantConfig>[] {
    return this.all(objectPrefix(OBJECT_TYPES.tenant), (raw, w) => decodeConfig(tenantSpec, raw, w));
  }

  network(tenant: string, name: string): Versioned<NetworkConfig> | undefined {
    return this.decode(this.mirror.get(objectKey(OBJECT_TYPES.network, networkKey(tenant, name))), (raw, w) => decodeConfig(networkSpec, raw, w));
  }

  /** The networks of one tenant in no particular order (cheaper than networks(t) on the request path). */
  networksOf(tenant: string): NetworkConfig[] {
    const out: NetworkConfig[] = [];
    for (const e of this.mirror.list(objectPrefix(OBJECT_TYPES.network))) {
      const v = this.decode(e, (raw, w) => decodeConfig(networkSpec, raw, w));
      if (v && v.value.tenantName === tenant) out.push(v.value);
    }
    return out;
  }

  networks(tenant?: string): Versioned<NetworkConfig>[] {
    const all = this.all(objectPrefix(OBJECT_TYPES.network), (raw, w) => decodeConfig(networkSpec, raw, w));
    return tenant === undefined ? all : all.filter((n) => n.value.tenantName === tenant);
  }

  group(tenant: string, name: string): Versioned<EndpointGroupConfig> | undefined {
    return this.decode(this.mirror.get(objectKey(OBJECT_TYPES.group, endpointGroupKey(tenant, name))), (raw, w) => decodeConfig(endpointGroupSpec, raw, w));
  }

  groups(tenant?: string): Versioned<EndpointGroupConfig>[] {
    const all = this.all(objectPrefix(OBJECT_TYPES.group), (raw, w) => decodeConfig(endpointGroupSpec, raw, w));
    return tenant === undefined ? all : all.filter((g) => g.value.tenantName === tenant);
  }

  groupsOfNetwork(tenant: string, network: string): Versioned<EndpointGroupConfig>[] {
    return this.groups(tenant).filter((g) => g.value.networkName === network);
  }

  /** The groups of a tenant whose `policies` name `policy`. */
  groupsUsingPolicy(tenant: string, policy: string): Versioned<EndpointGroupConfig>[] {
    return this.groups(tenant).filter((g) => (g.value.policies ?? []).includes(policy));
  }

  policy(tenant: string, name: string): Versioned<PolicyConfig> | undefined {
    return this.decode(this.mirror.get(objectKey(OBJECT_TYPES.policy, policyKey(tenant, name))), (raw, w) => decodeConfig(policySpec, raw, w));
  }

  policies(tenant?: string): Versioned<PolicyConfig>[] {
    const all = this.all(objectPrefix(OBJECT_TYPES.policy), (raw, w) => decodeConfig(policySpec, raw, w));
    return tenant === undefined ? all : all.filter((p) => p.value.tenantName === tenant);
  }

  rule(tenant: string, policy: string, ruleId: string): Versioned<RuleConfig> | undefined {
    return this.decode(this.mirror.get(objectKey(OBJECT_TYPES.rule, ruleKey(tenant, policy, ruleId))), (raw, w) => decodeConfig(ruleSpec, raw, w));
  }

  /** Every rule, or a tenant's, or one policy's. */
  rules(tenant?: string, policy?: string): Versioned<RuleConfig>[] {
    const all = this.all(objectPrefix(OBJECT_TYPES.rule), (raw, w) => decodeConfig(ruleSpec, raw, w));
    return all.filter((r) => (tenant === undefined || r.value.tenantName === tenant) && (policy === undefined || r.value.policyName === policy));
  }

  /** The rules of a tenant that match on group `group` (their from group, or their to group). */
  rulesNamingGroup(tenant: string, group: string): Versioned<RuleConfig>[] {
    return this.rules(tenant).filter((r) => r.value.fromEndpointGroup === group || r.value.toEndpointGroup === group);
  }

  netProfile(tenant: string, name: string): Versioned<NetProfileConfig> | undefined {
    return this.decode(this.mirror.get(objectKey(OBJECT_TYPES.netProfile, netProfileKey(tenant, name))), (raw, w) => decodeConfig(netProfileSpec, raw, w));
  }

  netProfiles(tenant?: string): Versioned<NetProfileConfig>[] {
    const all = this.all(objectPrefix(OBJECT_TYPES.netProfile), (raw, w) => decodeConfig(netProfileSpec, raw, w));
    return tenant === undefined ? all : all.filter((p) => p.value.tenantName === tenant);
  }

  /** The groups of a tenant whose `netProfile` is `profile`. */
  groupsUsingNetProfile(tenant: string, profile: string): Versioned<EndpointGroupConfig>[] {
    return this.groups(tenant).filter((g) => g.value.netProfile === profile);
  }

  appProfile(tenant: string, name: string): Versioned<AppProfileConfig> | undefined {
    return this.decode(this.mirror.get(objectKey(OBJECT_TYPES.appProfile, appProfileKey(tenant, name))), (raw, w) => decodeConfig(appProfileSpec, raw, w));
  }

  appProfiles(tenant?: string): Versioned<AppProfileConfig>[] {
    const all = this.all(objectPrefix(OBJECT_TYPES.appProfile), (raw, w) => decodeConfig(appProfileSpec, raw, w));
    return tenant === undefined ? all : all.filter((a) => a.value.tenantName === tenant);
  }

  /** The app profiles of a tenant that name group `group` (at most one, unless the store was written around netmaster). */
  appProfilesNamingGroup(tenant: string, group: string): Versioned<AppProfileConfig>[] {
    return this.appProfiles(tenant).filter((a) => (a.value.endpointGroups ?? []).includes(group));
  }

  extContractsGroup(tenant: string, name: string): Versioned<ExtContractsGroupConfig> | undefined {
    return this.decode(this.mirror.get(objectKey(OBJECT_TYPES.extContracts, extContractsGroupKey(tenant, name))), (raw, w) => decodeConfig(extContractsGroupSpec, raw, w));
  }

  extContractsGroups(tenant?: string): Versioned<ExtContractsGroupConfig>[] {
    const all = this.all(objectPrefix(OBJECT_TYPES.extContracts), (raw, w) => decodeConfig(extContractsGroupSpec, raw, w));
    return tenant === undefined ? all : all.filter((x) => x.value.tenantName === tenant);
  }

  /** The groups of a tenant whose `extContractsGrps` name `name`. */
  groupsUsingExtContracts(tenant: string, name: string): Versioned<EndpointGroupConfig>[] {
    return this.groups(tenant).filter((g) => (g.value.extContractsGrps ?? []).includes(name));
  }

  serviceLb(tenant: string, name: string): Versioned<ServiceLbConfig> | undefined {
    return this.decode(this.mirror.get(serviceLbKey(tenant, name)), (raw, w) => decodeConfig(serviceLbSpec, raw, w));
  }

  serviceLbs(tenant?: string): Versioned<ServiceLbConfig>[] {
    const all = this.all(serviceLbPrefix(), (raw, w) => decodeConfig(serviceLbSpec, raw, w));
    return tenant === undefined ? all : all.filter((x) => x.value.tenantName === tenant);
  }

  servicesOfNetwork(tenant: string, network: string): Versioned<ServiceLbConfig>[] {
    return this.serviceLbs(tenant).filter((x) => x.value.networkName === network);
  }

  global(): Versioned<GlobalConfig> | undefined {
    return this.decode(this.mirror.get(objectKey(OBJECT_TYPES.global, GLOBAL_KEY)), (raw, w) => decodeConfig(globalSpec, raw, w));
  }

  // ---- state records ----

  networkState(tenant: string, name: string): Versioned<NetworkState> | undefined {
    return this.state(networkStateKey(tenant, name), networkStateCodec);
  }

  groupState(tenant: string, name: string): Versioned<GroupState> | undefined {
    return this.state(groupStateKey(tenant, name), groupStateCodec);
  }

  ruleState(tenant: string, policy: string, ruleId: string): Versioned<RuleState> | undefined {
    return this.state(ruleStateKey(tenant, policy, ruleId), ruleStateCodec);
  }

  endpoint(id: string): Versioned<EndpointState> | undefined {
    return this.state(endpointKey(id), endpointStateCodec);
  }

  endpoints(): Versioned<EndpointState>[] {
    return this.all(endpointPrefix(), (raw, w) => endpointStateCodec.decode(raw, w));
  }

  endpointsOfNetwork(tenant: string, network: string): EndpointState[] {
    return this.endpoints()
      .map((e) => e.value)
      .filter((e) => e.tenantName === tenant && e.networkName === network);
  }

  dockerMappings(): Versioned<DockerNetworkMapping>[] {
    return this.all(dockerNetworkRootPrefix(), (raw, w) => dockerNetworkMappingCodec.decode(raw, w));
  }

  dockerMapping(scope: string, dockerNetworkId: string): Versioned<DockerNetworkMapping> | undefined {
    return this.state(dockerNetworkKey(scope, dockerNetworkId), dockerNetworkMappingCodec);
  }

  // ---- id allocations ----

  /** Ids held under an allocation prefix (the key's last segment). */
  usedIds(prefix: string): Set<number> {
    const out = new Set<number>();
    for (const e of this.mirror.list(prefix)) {
      const id = Number(e.key.slice(prefix.length));
      if (Number.isInteger(id)) out.add(id);
    }
    return out;
  }
}
