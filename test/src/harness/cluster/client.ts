/**
 * The local-cluster tool driven from tests: every call goes through
 * deploy/local-cluster/cluster, exactly as a user types it, with a private
 * name, state directory and log directory so runs never meet.
 *
 *   const cluster = useCluster({ hosts: 3 });       // node:test fixture: up in before(), down in after()
 *   await cluster().netctl('h1', 'network', 'create', ...);
 *   await cluster().docker('h2', 'run', '-d', ...);
 *   await cluster().ofctl('h3', 'dump-flows', 'contivbr');
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before } from 'node:test';
import { REPO_ROOT } from '../busybox-image';
import type { RunOptions, RunResult } from '../exec';
import { CommandError, onExitCleanup, randomSuffix, run } from '../exec';
import { cgroupPids, pidsMentioning } from '../processes';
import { e2eStore } from '../store-kind';
import { listNetns } from './down';
import type { ClusterLayout } from './layout';
import { clusterLayout, hostKey } from './layout';
import type { RestartableService, StoppableService } from './restart';
import type { ClusterMode, ClusterState, PluginKind, StoreKind } from './state';
import { readState } from './state';
import type { ClusterStatus } from './status';

export const CLUSTER_TOOL = path.join(REPO_ROOT, 'deploy', 'local-cluster', 'cluster');

export interface ClusterUpOptions {
  hosts?: number;
  /** `up --cluster-store`. */
  clusterStore?: boolean;
  /** `up --store` (default: CONTIV_E2E_STORE, else etcd; see store-kind.ts). */
  store?: StoreKind;
  vxlanPort?: number;
  /** Debug logs for our services (default true: tests read them). */
  debug?: boolean;
  /** `up --mode` (default legacy). */
  mode?: ClusterMode;
  /** `up --plugin` (default binaries). */
  plugin?: PluginKind;
  /** Cluster name (default a random one). */
  name?: string;
  /** `up --masters`: netmaster on h1..hN. */
  masters?: number;
}

/** What is left of a cluster on this machine (all empty after `down`). */
export interface ClusterLeftovers {
  netns: string[];
  /** Processes naming the state dir or in the containers' cgroups. */
  pids: number[];
  cgroups: string[];
  dirExists: boolean;
}

export class LocalCluster {
  readonly layout: ClusterLayout;
  private readonly env: NodeJS.ProcessEnv;
  private unregister: () => void = () => undefined;

  constructor(
    readonly name: string,
    readonly baseDir: string,
    readonly logBase: string,
  ) {
    this.layout = clusterLayout(name, baseDir, logBase);
    this.env = { ...process.env, CONTIV_CLUSTER_DIR: baseDir, CONTIV_LOG_DIR: logBase };
  }

  /** A fresh name and private directories (short paths: unix sockets live below them). */
  static create(name?: string): LocalCluster {
    const base = fs.mkdtempSync(path.join('/tmp', 'ctvc-'));
    const c = new LocalCluster(name ?? `ct${randomSuffix(5)}`, path.join(base, 's'), path.join(base, 'logs'));
    // If the test process dies, the detached cluster would outlive it: take it down.
    c.unregister = onExitCleanup(() => {
      spawnSync(CLUSTER_TOOL, ['--name', c.name, 'down'], { env: c.env, stdio: 'ignore', timeout: 120_000 });
    });
    return c;
  }

  /** Runs the tool (`cluster --name NAME ARGS...`); resolves with its result whatever the exit code. */
  tool(args: readonly string[], opts: RunOptions = {}): Promise<RunResult> {
    return run(CLUSTER_TOOL, ['--name', this.name, ...args], { env: this.env, timeoutMs: 300_000, allowFail: true, ...opts });
  }

  /** The argv and environment of the tool, for starting it as a process of one's own. */
  toolCommand(args: readonly string[]): { cmd: string; args: string[]; env: NodeJS.ProcessEnv } {
    return { cmd: CLUSTER_TOOL, args: ['--name', this.name, ...args], env: this.env };
  }

