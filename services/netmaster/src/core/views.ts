/**
 * What REST returns: config objects in Contiv's wire form with their
 * relations (computed from the store on every read, never stored), and the
 * inspect `Oper` of each type.
 */
import {
  appProfileKey,
  endpointGroupKey,
  endpointOper,
  extContractsGroupKey,
  formatAddressSpans,
  formatIdSpans,
  linkSetOf,
  linkTo,
  networkKey,
  netProfileKey,
  omitEmpty,
  parseAddressSpan,
  parseIdSpan,
  policyKey,
  ruleKey,
  ruleMatchGroup,
  serviceLbRestKey,
  serviceProviders,
  type ServiceLbConfig,
  type ServiceLbOper,
  spansFromSorted,
  subtractSorted,
  toWire,
  type AppProfileConfig,
  type EndpointGroupConfig,
  type EndpointGroupOper,
  type EndpointOper,
  type EndpointState,
  type ExtContractsGroupConfig,
  type GlobalConfig,
  type GlobalOper,
  type NetworkConfig,
  type NetworkOper,
  type NetProfileConfig,
  type PolicyConfig,
  type PolicyOper,
  type RuleConfig,
  type Span,
  type TenantConfig,
  type TenantOper,
  type WireObject,
} from '@contiv/model';
import { NetmasterError } from '../errors';
import type { Core } from './context';

export class Views {
  constructor(
    private readonly core: Core,
    /** Reported as the global Oper's clusterMode (netmaster's --plugin-mode). */
    private readonly clusterMode: string,
  ) {}

  // ---- config objects ----

  tenant(cfg: TenantConfig): WireObject {
    const t = cfg.tenantName;
    const c = this.core.catalog;
    return toWire(t, cfg, {
      Networks: linkSetOf('network', c.networks(t).map((n) => networkKey(t, n.value.networkName))),
      EndpointGroups: linkSetOf('endpointGroup', c.groups(t).map((g) => endpointGroupKey(t, g.value.groupName))),
      Policies: linkSetOf('policy', c.policies(t).map((p) => policyKey(t, p.value.policyName))),
      NetProfiles: linkSetOf('netprofile', c.netProfiles(t).map((p) => netProfileKey(t, p.value.profileName))),
      AppProfiles: linkSetOf('appProfile', c.appProfiles(t).map((a) => appProfileKey(t, a.value.appProfileName))),
    });
  }

  network(cfg: NetworkConfig): WireObject {
    const { tenantName: t, networkName: n } = cfg;
    return toWire(
      networkKey(t, n),
      cfg,
      {
        EndpointGroups: linkSetOf('endpointGroup', this.core.catalog.groupsOfNetwork(t, n).map((g) => endpointGroupKey(t, g.value.groupName))),
        Servicelbs: linkSetOf('serviceLB', this.core.catalog.servicesOfNetwork(t, n).map((x) => serviceLbRestKey(t, x.value.serviceName))),
      },
      { Tenant: linkTo('tenant', t) },
    );
  }

  group(cfg: EndpointGroupConfig): WireObject {
    const { tenantName: t, groupName: g } = cfg;
    const app = this.core.catalog.appProfilesNamingGroup(t, g)[0];
    return toWire(
      endpointGroupKey(t, g),
      cfg,
      {
        Policies: linkSetOf('policy', (cfg.policies ?? []).map((p) => policyKey(t, p))),
        ExtContractsGrps: linkSetOf('extContractsGroup', (cfg.extContractsGrps ?? []).map((x) => extContractsGroupKey(t, x))),
        MatchRules: linkSetOf('rule', this.core.catalog.rulesNamingGroup(t, g).map((r) => ruleKey(t, r.value.policyName, r.value.ruleId))),
      },
      {
        AppProfile: app ? linkTo('appProfile', appProfileKey(t, app.value.appProfileName)) : {},
        NetProfile: cfg.netProfile ? linkTo('netprofile', netProfileKey(t, cfg.netProfile)) : {},
        Network: linkTo('network', networkKey(t, cfg.networkName)),
        Tenant: linkTo('tenant', t),
      },
    );
  }

  policy(cfg: PolicyConfig): WireObject {
    const { tenantName: t, policyName: p } = cfg;
    const c = this.core.catalog;
    return toWire(
      policyKey(t, p),
      cfg,
      {
        EndpointGroups: linkSetOf('endpointGroup', c.groupsUsingPolicy(t, p).map((g) => endpointGroupKey(t, g.value.groupName))),
        Rules: linkSetOf('rule', c.rules(t, p).map((r) => ruleKey(t, p, r.value.ruleId))),
      },
      { Tenant: linkTo('tenant', t) },
    );
  }

