/**
 * The ONLY place store keys are spelled. Every key lives under one versioned
 * prefix so a future layout can sit beside this one. docs/store-keys.md lists
 * each function here (a unit test keeps them in step).
 *
 * Names never contain '/' (the model's name regex forbids it), so they are safe
 * path segments.
 */
export const KEY_PREFIX = '/contiv.io/v1/';

/** Config objects as written through the REST API: `obj/<type>/<key>`. */
export const objectPrefix = (type: string): string => `${KEY_PREFIX}obj/${type}/`;
export const objectKey = (type: string, key: string): string => `${objectPrefix(type)}${key}`;

/**
 * serviceLB objects (config area, `obj/serviceLB/<tenant>:<service>`): unlike
 * the other config objects, agents and the DNS responder watch these directly.
 * The stored record always carries the VIP in `ipAddress` (objects/service-lb.ts).
 */
export const SERVICE_LB_TYPE = 'serviceLB';
export const serviceLbPrefix = (): string => objectPrefix(SERVICE_LB_TYPE);
export const serviceLbKey = (tenant: string, service: string): string => objectKey(SERVICE_LB_TYPE, `${tenant}:${service}`);

/** Resolved network state (config + allocated tags) that agents watch. */
export const networkStatePrefix = (): string => `${KEY_PREFIX}state/networks/`;
export const networkStateKey = (tenant: string, network: string): string => `${networkStatePrefix()}${tenant}/${network}`;

/** Resolved endpoint-group state that agents watch. */
export const groupStatePrefix = (): string => `${KEY_PREFIX}state/groups/`;
export const groupStateKey = (tenant: string, group: string): string => `${groupStatePrefix()}${tenant}/${group}`;

/**
 * Resolved policy rules that agents watch, grouped by policy so one policy's
 * rules are one prefix: `state/rules/<tenant>/<policy>/<ruleId>`.
 */
export const ruleStatePrefix = (): string => `${KEY_PREFIX}state/rules/`;
export const policyRuleStatePrefix = (tenant: string, policy: string): string => `${ruleStatePrefix()}${tenant}/${policy}/`;
export const ruleStateKey = (tenant: string, policy: string, ruleId: string): string => `${policyRuleStatePrefix(tenant, policy)}${ruleId}`;

/** Resolved global settings that agents watch. */
export const globalStateKey = (): string => `${KEY_PREFIX}state/global`;

/** Endpoints (one per container attachment), keyed by Docker's endpoint id. */
export const endpointPrefix = (): string => `${KEY_PREFIX}state/endpoints/`;
export const endpointKey = (endpointId: string): string => `${endpointPrefix()}${endpointId}`;

/** Every network's address allocations (the parent of ipAllocPrefix). */
export const ipamPrefix = (): string => `${KEY_PREFIX}ipam/`;

/** One key per allocated address of a network: compare-and-swap allocation. */
export const ipAllocPrefix = (tenant: string, network: string): string => `${ipamPrefix()}${tenant}/${network}/`;
export const ipAllocKey = (tenant: string, network: string, ip: string): string => `${ipAllocPrefix(tenant, network)}${ip}`;

/** One key per allocated VLAN id (VLAN networks, and VXLAN networks' local VLAN). */
export const vlanAllocPrefix = (): string => `${KEY_PREFIX}alloc/vlan/`;
export const vlanAllocKey = (id: number): string => `${vlanAllocPrefix()}${id}`;

/** One key per allocated VXLAN network identifier. */
export const vxlanAllocPrefix = (): string => `${KEY_PREFIX}alloc/vxlan/`;
export const vxlanAllocKey = (id: number): string => `${vxlanAllocPrefix()}${id}`;

/** One key per allocated endpoint-group id (1..32767, carried in flow metadata). */
export const groupIdAllocPrefix = (): string => `${KEY_PREFIX}alloc/group-id/`;
export const groupIdAllocKey = (id: number): string => `${groupIdAllocPrefix()}${id}`;

/** Agents' node records, attached to the agent's lease. */
export const nodePrefix = (): string => `${KEY_PREFIX}nodes/`;
export const nodeKey = (hostname: string): string => `${nodePrefix()}${hostname}`;

/**
 * Docker network id -> Contiv network/group, per Docker engine scope. `scope` is
 * the host name for a standalone engine (its network ids are its own) and
 * `cluster` for engines sharing a cluster store or a swarm.
 */
export const dockerNetworkRootPrefix = (): string => `${KEY_PREFIX}docknet/`;
export const dockerNetworkPrefix = (scope: string): string => `${dockerNetworkRootPrefix()}${scope}/`;
export const dockerNetworkKey = (scope: string, dockerNetworkId: string): string => `${dockerNetworkPrefix(scope)}${dockerNetworkId}`;

/**
 * Lock (Store.lock) held by the agent that creates, replaces or de-duplicates
 * the Docker network of a Contiv network or group on engines that share their
 * networks (docknet scope `cluster`), so it is made once cluster-wide. `name`
 * is the network's or group's name: they share Docker's name space.
 */
export const dockerNetworkCreateLock = (scope: string, tenant: string, name: string): string => `${KEY_PREFIX}lock/docker-network/${scope}/${tenant}/${name}`;

/** Name of the netmaster leader lock (used with Store.lock). */
export const netmasterLeaderLock = (): string => `${KEY_PREFIX}leader/netmaster`;
