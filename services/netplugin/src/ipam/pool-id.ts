/**
 * IPAM pool ids. Docker stores the id with the network and hands it back on
 * every RequestAddress / ReleaseAddress, on any host (a network of an engine
 * with a cluster store is shared), so the id itself says which Contiv network
 * it belongs to — no agent memory needed (Contiv's trick, with unambiguous
 * separators: names cannot contain '/' or '|'):
 *
 *   <tenant>/<network>[/<group>]|<cidr>   a Contiv network (or group) the agent
 *                                          created in Docker, or found by contiv-tag
 *   docker|<cidr>[|<ip-range>]             `docker network create --subnet` before
 *                                          the network is registered in Contiv
 */
import { AgentError } from '../errors';

export type PoolRef =
  | { readonly kind: 'contiv'; readonly tenant: string; readonly network: string; readonly group: string; readonly pool: string }
  | { readonly kind: 'docker'; readonly pool: string; readonly subPool: string };

export const DOCKER_POOL_PREFIX = 'docker';

export function formatPoolId(ref: PoolRef): string {
  if (ref.kind === 'docker') return [DOCKER_POOL_PREFIX, ref.pool, ...(ref.subPool ? [ref.subPool] : [])].join('|');
  return `${[ref.tenant, ref.network, ...(ref.group ? [ref.group] : [])].join('/')}|${ref.pool}`;
}

function bad(id: string): AgentError {
  return new AgentError('AGENT_INVALID_ARGUMENT', `pool id "${id}" was not issued by netplugin (expected <tenant>/<network>[/<group>]|<cidr> or docker|<cidr>)`);
}

export function parsePoolId(id: string): PoolRef {
  const parts = id.split('|');
  const [head, pool, sub, ...rest] = parts;
  if (head === undefined || !pool || rest.length > 0) throw bad(id);
  if (head === DOCKER_POOL_PREFIX) return { kind: 'docker', pool, subPool: sub ?? '' };
  if (sub !== undefined) throw bad(id);
  const names = head.split('/');
  if (names.length < 2 || names.length > 3 || names.some((n) => n === '')) throw bad(id);
  const [tenant, network, group] = names as [string, string, string | undefined];
  return { kind: 'contiv', tenant, network, group: group ?? '', pool };
}
