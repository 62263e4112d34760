/**
 * `cluster status`: for each host, whether its namespace and processes are
 * there and whether its engine and (on h1) netmaster and the store answer;
 * with `--plugin v2` whether each engine has the plugin enabled, and with
 * `--mode swarm` each node's state as the manager sees it.
 */
import path from 'node:path';
import { DOCKER_BIN } from '../dockerd';
import { run, runInNetns } from '../exec';
import { pidAlive, readPidFile } from '../processes';
import type { Leftovers } from './down';
import type { ClusterLayout } from './layout';
import { pluginEnabled } from '../v2plugin';
import { engineOf } from './engine';
import type { ClusterOptions, ClusterState, HostState, ProcessName } from './state';
import { clusterMode, masterCount, pluginKind } from './state';
import { swarmNodes } from './swarm';
import { storeHealthy } from './store';

export interface HostStatus {
  readonly key: string;
  readonly netns: string;
  readonly ip: string;
  readonly dockerHost: string;
  readonly netnsPresent: boolean;
  /** Process name -> running. */
  readonly processes: Record<string, boolean>;
  readonly dockerAnswers: boolean;
  /** `--plugin v2`: the plugin as this engine reports it. */
  readonly plugin?: 'enabled' | 'disabled' | 'missing';
  /** `--mode swarm`: the node's status in `docker node ls` on h1 (Ready, Down, ...), or missing. */
  readonly swarmNode?: string;
}

export interface ClusterStatus {
  readonly name: string;
  /** up: everything runs and answers; degraded: something is missing; down: nothing is there. */
  readonly state: 'up' | 'degraded' | 'down';
  readonly complete: boolean;
  readonly dir: string;
  readonly logDir: string;
  readonly clusterStore?: string;
  readonly netmasterUrl?: string;
  readonly netmasterLeader: boolean;
  /** The cluster store (etcd or Consul, see options.store) answers. */
  readonly storeHealthy: boolean;
  readonly options?: ClusterState['options'];
  readonly hosts: HostStatus[];
  /** `--plugin v2`: the driver name (the plugin's alias on every engine). */
  readonly plugin?: string;
  /** Namespaces of this cluster that cluster.json does not know (a crashed up). */
  readonly strayNetns: string[];
}

/** The processes `up` starts itself on every host, and on h1 in addition (with --plugin v2 our services run inside the plugin). */
function expectedProcesses(o: ClusterOptions, index: number): ProcessName[] {
  const v2 = pluginKind(o) === 'v2';
  const host: ProcessName[] = v2 ? ['dockerd', 'registry'] : ['dockerd', 'netplugin', 'driver-shim'];
  const master: ProcessName[] = v2 ? [o.store] : [o.store, 'netmaster'];
  if (index === 1) return [...master, ...host];
  return !v2 && index <= masterCount(o) ? ['netmaster', ...host] : host;
}

export async function clusterStatus(layout: ClusterLayout, left: Leftovers): Promise<ClusterStatus> {
  const s = left.state;
  const known = new Set(s?.hosts.map((h) => h.netns) ?? []);
  const stray = [...left.hostNetns.values()].filter((n) => !known.has(n));
  if (!s) {
    return {
      name: layout.name,
      state: stray.length > 0 || left.underlay || left.dir ? 'degraded' : 'down',
      complete: false,
      dir: layout.dir,
      logDir: layout.logDir,
      netmasterLeader: false,
      storeHealthy: false,
      hosts: [],
      strayNetns: stray,
    };
  }
  const present = new Set(left.hostNetns.values());
  const nodes = clusterMode(s.options) === 'swarm' && s.hosts[0] !== undefined && present.has(s.hosts[0].netns) ? await swarmNodes(s.hosts[0]) : undefined;
  const hosts = await Promise.all(s.hosts.map((h) => hostStatus(h, present.has(h.netns), s.options, s.plugin?.name, nodes)));
  const first = s.hosts[0];
  const leader = first !== undefined && present.has(first.netns) && (await netmasterLeader(first.netns, s.netmasterUrl));
  const storeOk = first !== undefined && present.has(first.netns) && (await storeHealthy(s.options.store, first.netns));
  const allUp =
    s.complete &&
    left.underlay &&
    stray.length === 0 &&
    leader &&
    storeOk &&
    hosts.length === s.options.hosts &&
    hosts.every(
      (h) =>
        h.netnsPresent &&
        h.dockerAnswers &&
        Object.values(h.processes).every(Boolean) &&
        (h.plugin === undefined || h.plugin === 'enabled') &&
        (h.swarmNode === undefined || h.swarmNode === 'Ready'),
    );
  return {
    name: layout.name,
    state: allUp ? 'up' : 'degraded',
    complete: s.complete,
    dir: layout.dir,
    logDir: layout.logDir,
    clusterStore: s.clusterStore,
    netmasterUrl: s.netmasterUrl,
    netmasterLeader: leader,
    storeHealthy: storeOk,
    options: s.options,
    hosts,
    ...(s.plugin ? { plugin: s.plugin.name } : {}),
    strayNetns: stray,
  };
}

