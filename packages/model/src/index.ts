/**
 * @module @contiv/model
 * Contiv's object model (tenant, network, endpointGroup, policy, rule, global,
 * endpoint): TypeBox schemas with Contiv's field names and formats, validation with
 * messages naming the field, REST keys, link shapes, IPv4 math, store keys
 * (keys.ts) and the state records shared by netmaster and the agents.
 */
export { ModelValidationError, isModelError } from './errors';
export type { FieldIssue, ModelErrorCode } from './errors';

export {
  KEY_PREFIX,
  objectPrefix,
  objectKey,
  networkStatePrefix,
  networkStateKey,
  groupStatePrefix,
  groupStateKey,
  ruleStatePrefix,
  policyRuleStatePrefix,
  ruleStateKey,
  globalStateKey,
  endpointPrefix,
  endpointKey,
  SERVICE_LB_TYPE,
  serviceLbPrefix,
  serviceLbKey,
  ipamPrefix,
  ipAllocPrefix,
  ipAllocKey,
  vlanAllocPrefix,
  vlanAllocKey,
  vxlanAllocPrefix,
  vxlanAllocKey,
  groupIdAllocPrefix,
  groupIdAllocKey,
  nodePrefix,
  nodeKey,
  dockerNetworkRootPrefix,
  dockerNetworkPrefix,
  dockerNetworkKey,
  netmasterLeaderLock,
  dockerNetworkCreateLock,
} from './keys';

export type {
  Encap,
  NetworkOrigin,
  NetworkState,
  GroupState,
  RuleState,
  GlobalState,
  EndpointState,
  NodeRecord,
  DockerNetworkMapping,
  IpAllocation,
  IdAllocation,
} from './state';

export {
  createStateCodec,
  decodeConfig,
  networkStateCodec,
  groupStateCodec,
  ruleStateCodec,
  globalStateCodec,
  endpointStateCodec,
  nodeRecordCodec,
  dockerNetworkMappingCodec,
  ipAllocationCodec,
  idAllocationCodec,
  NetworkStateSchema,
  GroupStateSchema,
  RuleStateSchema,
  GlobalStateSchema,
  EndpointStateSchema,
  NodeRecordSchema,
  DockerNetworkMappingSchema,
  IpAllocationSchema,
  IdAllocationSchema,
} from './state-codec';
export type { StateCodec } from './state-codec';

export { IPV4, OCTET, isIPv4, parseIPv4, formatIPv4, prefixMask } from './ip/ipv4';
export {
  SUBNET_PATTERN,
  parseCidr,
  parseSubnet,
  cidrContains,
  cidrsOverlap,
  hostSpan,
  allocationSpan,
} from './ip/subnet';
export type { Cidr, Subnet, Parsed } from './ip/subnet';
export {
  spanSize,
  spanContains,
  spansOverlap,
  intersectSpans,
  spansFromSorted,
  subtractSorted,
  formatAddressSpans,
  formatIdSpans,
  parseAddressSpan,
  parseIdSpan,
} from './ip/spans';
export type { Span } from './ip/spans';

export { applyRestKey, validateObject, keyOf, objectLabel, isEmptyValue } from './objects/validate';
export type { ObjectSpec } from './objects/validate';
export {
  NAME_PATTERN,
  OPTIONAL_NAME_PATTERN,
  TAG_PATTERN,
  OPTIONAL_IPV4_PATTERN,
  IP_POOL_PATTERN,
  IPV6_SUBNET_PATTERN,
  IPV6_ADDRESS_PATTERN,
  VLAN_RANGE_PATTERN,
  VXLAN_RANGE_PATTERN,
  PVT_SUBNET_PATTERN,
  RULE_IP_PATTERN,
  RULE_PROTOCOL_PATTERN,
} from './objects/patterns';
export { linkTo, linkSetOf } from './objects/links';
export type { Link, LinkRef, LinkSet, LinkSets, Links } from './objects/links';
export { toWire, omitEmpty } from './objects/wire';
export type { WireObject } from './objects/wire';

