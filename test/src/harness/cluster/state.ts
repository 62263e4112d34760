/**
 * What `up` records for `exec`, `status` and `down`: cluster.json (written
 * after every step, so a crash leaves the pids started so far) and one env
 * file per host for the bash wrapper's `exec`.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { ClusterLayout } from './layout';

export type StoreKind = 'etcd' | 'consul';

export interface ClusterOptions {
  readonly hosts: number;
  readonly store: StoreKind;
  /** Every dockerd runs with --cluster-store on the cluster's etcd (refused with --store consul). */
  readonly dockerClusterStore: boolean;
  /** netplugin's vxlan_port (unset: the agent's default). */
  readonly vxlanPort?: number;
  readonly debug: boolean;
}

export type ProcessName = 'etcd' | 'consul' | 'netmaster' | 'netplugin' | 'driver-shim' | 'dockerd';

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
  ];
  fs.writeFileSync(path.join(layout.envDir, host.key), `${lines.join('\n')}\n`);
}