async function hostStatus(
  h: HostState,
  netnsPresent: boolean,
  options: ClusterOptions,
  pluginName: string | undefined,
  nodes: Map<string, string> | undefined,
): Promise<HostStatus> {
  const processes: Record<string, boolean> = {};
  for (const n of expectedProcesses(options, h.index)) {
    const pid = h.pids[n];
    processes[n] = pid !== undefined && pidAlive(pid);
  }
  for (const d of ['ovsdb-server', 'ovs-vswitchd']) {
    const pid = readPidFile(path.join(h.ovsDir, `${d}.pid`));
    processes[d] = pid !== undefined && pidAlive(pid);
  }
  const docker = processes['dockerd'] === true && (await run(DOCKER_BIN, ['-H', h.dockerHost, 'version', '--format', '{{.Server.Version}}'], { allowFail: true, timeoutMs: 10_000 })).code === 0;
  let plugin: HostStatus['plugin'];
  if (pluginKind(options) === 'v2') {
    const enabled = docker && pluginName !== undefined ? await pluginEnabled(engineOf(h), pluginName) : undefined;
    plugin = enabled === undefined ? 'missing' : enabled ? 'enabled' : 'disabled';
  }
  return {
    key: h.key,
    netns: h.netns,
    ip: h.ip,
    dockerHost: h.dockerHost,
    netnsPresent,
    processes,
    dockerAnswers: docker,
    ...(plugin !== undefined ? { plugin } : {}),
    ...(nodes !== undefined ? { swarmNode: nodes.get(h.netns) ?? 'missing' } : {}),
  };
}

/** netmaster at `url` leads, or (several netmasters) follows an elected leader. */
async function netmasterLeader(netns: string, url: string): Promise<boolean> {
  const r = await runInNetns(netns, 'curl', ['-fsS', '-m', '3', `${url}/info`], { allowFail: true, timeoutMs: 10_000 });
  if (r.code !== 0) return false;
  return /"current-state"\s*:\s*"leader"/.test(r.stdout) || (/"current-state"\s*:\s*"follower"/.test(r.stdout) && !/"leader-ip"\s*:\s*""/.test(r.stdout));
}

/** The human-readable table. */
export function formatStatus(st: ClusterStatus): string {
  const lines: string[] = [];
  if (st.state === 'down' && st.hosts.length === 0) {
    lines.push(`cluster ${st.name}: not up`);
    return lines.join('\n');
  }
  const o = st.options;
  lines.push(
    `cluster ${st.name}: ${st.state}${st.complete ? '' : ' (up did not finish)'}` +
      (o
        ? ` - ${o.hosts} host(s), mode ${clusterMode(o)}, plugin ${pluginKind(o)}, store ${o.store}, docker --cluster-store ${o.dockerClusterStore ? 'on' : 'off'}${o.vxlanPort !== undefined ? `, vxlan_port ${o.vxlanPort}` : ''}`
        : ''),
  );
  if (st.clusterStore) lines.push(`  store      ${st.clusterStore} (on h1): ${st.storeHealthy ? 'healthy' : 'NOT HEALTHY'}`);
  const masters = o ? masterCount(o) : 1;
  if (st.netmasterUrl) {
    const where = masters > 1 ? `on h1..h${masters}, h1's` : 'on h1';
    lines.push(`  netmaster  ${st.netmasterUrl} (${where}): ${st.netmasterLeader ? (masters > 1 ? 'answers, a leader is elected' : 'leader') : 'NOT ANSWERING'}`);
  }
  if (st.plugin) lines.push(`  plugin     ${st.plugin} (docker plugin ls on every host)`);
  if (st.hosts.length > 0) {
    const v2 = st.hosts.some((h) => h.plugin !== undefined);
    const swarm = st.hosts.some((h) => h.swarmNode !== undefined);
    const rows = [['HOST', 'NETNS', 'UNDERLAY', 'DOCKER', ...(v2 ? ['PLUGIN'] : []), ...(swarm ? ['SWARM'] : []), 'PROCESSES']];
    for (const h of st.hosts) {
      const procs = Object.entries(h.processes)
        .map(([n, ok]) => (ok ? n : `${n}:DOWN`))
        .join(' ');
      rows.push([
        h.key,
        h.netnsPresent ? h.netns : `${h.netns}:MISSING`,
        h.ip,
        h.dockerAnswers ? 'answers' : 'DOWN',
        ...(v2 ? [h.plugin === 'enabled' ? 'enabled' : (h.plugin ?? 'missing').toUpperCase()] : []),
        ...(swarm ? [h.swarmNode === 'Ready' ? 'Ready' : (h.swarmNode ?? 'missing').toUpperCase()] : []),
        procs,
      ]);
    }
    const widths = rows[0]?.map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length))) ?? [];
    for (const r of rows) lines.push(`  ${r.map((cell, c) => (c === r.length - 1 ? cell : cell.padEnd(widths[c] ?? 0))).join('  ')}`);
  }
  if (st.strayNetns.length > 0) lines.push(`  leftover namespaces: ${st.strayNetns.join(' ')} (run down, or up to rebuild)`);
  lines.push(`  state ${st.dir}   logs ${st.logDir}`);
  return lines.join('\n');
}
