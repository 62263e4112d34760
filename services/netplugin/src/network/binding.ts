/** Which Contiv network (or group) a Docker network stands for on this host. */
import { parseCidr, parseSubnet, type NetworkState } from '@contiv/model';

export type BindingOrigin =
  /** Created by the agent from a Contiv network/group (options tenant, network[, group]). */
  | 'contiv'
  /** `-o contiv-tag=T`: bound to an existing network or group by its tag. */
  | 'tag'
  /** `docker network create --subnet`: registered as a Contiv network of its own. */
  | 'docker'
  /**
   * A swarm network: AllocateNetwork on the swarm manager registered or bound
   * it, and only FreeNetwork (again on the manager) lets go of it; the
   * workers' CreateNetwork/DeleteNetwork only learn and forget it.
   */
  | 'swarm';

export interface Binding {
  readonly tenantName: string;
  readonly networkName: string;
  /** "" for the plain network. */
  readonly groupName: string;
  readonly origin: BindingOrigin;
  /** Canonical subnet of a docker-origin network (its IPAM pool), else "". */
  readonly pool: string;
}

export const DEFAULT_TENANT = 'default';

/** Options the agent puts on the Docker networks it creates (and Contiv's netmaster did). */
export const OPT_TENANT = 'tenant';
export const OPT_NETWORK = 'network';
export const OPT_GROUP = 'group';
export const OPT_ENCAP = 'encap';
export const OPT_PKT_TAG = 'pkt-tag';
export const OPT_CONTIV_TAG = 'contiv-tag';

/**
 * What AllocateNetwork adds to a swarm network's options. Swarm hands the
 * reply to every worker as its CreateNetwork options, so a worker knows the
 * Contiv network without asking anyone. Names unlike the legacy options
 * (`tenant`, `network`): the legacy controller owns Docker networks with those.
 */
export const OPT_SWARM_TENANT = 'contiv.tenant';
export const OPT_SWARM_NETWORK = 'contiv.network';
export const OPT_SWARM_GROUP = 'contiv.group';

/** Binding from the options AllocateNetwork added, if they are there. */
export function bindingFromSwarmOptions(opts: Record<string, string> | null | undefined): Binding | undefined {
  const tenant = opts?.[OPT_SWARM_TENANT];
  const network = opts?.[OPT_SWARM_NETWORK];
  if (!tenant || !network) return undefined;
  return { tenantName: tenant, networkName: network, groupName: opts[OPT_SWARM_GROUP] ?? '', origin: 'swarm', pool: '' };
}

/** The options that name a binding for swarm workers (see bindingFromSwarmOptions). */
export function swarmOptions(b: Pick<Binding, 'tenantName' | 'networkName' | 'groupName'>): Record<string, string> {
  return { [OPT_SWARM_TENANT]: b.tenantName, [OPT_SWARM_NETWORK]: b.networkName, ...(b.groupName ? { [OPT_SWARM_GROUP]: b.groupName } : {}) };
}

/** Binding from the tenant/network/group options of a Docker network, if it has them. */
export function bindingFromOptions(opts: Record<string, string> | null | undefined): Binding | undefined {
  const tenant = opts?.[OPT_TENANT];
  const network = opts?.[OPT_NETWORK];
  if (!tenant || !network) return undefined;
  return { tenantName: tenant, networkName: network, groupName: opts[OPT_GROUP] ?? '', origin: 'contiv', pool: '' };
}

export function bindingFromDockerNetwork(n: NetworkState): Binding {
  return { tenantName: n.tenantName, networkName: n.networkName, groupName: '', origin: 'docker', pool: canonicalSubnet(n.subnet) };
}

/** `10.1.1.5/24` and Contiv's range form `10.1.1.10-10.1.1.20/24` -> `10.1.1.0/24`. */
export function canonicalSubnet(text: string): string {
  const s = parseSubnet(text);
  if (s.ok) return s.value.cidr;
  const c = parseCidr(text);
  return c.ok ? c.value.cidr : text;
}
