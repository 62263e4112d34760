/**
 * Removes everything `up` made for a cluster, in a later process than `up`
 * and also after a crash (of `up`, of a daemon, of the machine's tests):
 *
 * 1. gently, from cluster.json when there is one: swarm services and the swarm
 *    (`--mode swarm`), containers (while the plugin still answers), the managed
 *    plugins (`--plugin v2`), our services, the engines, the registries, OVS,
 *    the store (etcd or Consul);
 * 2. then a sweep that needs no state: every process in the cluster's
 *    namespaces, in its containers' cgroups or naming its directory is killed,
 *    the namespaces and cgroups are deleted and the directory removed. Logs stay.
 *
 * Only processes proven ours are signalled (see processes.ts).
 */
import fs from 'node:fs';
import path from 'node:path';
import { DOCKER_BIN, removeCgroupParent } from '../dockerd';
import { run } from '../exec';
import { cgroupPids, killPids, netnsPids, pidAlive, pidCmdline, pidsMentioning, readPidFile, stopPids } from '../processes';
import type { ClusterLayout } from './layout';
import { hostNetns, matchHostNetns } from './layout';
import type { ClusterState, HostState } from './state';
import { clusterMode, readState } from './state';
import { removePlugin } from './plugin';
import { dissolveSwarm } from './swarm';

export type Say = (message: string) => void;

/** What exists of a cluster: its namespaces, its directory. */
export interface Leftovers {
  readonly state: ClusterState | undefined;
  /** Host namespaces by index. */
  readonly hostNetns: Map<number, string>;
  readonly underlay: boolean;
  readonly dir: boolean;
}

export async function listNetns(): Promise<string[]> {
  const r = await run('ip', ['netns', 'list'], { allowFail: true });
  return r.stdout
    .split('\n')
    .map((l) => l.trim().split(/\s+/)[0] ?? '')
    .filter(Boolean);
}

export async function findLeftovers(layout: ClusterLayout): Promise<Leftovers> {
  const names = await listNetns();
  const state = readState(layout);
  const hosts = matchHostNetns(layout, names);
  return { state, hostNetns: hosts, underlay: names.includes(layout.underlayNetns), dir: fs.existsSync(layout.dir) };
}

export function anythingLeft(l: Leftovers): boolean {
  return l.state !== undefined || l.hostNetns.size > 0 || l.underlay || l.dir;
}

/** Tears the cluster down; resolves with false when there was nothing to remove. */
export async function teardown(layout: ClusterLayout, say: Say): Promise<boolean> {
  const left = await findLeftovers(layout);
  if (!anythingLeft(left)) return false;
  const ours = ownership(layout, [...left.hostNetns.values(), ...(left.underlay ? [layout.underlayNetns] : [])]);

  if (left.state) await gentle(left.state, ours, say);

  // The sweep: whatever is left, by namespace, cgroup and directory.
  const indexes = new Set<number>([...left.hostNetns.keys(), ...(left.state?.hosts.map((h) => h.index) ?? []), ...hostDirIndexes(layout)]);
  for (let round = 0; round < 2; round++) {
    const pids = new Set<number>();
    for (const i of indexes) {
      const ns = hostNetns(layout, i);
      for (const p of netnsPids(ns)) pids.add(p);
      for (const p of cgroupPids(ns)) pids.add(p);
    }
    for (const p of netnsPids(layout.underlayNetns)) pids.add(p);
    for (const p of pidsMentioning(`${layout.dir}/`)) pids.add(p);
    pids.delete(process.pid);
    if (pids.size === 0) break;
    if (round === 0) say(`killing ${pids.size} leftover process(es)`);
    await killPids([...pids]);
  }
  for (const i of indexes) {
    const ns = hostNetns(layout, i);
    await run('ip', ['netns', 'del', ns], { allowFail: true });
    removeCgroupParent(ns);
  }
  await run('ip', ['netns', 'del', layout.underlayNetns], { allowFail: true });
  fs.rmSync(layout.dir, { recursive: true, force: true });
  try {
    // The base directory too, when no other cluster uses it.
    fs.rmdirSync(path.dirname(layout.dir));
  } catch {
    // not empty, or gone
  }
  say(`removed namespaces ${[...indexes].sort((a, b) => a - b).map((i) => hostNetns(layout, i)).concat(layout.underlayNetns).join(' ')} and ${layout.dir}`);
  return true;
}

