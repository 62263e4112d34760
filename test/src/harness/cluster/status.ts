/**
 * `cluster status`: for each host, whether its namespace and processes are
 * there and whether its engine and (on h1) netmaster and the store answer.
 */
import path from 'node:path';
import { DOCKER_BIN } from '../dockerd';
import { run, runInNetns } from '../exec';
import { pidAlive, readPidFile } from '../processes';
import type { Leftovers } from './down';
import type { ClusterLayout } from './layout';
import type { ClusterState, HostState, ProcessName, StoreKind } from './state';
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
  /** Namespaces of this cluster that cluster.json does not know (a crashed up). */
  readonly strayNetns: string[];
}

const HOST_PROCESSES: readonly ProcessName[] = ['dockerd', 'netplugin', 'driver-shim'];
const masterProcesses = (store: StoreKind): readonly ProcessName[] => [store, 'netmaster'];

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
  const hosts = await Promise.all(s.hosts.map((h) => hostStatus(h, present.has(h.netns), s.options.store)));
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
    hosts.every((h) => h.netnsPresent && h.dockerAnswers && Object.values(h.processes).every(Boolean));
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
    strayNetns: stray,
  };
}

async function hostStatus(h: HostState, netnsPresent: boolean, store: StoreKind): Promise<HostStatus> {
  const processes: Record<string, boolean> = {};
  const names = h.index === 1 ? [...masterProcesses(store), ...HOST_PROCESSES] : HOST_PROCESSES;
  for (const n of names) {
    const pid = h.pids[n];
    processes[n] = pid !== undefined && pidAlive(pid);
  }
  for (const d of ['ovsdb-server', 'ovs-vswitchd']) {
    const pid = readPidFile(path.join(h.ovsDir, `${d}.pid`));
    processes[d] = pid !== undefined && pidAlive(pid);
  }
  const docker = processes['dockerd'] === true && (await run(DOCKER_BIN, ['-H', h.dockerHost, 'version', '--format', '{{.Server.Version}}'], { allowFail: true, timeoutMs: 10_000 })).code === 0;
  return { key: h.key, netns: h.netns, ip: h.ip, dockerHost: h.dockerHost, netnsPresent, processes, dockerAnswers: docker };
}

async function netmasterLeader(netns: string, url: string): Promise<boolean> {
  const r = await runInNetns(netns, 'curl', ['-fsS', '-m', '3', `${url}/info`], { allowFail: true, timeoutMs: 10_000 });
  return r.code === 0 && /"current-state"\s*:\s*"leader"/.test(r.stdout);
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
      (o ? ` - ${o.hosts} host(s), store ${o.store}, docker --cluster-store ${o.dockerClusterStore ? 'on' : 'off'}${o.vxlanPort !== undefined ? `, vxlan_port ${o.vxlanPort}` : ''}` : ''),
  );
  if (st.clusterStore) lines.push(`  store      ${st.clusterStore} (on h1): ${st.storeHealthy ? 'healthy' : 'NOT HEALTHY'}`);
  if (st.netmasterUrl) lines.push(`  netmaster  ${st.netmasterUrl} (on h1): ${st.netmasterLeader ? 'leader' : 'NOT ANSWERING'}`);
  if (st.hosts.length > 0) {
    const rows = [['HOST', 'NETNS', 'UNDERLAY', 'DOCKER', 'PROCESSES']];
    for (const h of st.hosts) {
      const procs = Object.entries(h.processes)
        .map(([n, ok]) => (ok ? n : `${n}:DOWN`))
        .join(' ');
      rows.push([h.key, h.netnsPresent ? h.netns : `${h.netns}:MISSING`, h.ip, h.dockerAnswers ? 'answers' : 'DOWN', procs]);
    }
    const widths = rows[0]?.map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length))) ?? [];
    for (const r of rows) lines.push(`  ${r.map((cell, c) => (c === r.length - 1 ? cell : cell.padEnd(widths[c] ?? 0))).join('  ')}`);
  }
  if (st.strayNetns.length > 0) lines.push(`  leftover namespaces: ${st.strayNetns.join(' ')} (run down, or up to rebuild)`);
  lines.push(`  state ${st.dir}   logs ${st.logDir}`);
  return lines.join('\n');
}