  async up(opts: ClusterUpOptions = {}): Promise<RunResult> {
    const args = ['up', '--hosts', String(opts.hosts ?? 3), '--store', opts.store ?? e2eStore()];
    if (opts.mode !== undefined) args.push('--mode', opts.mode);
    if (opts.plugin !== undefined) args.push('--plugin', opts.plugin);
    if (opts.clusterStore === true) args.push('--cluster-store');
    if (opts.vxlanPort !== undefined) args.push('--vxlan-port', String(opts.vxlanPort));
    if (opts.masters !== undefined) args.push('--masters', String(opts.masters));
    if (opts.debug !== false) args.push('--debug');
    return this.ok(args);
  }

  down(): Promise<RunResult> {
    return this.ok(['down']);
  }

  async status(): Promise<{ code: number; status: ClusterStatus }> {
    const r = await this.tool(['status', '--json']);
    return { code: r.code, status: JSON.parse(r.stdout) as ClusterStatus };
  }

  /** `cluster restart HOST SERVICE`: stop and start one daemon the way `up` started it (restart.ts). */
  restart(host: string, service: RestartableService | 'etcd'): Promise<RunResult> {
    return this.ok(['restart', host, service]);
  }

  /** `cluster stop HOST SERVICE`: the first half of restart; `start` is the second. */
  stop(host: string, service: StoppableService | 'etcd'): Promise<RunResult> {
    return this.ok(['stop', host, service]);
  }

  start(host: string, service: StoppableService | 'etcd'): Promise<RunResult> {
    return this.ok(['start', host, service]);
  }

  /** `cluster kill HOST SERVICE`: SIGKILL, as a crash; `start` brings it back. */
  kill(host: string, service: 'netmaster' | 'netplugin' | 'driver-shim'): Promise<RunResult> {
    return this.ok(['kill', host, service]);
  }

  state(): ClusterState | undefined {
    return readState(this.layout);
  }

  /** `cluster exec HOST -- ARGS...`; throws CommandError on a non-zero exit unless allowFail. */
  async exec(host: string, args: readonly string[], opts: RunOptions = {}): Promise<RunResult> {
    const all = ['exec', host, '--', ...args];
    const r = await this.tool(all, { timeoutMs: 120_000, ...opts, allowFail: true });
    if (r.code !== 0 && opts.allowFail !== true) throw new CommandError([CLUSTER_TOOL, ...all], r);
    return r;
  }

  docker(host: string, ...args: string[]): Promise<RunResult> {
    return this.exec(host, ['docker', ...args]);
  }

  netctl(host: string, ...args: string[]): Promise<RunResult> {
    return this.exec(host, ['netctl', ...args]);
  }

  /** ovs-vsctl against a host's OVS. */
  vsctl(host: string, ...args: string[]): Promise<RunResult> {
    return run('ovs-vsctl', [`--db=unix:${path.join(this.hostState(host).ovsDir, 'db.sock')}`, ...args]);
  }

  /** ovs-ofctl with the host's OVS_RUNDIR, so `dump-flows BRIDGE` finds the bridge. */
  ofctl(host: string, ...args: string[]): Promise<RunResult> {
    const dir = this.hostState(host).ovsDir;
    return run('ovs-ofctl', args, { env: { ...process.env, OVS_RUNDIR: dir } });
  }

  /** ovs-appctl to a host's ovs-vswitchd (e.g. `ofproto/trace contivbr FLOW`); resolves with its stdout. */
  async appctl(host: string, ...args: string[]): Promise<string> {
    const ctl = path.join(this.hostState(host).ovsDir, 'ovs-vswitchd.ctl');
    return (await run('ovs-appctl', ['-t', ctl, ...args])).stdout;
  }