/** A pid is ours when it runs in one of our namespaces or names our directory. */
function ownership(layout: ClusterLayout, namespaces: readonly string[]): (pid: number) => boolean {
  const inodes = new Set<number>();
  for (const ns of namespaces) {
    try {
      inodes.add(fs.statSync(`/run/netns/${ns}`).ino);
    } catch {
      // gone
    }
  }
  return (pid) => {
    if (!pidAlive(pid)) return false;
    try {
      if (inodes.has(fs.statSync(`/proc/${pid}/ns/net`).ino)) return true;
    } catch {
      return false;
    }
    return pidCmdline(pid).includes(`${layout.dir}/`);
  };
}

async function gentle(state: ClusterState, ours: (pid: number) => boolean, say: Say): Promise<void> {
  const pidsOf = (name: keyof HostState['pids']): number[] =>
    state.hosts.map((h) => h.pids[name]).filter((p): p is number => p !== undefined && ours(p));

  const engines = state.hosts.filter((h) => h.pids.dockerd !== undefined && ours(h.pids.dockerd));
  // Services first, or the swarm starts new tasks for the containers removed below.
  if (clusterMode(state.options) === 'swarm') {
    await dissolveSwarm(engines);
    say('removed swarm services; every node left the swarm');
  }
  // Containers next, while the driver still answers: Docker then releases their
  // endpoints the normal way, and a PID 1 that ignores SIGTERM cannot hold the
  // engine's stop for 10 s each.
  await Promise.all(state.hosts.map((h) => removeContainers(h, say)));
  const plugin = state.plugin;
  if (plugin) {
    await Promise.all(engines.map((h) => removePlugin(h, plugin)));
    say(`removed ${plugin.name} from ${engines.map((h) => h.key).join(' ') || 'no engine'}`);
  }

  await stopPids([...pidsOf('driver-shim'), ...pidsOf('netplugin'), ...pidsOf('netmaster')], 10_000);
  await stopPids(pidsOf('dockerd'), 20_000);
  await stopPids(pidsOf('registry'), 5_000);
  await Promise.all(state.hosts.map((h) => stopOvs(h.ovsDir, ours)));
  // etcd can hang in its SIGTERM handler (ENVIRONMENT.md §6).
  await Promise.all([stopPids(pidsOf('etcd'), 3_000), stopPids(pidsOf('consul'), 5_000)]);
  say(`stopped services, engines, OVS and ${state.options.store}`);
}

async function removeContainers(h: HostState, say: Say): Promise<void> {
  const sock = h.dockerHost.replace(/^unix:\/\//, '');
  if (!fs.existsSync(sock) || h.pids.dockerd === undefined || !pidAlive(h.pids.dockerd)) return;
  const ps = await run(DOCKER_BIN, ['-H', h.dockerHost, 'ps', '-aq'], { allowFail: true, timeoutMs: 15_000 });
  const ids = ps.stdout.split(/\s+/).filter(Boolean);
  if (ps.code !== 0 || ids.length === 0) return;
  await run(DOCKER_BIN, ['-H', h.dockerHost, 'rm', '-f', ...ids], { allowFail: true, timeoutMs: 120_000 });
  say(`${h.key}: removed ${ids.length} container(s)`);
}

async function stopOvs(ovsDir: string, ours: (pid: number) => boolean): Promise<void> {
  const env = { ...process.env, OVS_RUNDIR: ovsDir, OVS_LOGDIR: ovsDir, OVS_DBDIR: ovsDir, OVS_SYSCONFDIR: ovsDir };
  const daemons: [string, string[]][] = [
    // --cleanup removes the datapath and its taps.
    ['ovs-vswitchd', ['exit', '--cleanup']],
    ['ovsdb-server', ['exit']],
  ];
  for (const [name, exitArgs] of daemons) {
    const pid = readPidFile(path.join(ovsDir, `${name}.pid`));
    if (pid === undefined || !ours(pid)) continue;
    await run('ovs-appctl', ['-t', path.join(ovsDir, `${name}.ctl`), ...exitArgs], { env, allowFail: true, timeoutMs: 15_000 });
    await stopPids([pid], 5_000);
  }
}

function hostDirIndexes(layout: ClusterLayout): number[] {
  try {
    return fs
      .readdirSync(layout.dir)
      .map((n) => /^h(\d+)$/.exec(n)?.[1])
      .filter((n): n is string => n !== undefined)
      .map(Number);
  } catch {
    return [];
  }
}
