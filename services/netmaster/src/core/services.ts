/** Every netmaster operation, as used by the REST routes and the gRPC service. */
import { AppProfileService } from './app-profiles';
import type { Core } from './context';
import { DockerNetworkService } from './docker-networks';
import { DockerReadiness } from './docker-readiness';
import { EndpointService } from './endpoints';
import { ExtContractsService } from './ext-contracts';
import { GlobalService } from './globals';
import { GroupService } from './groups';
import { NetProfileService } from './net-profiles';
import { NetworkService } from './networks';
import { PolicyService } from './policies';
import { RuleService } from './rules';
import { ServiceLbService } from './service-lbs';
import { TenantService } from './tenants';
import { Views } from './views';

export interface Services {
  readonly core: Core;
  readonly tenants: TenantService;
  readonly networks: NetworkService;
  readonly groups: GroupService;
  readonly policies: PolicyService;
  readonly rules: RuleService;
  readonly netProfiles: NetProfileService;
  readonly appProfiles: AppProfileService;
  readonly extContracts: ExtContractsService;
  readonly globals: GlobalService;
  readonly serviceLbs: ServiceLbService;
  readonly endpoints: EndpointService;
  readonly dockerNetworks: DockerNetworkService;
  /** Legacy mode: REST creates wait until the agents made the Docker network. */
  readonly dockerReadiness: DockerReadiness;
  readonly views: Views;
}

export function createServices(core: Core, clusterMode: string): Services {
  const networks = new NetworkService(core);
  return {
    core,
    tenants: new TenantService(core),
    networks,
    groups: new GroupService(core, (t) => networks.pendingNames(t)),
    policies: new PolicyService(core),
    rules: new RuleService(core),
    netProfiles: new NetProfileService(core),
    appProfiles: new AppProfileService(core),
    extContracts: new ExtContractsService(core),
    globals: new GlobalService(core),
    serviceLbs: new ServiceLbService(core),
    endpoints: new EndpointService(core),
    dockerNetworks: new DockerNetworkService(core, networks),
    dockerReadiness: new DockerReadiness({ mirror: core.mirror, pluginMode: clusterMode, log: core.log.child({ component: 'docker-readiness' }) }),
    views: new Views(core, clusterMode),
  };
}
