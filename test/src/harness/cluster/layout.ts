/**
 * Names and paths of one local cluster, all derived from its name and two base
 * directories, so `down` after a crash finds everything `up` made even when the
 * state file never got written.
 *
 *   <base>/<name>/                cluster.json (state), bin/netctl, env/hN, etcd/
 *   <base>/<name>/hN/             docker/ (data, exec root, socket, plugins dir), ovs/, run/
 *   <logs>/cluster-<name>/hN/     every log of host N (kept by `down`, replaced by `up`)
 *   netns <name>-ul, <name>-hN    underlay, hosts; <name>-hN is also the host name
 *                                 and the containers' cgroup parent
 */
import path from 'node:path';

export const DEFAULT_NAME = 'contiv';
export const DEFAULT_BASE_DIR = '/var/lib/contiv/cluster';
export const DEFAULT_LOG_BASE = '/var/log/contiv';
/** netns and cgroup names are `<name>-hN`; Linux caps interface-ish names, and socket paths must stay short. */
const NAME_RE = /^[a-z][a-z0-9]{0,11}$/;

export interface ClusterLayout {
  readonly name: string;
  /** Everything `up` writes except logs; removed by `down`. */
  readonly dir: string;
  readonly logDir: string;
  readonly stateFile: string;
  /** Put first on PATH by `exec` (netctl). */
  readonly binDir: string;
  /** One file per host with what `exec` sets (read by the bash wrapper). */
  readonly envDir: string;
  readonly etcdDir: string;
  readonly underlayNetns: string;
}

export function checkName(name: string): void {
  if (!NAME_RE.test(name)) {
    throw new Error(`cluster name "${name}" must be 1-12 lower-case letters or digits, starting with a letter`);
  }
}

export function clusterLayout(name: string, baseDir: string, logBase: string): ClusterLayout {
  checkName(name);
  const dir = path.join(path.resolve(baseDir), name);
  return {
    name,
    dir,
    logDir: path.join(path.resolve(logBase), `cluster-${name}`),
    stateFile: path.join(dir, 'cluster.json'),
    binDir: path.join(dir, 'bin'),
    envDir: path.join(dir, 'env'),
    etcdDir: path.join(dir, 'etcd'),
    underlayNetns: `${name}-ul`,
  };
}

/** `h1`, `h2`, ...: what `exec` takes. */
export function hostKey(index: number): string {
  return `h${index}`;
}

export function hostNetns(layout: ClusterLayout, index: number): string {
  return `${layout.name}-${hostKey(index)}`;
}

export function hostDir(layout: ClusterLayout, index: number): string {
  return path.join(layout.dir, hostKey(index));
}

export function hostLogDir(layout: ClusterLayout, index: number): string {
  return path.join(layout.logDir, hostKey(index));
}

/** Host namespaces of this cluster among `ip netns list` names, by index. */
export function matchHostNetns(layout: ClusterLayout, names: readonly string[]): Map<number, string> {
  const re = new RegExp(`^${layout.name}-h(\\d+)$`);
  const out = new Map<number, string>();
  for (const n of names) {
    const m = re.exec(n);
    if (m?.[1] !== undefined) out.set(Number(m[1]), n);
  }
  return out;
}
