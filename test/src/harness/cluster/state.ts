/**
 * What `up` records for `exec`, `status` and `down`: cluster.json (written
 * after every step, so a crash leaves the pids started so far) and one env
 * file per host for the bash wrapper's `exec`.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { ClusterLayout } from './layout';

export type StoreKind = 'etcd' | 'consul';
/** `legacy`: standalone engines (Contiv's docker plugin mode); `swarm`: the engines form a Docker swarm. */
export type ClusterMode = 'legacy' | 'swarm';
/** `binaries`: our services run as host processes (legacy plugin); `v2`: the managed plugin, installed from a registry. */
export type PluginKind = 'binaries' | 'v2';

export interface ClusterOptions {
  readonly hosts: number;
  readonly store: StoreKind;
  /** Every dockerd runs with --cluster-store on the cluster's etcd (refused with --store consul). */
  readonly dockerClusterStore: boolean;
  /** netplugin's vxlan_port (unset: the agent's default). */
  readonly vxlanPort?: number;
  readonly debug: boolean;
  /** Absent in state files of older tools: legacy. */
  readonly mode?: ClusterMode;
  /** Absent in state files of older tools: binaries. */
  readonly plugin?: PluginKind;
  /** netmaster runs on h1..hN (one leads, the others forward); absent: 1. */
  readonly masters?: number;
}

export function masterCount(o: ClusterOptions): number {
  return o.masters ?? 1;
}

export function clusterMode(o: ClusterOptions): ClusterMode {
  return o.mode ?? 'legacy';
}

export function pluginKind(o: ClusterOptions): PluginKind {
  return o.plugin ?? 'binaries';
}

export type ProcessName = 'etcd' | 'consul' | 'netmaster' | 'netplugin' | 'driver-shim' | 'dockerd' | 'registry';

/** The managed plugin of a `--plugin v2` cluster. */
export interface PluginState {
  /** What `docker plugin install` pulls, e.g. localhost:5000/contiv/v2plugin:0.1.0. */
  readonly remote: string;
  /** What the engines call it (the --alias), the driver name users pass to -d, e.g. contiv/v2plugin:0.1.0. */
  readonly name: string;
}

export interface HostState {
  /** `h1`... */
  readonly key: string;
  readonly index: number;
  readonly netns: string;
  /** Underlay address (on br-phy). */
  readonly ip: string;
  readonly dir: string;
  readonly logDir: string;
  readonly ovsDir: string;
  /** `unix://...` of this host's engine. */
  readonly dockerHost: string;
  /** Processes we started on this host (OVS keeps its own pid files in ovsDir). */
  pids: Partial<Record<ProcessName, number>>;
  /** Services `cluster stop` stopped, by service name, with what `cluster start` needs (restart.ts). */
  stopped?: Partial<Record<string, StoppedProcess>>;
}

/** A stopped daemon's command line, environment and namespace, as it ran. */
export interface StoppedProcess {
  readonly argv: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  /** The host's namespace when it ran there (ovsdb-server runs in the machine's). */
  readonly netns?: string;
  readonly stoppedAt: string;
}

export interface ClusterState {
  readonly version: 1;
  readonly name: string;
  readonly options: ClusterOptions;
  /** etcd://IP:2379 or consul://IP:8500 as every host sees it. */
  readonly clusterStore: string;
  /** netmaster as every host's netctl reaches it. */
  readonly netmasterUrl: string;
  readonly createdAt: string;
  /** Set with `--plugin v2`. */
  plugin?: PluginState;
  /** `up` finished (every service answered, the underlay checks passed). */
  complete: boolean;
  hosts: HostState[];
}

export function readState(layout: ClusterLayout): ClusterState | undefined {
  let text: string;
  try {
    text = fs.readFileSync(layout.stateFile, 'utf8');
  } catch {
    return undefined;
  }
  try {
    const s = JSON.parse(text) as ClusterState;
    return s.version === 1 && Array.isArray(s.hosts) ? s : undefined;
  } catch {
    // half-written by a crash: down still finds everything by name
    return undefined;
  }
}

export function writeState(layout: ClusterLayout, state: ClusterState): void {
  fs.mkdirSync(path.dirname(layout.stateFile), { recursive: true });
  const tmp = `${layout.stateFile}.tmp`;
  fs.writeFileSync(tmp, `${JSON.stringify(state, null, 2)}\n`);
  fs.renameSync(tmp, layout.stateFile);
}

/** `KEY=value` lines the bash wrapper reads for `exec HOST` (values never hold newlines). */
export function writeHostEnv(layout: ClusterLayout, state: ClusterState, host: HostState): void {
  fs.mkdirSync(layout.envDir, { recursive: true });
  const lines = [
    `NETNS=${host.netns}`,
    `DOCKER_HOST=${host.dockerHost}`,
    `NETMASTER=${state.netmasterUrl}`,
    `CLUSTER_BIN=${layout.binDir}`,
    // exec enters this engine's mount namespace too: its /var/log/contiv and /run are the host's own.
    `DOCKER_PIDFILE=${path.join(host.dir, 'docker', 'docker.pid')}`,
  ];
  fs.writeFileSync(path.join(layout.envDir, host.key), `${lines.join('\n')}\n`);
}
