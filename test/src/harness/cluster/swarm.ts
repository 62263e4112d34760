/**
 * `--mode swarm`: the engines form a Docker swarm, h1 the manager. Docker's
 * own overlay data port is 7789, not the default 4789 (ENVIRONMENT.md §3: the
 * userspace OVS datapath swallows UDP to its VXLAN ports on the host
 * addresses; our agents use 8472, so this only keeps Docker's overlay usable).
 */
import { sleep } from '../exec';
import { nodesWithoutPlugin } from '../v2plugin';
import { engineOf } from './engine';
import type { HostState } from './state';

export const SWARM_DATA_PATH_PORT = 7789;
const SWARM_PORT = 2377;

export async function formSwarm(hosts: readonly HostState[]): Promise<void> {
  const [manager, ...workers] = hosts;
  if (!manager) throw new Error('no hosts');
  const m = engineOf(manager);
  await m.docker(['swarm', 'init', '--advertise-addr', manager.ip, '--data-path-port', String(SWARM_DATA_PATH_PORT)]);
  const token = (await m.docker(['swarm', 'join-token', '-q', 'worker'])).stdout.trim();
  await Promise.all(workers.map((w) => engineOf(w).docker(['swarm', 'join', '--token', token, '--advertise-addr', w.ip, `${manager.ip}:${SWARM_PORT}`])));
}

/** Node states as the manager sees them (`docker node ls`): hostname -> Ready/Down/... */
export async function swarmNodes(manager: HostState): Promise<Map<string, string>> {
  const r = await engineOf(manager).docker(['node', 'ls', '--format', '{{.Hostname}} {{.Status}}'], { allowFail: true, timeoutMs: 15_000 });
  const out = new Map<string, string>();
  if (r.code !== 0) return out;
  for (const line of r.stdout.split('\n').filter(Boolean)) {
    const [host, status] = line.split(' ');
    if (host !== undefined && status !== undefined) out.set(host, status);
  }
  return out;
}

/** Waits until every node is Ready and advertises the network plugin, so swarm may place tasks on all of them. */
export async function waitNodesAdvertise(hosts: readonly HostState[], pluginName: string, timeoutMs = 90_000): Promise<void> {
  const manager = hosts[0];
  if (!manager) throw new Error('no hosts');
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const nodes = await swarmNodes(manager);
    const notReady = hosts.filter((h) => nodes.get(h.netns) !== 'Ready').map((h) => h.key);
    const without = notReady.length === 0 ? await nodesWithoutPlugin(engineOf(manager), pluginName) : [];
    if (notReady.length === 0 && without.length === 0) return;
    if (Date.now() > deadline) {
      throw new Error(`swarm nodes not ready after ${timeoutMs / 1000} s: ${notReady.length > 0 ? `not Ready: ${notReady.join(' ')}` : `not advertising ${pluginName}: ${without.join(' ')}`}`);
    }
    await sleep(500);
  }
}

/** Services removed, every node out of the swarm (best effort: the engines may be gone). */
export async function dissolveSwarm(hosts: readonly HostState[]): Promise<void> {
  const [manager, ...workers] = hosts;
  if (!manager) return;
  const m = engineOf(manager);
  const ids = (await m.docker(['service', 'ls', '-q'], { allowFail: true, timeoutMs: 15_000 })).stdout.split(/\s+/).filter(Boolean);
  if (ids.length > 0) await m.docker(['service', 'rm', ...ids], { allowFail: true, timeoutMs: 30_000 });
  await Promise.all(workers.map((w) => engineOf(w).docker(['swarm', 'leave', '--force'], { allowFail: true, timeoutMs: 30_000 })));
  await m.docker(['swarm', 'leave', '--force'], { allowFail: true, timeoutMs: 30_000 });
}