  rule(cfg: RuleConfig): WireObject {
    const { tenantName: t, policyName: p } = cfg;
    const match = ruleMatchGroup(cfg);
    return toWire(
      ruleKey(t, p, cfg.ruleId),
      cfg,
      { Policies: linkSetOf('policy', [policyKey(t, p)]) },
      { MatchEndpointGroup: match ? linkTo('endpointGroup', endpointGroupKey(t, match)) : {} },
    );
  }

  netProfile(cfg: NetProfileConfig): WireObject {
    const { tenantName: t, profileName: p } = cfg;
    return toWire(
      netProfileKey(t, p),
      cfg,
      { EndpointGroups: linkSetOf('endpointGroup', this.core.catalog.groupsUsingNetProfile(t, p).map((g) => endpointGroupKey(t, g.value.groupName))) },
      { Tenant: linkTo('tenant', t) },
    );
  }

  appProfile(cfg: AppProfileConfig): WireObject {
    const { tenantName: t, appProfileName: a } = cfg;
    return toWire(
      appProfileKey(t, a),
      cfg,
      { EndpointGroups: linkSetOf('endpointGroup', (cfg.endpointGroups ?? []).map((g) => endpointGroupKey(t, g))) },
      { Tenant: linkTo('tenant', t) },
    );
  }

  /** External contracts groups have link-sets but no links member (contivmodel extContractsGroup.json). */
  extContractsGroup(cfg: ExtContractsGroupConfig): WireObject {
    const { tenantName: t, contractsGroupName: x } = cfg;
    return toWire(extContractsGroupKey(t, x), cfg, {
      EndpointGroups: linkSetOf('endpointGroup', this.core.catalog.groupsUsingExtContracts(t, x).map((g) => endpointGroupKey(t, g.value.groupName))),
    });
  }

  serviceLb(cfg: ServiceLbConfig): WireObject {
    const { tenantName: t, serviceName: x } = cfg;
    return toWire(serviceLbRestKey(t, x), cfg, {}, { Network: linkTo('network', networkKey(t, cfg.networkName)), Tenant: linkTo('tenant', t) });
  }

  global(cfg: GlobalConfig): WireObject {
    return toWire(cfg.name, cfg);
  }

  // ---- oper ----

  private endpointOpers(eps: EndpointState[]): EndpointOper[] {
    return eps.map((e) => endpointOper(e, e.groupName ? (this.core.catalog.groupState(e.tenantName, e.groupName)?.value.groupId ?? 0) : 0));
  }

  /** Addresses of a network inside `span`, and what is left of `span` (`skip` excluded too). */
  private addresses(t: string, n: string, span: Span | undefined, skip: number | undefined): { allocated: number[]; available: string } {
    const used = this.core.ips.allocated(t, n);
    const allocated = span ? used.filter((a) => a >= span.start && a <= span.end) : used;
    if (!span) return { allocated, available: '' };
    const excluded = skip === undefined ? allocated : [...new Set([...allocated, skip])].sort((a, b) => a - b);
    return { allocated, available: formatAddressSpans(subtractSorted(span, excluded)) };
  }

  networkOper(t: string, n: string): NetworkOper {
    const pool = this.core.ips.pool(t, n);
    const st = pool.state.value;
    const eps = this.core.catalog.endpointsOfNetwork(t, n);
    const allocated = this.core.ips.allocated(t, n);
    const { available } = this.addresses(t, n, pool.span, pool.gateway);
    // Contiv listed the gateway among the allocated addresses but did not count it.
    const shown = pool.gateway === undefined ? allocated : [...new Set([...allocated, pool.gateway])].sort((a, b) => a - b);
    return omitEmpty({
      allocatedAddressesCount: allocated.length,
      allocatedIPAddresses: formatAddressSpans(spansFromSorted(shown)),
      availableIPAddresses: available,
      endpoints: this.endpointOpers(eps),
      externalPktTag: st.encap === 'vxlan' ? st.extPktTag : 0,
      networkTag: st.networkTag,
      numEndpoints: eps.length,
      pktTag: st.pktTag,
    }) as NetworkOper;
  }