  /**
   * Store keys under `prefix` (e.g. `/contiv.io/v1/state/`), read on h1 with the
   * store's own CLI: etcdctl, or `consul kv` (whose keys lack the leading `/`,
   * added back here). Raw reads: on Consul a leased key shows until its delete
   * is journaled (docs/store.md), so use it for keys without a lease.
   */
  async storeKeys(prefix: string): Promise<string[]> {
    const kind = this.state()?.options.store;
    const r =
      kind === 'consul'
        ? await run('ip', ['netns', 'exec', this.hostState('h1').netns, 'consul', 'kv', 'get', '-keys', '-separator=', prefix.replace(/^\//, '')])
        : await run('ip', ['netns', 'exec', this.hostState('h1').netns, 'etcdctl', 'get', '--prefix', '--keys-only', prefix], { env: { ...process.env, ETCDCTL_API: '3' } });
    const keys = r.stdout.split('\n').map((k) => k.trim()).filter(Boolean);
    return kind === 'consul' ? keys.map((k) => `/${k}`) : keys;
  }

  hostState(host: string): ClusterState['hosts'][number] {
    const h = this.state()?.hosts.find((x) => x.key === host);
    if (!h) throw new Error(`cluster ${this.name} has no host ${host}`);
    return h;
  }

  hostKeys(): string[] {
    return (this.state()?.hosts ?? []).map((h) => h.key);
  }

  /** Everything of this cluster still on the machine. */
  async leftovers(): Promise<ClusterLeftovers> {
    const netns = (await listNetns()).filter((n) => n === this.layout.underlayNetns || n.startsWith(`${this.name}-h`));
    const cgroups: string[] = [];
    const pids = new Set(pidsMentioning(`${this.layout.dir}/`));
    for (let i = 1; i <= 9; i++) {
      const parent = `${this.name}-${hostKey(i)}`;
      for (const p of cgroupPids(parent)) pids.add(p);
      for (const ctl of ['', ...safeReaddir('/sys/fs/cgroup')]) {
        const d = path.join('/sys/fs/cgroup', ctl, parent);
        if (fs.existsSync(d)) cgroups.push(d);
      }
    }
    return { netns, pids: [...pids], cgroups, dirExists: fs.existsSync(this.layout.dir) };
  }

  /** Takes the cluster down if it is up and removes the private directories (logs go to $TMPDIR/contiv-e2e-logs). */
  async destroy(): Promise<void> {
    await this.tool(['down']);
    keepLogs(this.name, this.layout.logDir);
    fs.rmSync(path.dirname(this.baseDir), { recursive: true, force: true });
    this.unregister();
  }

  private async ok(args: readonly string[]): Promise<RunResult> {
    const r = await this.tool(args);
    if (r.code !== 0) throw new CommandError([CLUSTER_TOOL, '--name', this.name, ...args], r);
    return r;
  }
}

function safeReaddir(dir: string): string[] {
  try {
    return fs.readdirSync(dir);
  } catch {
    return [];
  }
}

function keepLogs(name: string, logDir: string): void {
  try {
    const target = path.join(os.tmpdir(), 'contiv-e2e-logs', `cluster-${name}`);
    fs.mkdirSync(path.dirname(target), { recursive: true });
    if (fs.existsSync(logDir)) fs.cpSync(logDir, target, { recursive: true });
  } catch {
    // logs are a convenience
  }
}

/** node:test fixture: a cluster up for the enclosing file or describe block, down after it. */
export function useCluster(opts: ClusterUpOptions = {}): () => LocalCluster {
  let cluster: LocalCluster | undefined;
  before(async () => {
    cluster = LocalCluster.create(opts.name);
    await cluster.up(opts);
  }, { timeout: 300_000 });
  after(async () => {
    await cluster?.destroy();
  }, { timeout: 300_000 });
  return () => {
    if (!cluster) throw new Error('the cluster did not start (see the before hook error)');
    return cluster;
  };
}