export { TenantSchema, tenantSpec, tenantKey, validateTenant, DEFAULT_TENANT, TENANT_LINK_SETS } from './objects/tenant';
export type { TenantConfig, TenantOper } from './objects/tenant';
export {
  NetworkSchema,
  networkSpec,
  networkKey,
  networkId,
  validateNetwork,
  networkParamsEqual,
  subnetCidr,
  MAX_VLAN_ID,
  MAX_VNI,
  NETWORK_LINK_SETS,
  NETWORK_LINKS,
} from './objects/network';
export type { NetworkConfig, NetworkOper } from './objects/network';
export {
  EndpointGroupSchema,
  endpointGroupSpec,
  endpointGroupKey,
  endpointGroupStateId,
  defaultGroupTag,
  validateEndpointGroup,
  MAX_GROUP_ID,
  ENDPOINT_GROUP_LINK_SETS,
  ENDPOINT_GROUP_LINKS,
} from './objects/endpoint-group';
export type { EndpointGroupConfig, EndpointGroupOper } from './objects/endpoint-group';
export { PolicySchema, policySpec, policyKey, validatePolicy, POLICY_LINK_SETS, POLICY_LINKS } from './objects/policy';
export type { PolicyConfig, PolicyOper } from './objects/policy';
export {
  RuleSchema,
  ruleSpec,
  ruleKey,
  validateRule,
  ruleMatchGroup,
  rulesEqual,
  ruleStateOf,
  ipProtocolNumber,
  MIN_RULE_PRIORITY,
  MAX_RULE_PRIORITY,
  DEFAULT_RULE_PRIORITY,
  MAX_PORT,
  MAX_IP_PROTOCOL,
  RULE_LINK_SETS,
  RULE_LINKS,
} from './objects/rule';
export type { RuleConfig } from './objects/rule';
export { GlobalSchema, globalSpec, validateGlobal, GLOBAL_KEY, DEFAULT_GLOBAL } from './objects/global';
export type { GlobalConfig, GlobalOper } from './objects/global';
export { macFromIPv4, endpointOper } from './objects/endpoint';
export type { EndpointOper } from './objects/endpoint';

export { compilePolicyRules, compareRules, ruleRank, rangeToPrefixes, ruleAddressPrefixes, RULE_RANK_LIMIT } from './policy/compile';
export type { CompiledRule, RulePrefix, PolicyInputs } from './policy/compile';
export { evaluatePolicy, decide, ruleMatches } from './policy/evaluate';
export type { TracePacket, DirectionVerdict, PolicyVerdict } from './policy/evaluate';

export {
  NetProfileSchema,
  netProfileSpec,
  netProfileKey,
  validateNetProfile,
  bandwidthKbps,
  formatBandwidth,
  groupQosOf,
  netProfilesEqual,
  BANDWIDTH_PATTERN,
  MAX_DSCP,
  MAX_BURST_KB,
  MAX_BANDWIDTH_KBPS,
  NET_PROFILE_LINK_SETS,
  NET_PROFILE_LINKS,
} from './objects/net-profile';
export type { NetProfileConfig, GroupQos } from './objects/net-profile';
export { AppProfileSchema, appProfileSpec, appProfileKey, validateAppProfile, MAX_APP_PROFILE_GROUPS, APP_PROFILE_LINK_SETS, APP_PROFILE_LINKS } from './objects/app-profile';
export type { AppProfileConfig } from './objects/app-profile';
export {
  ExtContractsGroupSchema,
  extContractsGroupSpec,
  extContractsGroupKey,
  validateExtContractsGroup,
  extContractsGroupsEqual,
  CONTRACT_PATTERN,
  EXT_CONTRACTS_GROUP_LINK_SETS,
} from './objects/ext-contracts-group';
export type { ExtContractsGroupConfig } from './objects/ext-contracts-group';
export { NAME_DESCRIPTION } from './objects/patterns';
export {
  ServiceLbSchema,
  serviceLbSpec,
  serviceLbRestKey,
  validateServiceLb,
  serviceLbsEqual,
  serviceProviders,
  servicePorts,
  parseServicePort,
  parseSelectors,
  SERVICE_PORT_PATTERN,
  SELECTOR_PATTERN,
  MAX_SERVICE_PORTS,
  MAX_SERVICE_SELECTORS,
  SERVICE_LB_LINKS,
} from './objects/service-lb';
export type { ServiceLbConfig, ServiceLbOper, ServicePort, ServiceProtocol, ProviderCandidate } from './objects/service-lb';
export { jsonNestingDepth } from './json-depth';
