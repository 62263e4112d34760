/**
 * The agent's read-only view of netmaster's resolved state (networks, groups,
 * policy rules, global settings, serviceLBs), mirrored from the store and kept while the store is down.
 * Address allocations and endpoint records are not mirrored (there are many,
 * and only swarm's IPAM asks about single ones): they are read on demand.
 */
import {
  endpointKey,
  ipAllocationCodec,
  ipAllocKey,
  globalStateCodec,
  globalStateKey,
  groupStateCodec,
  groupStateKey,
  groupStatePrefix,
  networkStateCodec,
  networkStateKey,
  networkStatePrefix,
  ruleStateCodec,
  ruleStatePrefix,
  decodeConfig,
  serviceLbPrefix,
  serviceLbSpec,
  type ServiceLbConfig,
  type GlobalState,
  type RuleState,
  type GroupState,
  type IpAllocation,
  type NetworkState,
} from '@contiv/model';
import type { Logger } from '@contiv/runtime';
import type { Store } from '@contiv/store';
import { PrefixMirror } from '../controller/prefix-mirror';

export class StateCache {
  private readonly networks: PrefixMirror<NetworkState>;
  private readonly groups: PrefixMirror<GroupState>;
  private readonly global: PrefixMirror<GlobalState>;
  private readonly rules: PrefixMirror<RuleState>;
  private readonly services: PrefixMirror<ServiceLbConfig>;
  private listeners: Array<() => void> = [];

  constructor(
    private readonly store: Store,
    log: Logger,
  ) {
    const l = log.child({ component: 'state' });
    this.networks = new PrefixMirror({ store, prefix: networkStatePrefix(), what: 'networks', decode: (r, k) => networkStateCodec.decode(r, k), log: l });
    this.groups = new PrefixMirror({ store, prefix: groupStatePrefix(), what: 'groups', decode: (r, k) => groupStateCodec.decode(r, k), log: l });
    this.global = new PrefixMirror({ store, prefix: globalStateKey(), what: 'global', decode: (r, k) => globalStateCodec.decode(r, k), log: l });
    this.rules = new PrefixMirror({ store, prefix: ruleStatePrefix(), what: 'policy rules', decode: (r, k) => ruleStateCodec.decode(r, k), log: l });
    this.services = new PrefixMirror({ store, prefix: serviceLbPrefix(), what: 'serviceLBs', decode: (r, k) => decodeConfig(serviceLbSpec, r, k), log: l });
    for (const m of [this.networks, this.groups, this.global, this.rules, this.services] as Array<PrefixMirror<unknown>>) {
      m.onChange(() => this.changed());
      m.onSynced(() => this.changed());
    }
  }

  start(): void {
    this.networks.start();
    this.groups.start();
    this.global.start();
    this.rules.start();
    this.services.start();
  }

  async stop(): Promise<void> {
    await Promise.all([this.networks.stop(), this.groups.stop(), this.global.stop(), this.rules.stop(), this.services.stop()]);
  }

  /** Called after any change, and when each mirror has its first listing (so isSynced() may have turned true). */
  onChange(listener: () => void): void {
    this.listeners.push(listener);
  }

  /** Networks, groups, rules and serviceLBs have been listed once. */
  isSynced(): boolean {
    return this.networks.isSynced() && this.groups.isSynced() && this.rules.isSynced() && this.services.isSynced();
  }

  async waitSynced(timeoutMs: number): Promise<boolean> {
    const synced = await Promise.all([this.networks.waitSynced(timeoutMs), this.groups.waitSynced(timeoutMs), this.rules.waitSynced(timeoutMs), this.services.waitSynced(timeoutMs)]);
    return synced.every(Boolean);
  }

  network(tenant: string, name: string): NetworkState | undefined {
    return this.networks.entries.get(networkStateKey(tenant, name));
  }

  group(tenant: string, name: string): GroupState | undefined {
    return this.groups.entries.get(groupStateKey(tenant, name));
  }

  /** Every policy rule (state/rules/), whatever groups use its policy. */
  allRules(): RuleState[] {
    return [...this.rules.entries.values()];
  }

  /** Every serviceLB (obj/serviceLB/), each with its VIP in ipAddress. */
  allServiceLbs(): ServiceLbConfig[] {
    return [...this.services.entries.values()];
  }

  allNetworks(): NetworkState[] {
    return [...this.networks.entries.values()];
  }

  allGroups(): GroupState[] {
    return [...this.groups.entries.values()];
  }

  globalState(): GlobalState | undefined {
    return this.global.entries.get(globalStateKey());
  }

  networkByTag(tag: string): NetworkState | undefined {
    return this.allNetworks().find((n) => n.networkTag === tag);
  }

  groupByTag(tag: string): GroupState | undefined {
    return this.allGroups().find((g) => g.groupTag === tag);
  }

  /** A network made from Docker (origin docker) with this Docker network id. */
  networkByDockerId(dockerNetworkId: string): NetworkState | undefined {
    return this.allNetworks().find((n) => n.origin === 'docker' && n.dockerNetworkId === dockerNetworkId);
  }

  /** Who holds an address right now (read from the store, not cached); undefined if it is free. */
  async readAllocation(tenant: string, network: string, ip: string): Promise<IpAllocation | undefined> {
    const key = ipAllocKey(tenant, network, ip);
    const e = await this.store.get(key);
    return e ? ipAllocationCodec.decode(e.value, key) : undefined;
  }

  /** Whether an endpoint record exists right now (read from the store). */
  async endpointExists(endpointId: string): Promise<boolean> {
    return (await this.store.get(endpointKey(endpointId))) !== undefined;
  }

  private changed(): void {
    for (const l of this.listeners) l();
  }
}