  groupOper(cfg: EndpointGroupConfig): EndpointGroupOper {
    const { tenantName: t, groupName: g, networkName: n } = cfg;
    const st = this.core.catalog.groupState(t, g)?.value;
    const net = this.core.catalog.networkState(t, n)?.value;
    const eps = this.core.catalog.endpointsOfNetwork(t, n).filter((e) => e.groupName === g);
    const span = cfg.ipPool ? parseAddressSpan(cfg.ipPool) : undefined;
    const addrs = span ? this.addresses(t, n, span, undefined) : undefined;
    return omitEmpty({
      allocatedIPAddresses: addrs ? formatAddressSpans(spansFromSorted(addrs.allocated)) : '',
      availableIPAddresses: addrs?.available ?? '',
      endpoints: this.endpointOpers(eps),
      externalPktTag: net?.encap === 'vxlan' ? net.extPktTag : 0,
      groupTag: st?.groupTag ?? '',
      numEndpoints: eps.length,
      pktTag: net?.pktTag ?? 0,
    }) as EndpointGroupOper;
  }

  /** The endpoints of every group that uses the policy. */
  policyOper(cfg: PolicyConfig): PolicyOper {
    const { tenantName: t, policyName: p } = cfg;
    const groups = new Set(this.core.catalog.groupsUsingPolicy(t, p).map((g) => g.value.groupName));
    const eps = this.core.catalog
      .endpoints()
      .map((e) => e.value)
      .filter((e) => e.tenantName === t && groups.has(e.groupName));
    return omitEmpty({ endpoints: this.endpointOpers(eps), numEndpoints: eps.length }) as PolicyOper;
  }

  tenantOper(t: string): TenantOper {
    const c = this.core.catalog;
    const networks = c.networks(t);
    const groups = c.groups(t);
    const eps = c.endpoints().map((e) => e.value).filter((e) => e.tenantName === t);
    return omitEmpty({
      totalNetworks: networks.length,
      totalEPGs: groups.length,
      totalPolicies: c.policies(t).length,
      totalNetprofiles: c.netProfiles(t).length,
      totalAppProfiles: c.appProfiles(t).length,
      totalEndpoints: eps.length,
      networks: networks.map((n) => this.networkOper(t, n.value.networkName)),
      endpointGroups: groups.map((g) => this.groupOper(g.value)),
      endpoints: this.endpointOpers(eps),
    }) as TenantOper;
  }

  /** The VIP and the providers: endpoints of the service's network whose labels match every selector. */
  serviceLbOper(cfg: ServiceLbConfig): ServiceLbOper {
    const providers = serviceProviders(cfg, this.core.catalog.endpointsOfNetwork(cfg.tenantName, cfg.networkName));
    return omitEmpty({ numProviders: providers.length, providers: this.endpointOpers(providers), serviceVip: cfg.ipAddress ?? '' }) as ServiceLbOper;
  }

  globalOper(cfg: GlobalConfig): GlobalOper {
    const vlans = [...this.core.vlans.inUse()].sort((a, b) => a - b);
    const vxlans = [...this.core.vxlans.inUse()].sort((a, b) => a - b);
    const range = parseIdSpan(cfg.vxlans);
    const free = range ? subtractSorted(range, vxlans)[0]?.start : undefined;
    return omitEmpty({
      clusterMode: this.clusterMode,
      numNetworks: this.core.catalog.networks().length,
      vlansInUse: formatIdSpans(spansFromSorted(vlans)),
      vxlansInUse: formatIdSpans(spansFromSorted(vxlans)),
      freeVXLANsStart: free ?? 0,
    }) as GlobalOper;
  }

  /**
   * Endpoint inspect: the key is an endpoint id, a container id or a container
   * name (with or without Docker's leading "/"), or a unique prefix of an
   * endpoint or container id. Contiv matched substrings and took the first hit;
   * we refuse ambiguous keys instead.
   */
  endpoint(key: string): { Oper: EndpointOper } {
    const all = this.core.catalog.endpoints().map((e) => e.value);
    const name = key.replace(/^\//, '');
    const exact = all.filter((e) => e.endpointId === key || e.containerId === key || e.containerName.replace(/^\//, '') === name);
    const hits = exact.length > 0 ? exact : all.filter((e) => e.endpointId.startsWith(key) || (e.containerId !== '' && e.containerId.startsWith(key)));
    if (hits.length === 0) throw new NetmasterError('NOT_FOUND', `endpoint ${key} not found`);
    if (hits.length > 1) throw new NetmasterError('INVALID_ARGUMENT', `endpoint ${key} is ambiguous: it matches ${hits.length} endpoints (${hits.map((e) => e.endpointId.slice(0, 12)).join(', ')})`);
    return { Oper: this.endpointOpers(hits)[0] as EndpointOper };
  }
}
