/**
 * Swarm services on our managed plugin against Docker's own overlay, on one
 * 3-host local cluster (`cluster up --hosts 3 --mode swarm --plugin v2`).
 *
 * 1. `docker service create --replicas N` until every task answers a ping:
 *    one network of the plugin (`-d`/`--ipam-driver` the plugin) and one
 *    Docker overlay network (kernel VXLAN, data-path port 7789) on the same
 *    swarm. Each network has a prober: a long-running one-replica service on
 *    it, pinned to h2, made before any measurement. Why a prober service
 *    rather than `docker exec` into a measured task: a measured task would have
 *    to be up before it could ping, so the clock would start late and the
 *    slowest task could be the prober itself. The clock starts just before the
 *    `docker service create` CLI is spawned; as soon as the manager has given
 *    the tasks their addresses (task inspect), the prober pings all of them in
 *    parallel (every 10 ms, ARP retry 5 ms) and stamps each first reply with
 *    the kernel clock (busybox adjtimex; the hosts are namespaces of one
 *    machine, so it is the clock Node reads). Runs alternate ours/overlay;
 *    services are removed (and their containers gone) between runs.
 * 2. The plugin: `docker plugin disable` and `enable` timed on a worker (h3)
 *    of the running cluster, after the services and networks are gone; the
 *    rootfs size is `du -sb` of the bundle the cluster built (build.sh).
 *
 * Figures only, no verdicts.
 */
import { spawn } from 'node:child_process';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import readline from 'node:readline';
import { LocalCluster } from '../harness/cluster/client';
import type { Engine } from '../harness/cluster/engine';
import { engineOf } from '../harness/cluster/engine';
import { DOCKER_BIN } from '../harness/dockerd';
import { sleep } from '../harness/exec';
import { defaultPluginName } from '../harness/v2plugin';
import { median, ms, table } from './stats';

export interface SwarmServiceOptions {
  /** Runs per network kind and replica count. */
  readonly runs: number;
  /** Replica counts measured. */
  readonly replicas: readonly number[];
}

type Kind = 'ours' | 'overlay';

interface TestNetwork {
  readonly kind: Kind;
  readonly name: string;
  readonly subnet: string;
  /** The first three octets, to pick this network's addresses out of a task's attachments. */
  readonly prefix: string;
  readonly prober: string;
}

const NETWORKS: Record<Kind, Omit<TestNetwork, 'kind'>> = {
  ours: { name: 'swb-ours', subnet: '10.71.0.0/24', prefix: '10.71.0.', prober: 'swb-probe-ours' },
  overlay: { name: 'swb-ovl', subnet: '10.72.0.0/24', prefix: '10.72.0.', prober: 'swb-probe-ovl' },
};
const HOSTS = ['h1', 'h2', 'h3'];
const PROBER_HOST = 'h2';
/** The worker whose plugin is disabled and enabled for part 2 (h1 runs netmaster). */
const PLUGIN_HOST = 'h3';
const PLUGIN_CYCLES = 3;
const ANSWER_DEADLINE_MS = 120_000;

/**
 * The prober's script (busybox sh), one argument per address: "ready <µs>"
 * once every ping runs, "reply <ip> <µs>" at each address's first echo reply.
 * A ping that exits without a reply (its target not there yet) is started again.
 */
const PROBE_SCRIPT = [
  `now() { adjtimex | awk '/tv_sec/ { s = $2 } /tv_usec/ { u = $2 } END { printf "%s%06d\\n", s, u }'; }`,
  'for ip in "$@"; do',
  `  ( until ping -i 0.01 -w ${ANSWER_DEADLINE_MS / 1000} "$ip" 2>/dev/null | { while read -r l; do case "$l" in *"bytes from"*) echo "reply $ip $(now)"; exit 0;; esac; done; exit 1; }; do usleep 10000; done ) &`,
  'done',
  'echo "ready $(now)"',
  'wait',
  'echo end',
].join('\n');

const SERVICE_FLAGS = ['--endpoint-mode', 'dnsrr', '--no-resolve-image', '--stop-signal', 'SIGKILL'];

interface Sample {
  readonly kind: Kind;
  readonly replicas: number;
  /** ms from issuing `service create` until: the CLI returned, all addresses allocated, first and last reply. */
  readonly returned: number;
  readonly allocated: number;
  readonly first: number | undefined;
  readonly all: number | undefined;
}

export async function benchSwarmService(opts: SwarmServiceOptions): Promise<void> {
  if (!Number.isInteger(opts.runs) || opts.runs < 1) throw new Error(`--service-runs must be a positive integer (got ${opts.runs})`);
  const plugin = defaultPluginName();
  const c = LocalCluster.create();
  try {
    const t0 = Date.now();
    await c.up({ hosts: 3, mode: 'swarm', plugin: 'v2', debug: false });
    console.log(`\nswarm services (3-host local cluster, swarm mode, plugin ${plugin}; up in ${((Date.now() - t0) / 1000).toFixed(1)} s)`);
    const manager = engineOf(c.hostState('h1'));
    const nets: Record<Kind, TestNetwork> = {
      ours: { kind: 'ours', ...NETWORKS.ours },
      overlay: { kind: 'overlay', ...NETWORKS.overlay },
    };
    await manager.docker(['network', 'create', '-d', plugin, '--ipam-driver', plugin, '--subnet', nets.ours.subnet, nets.ours.name]);
    await manager.docker(['network', 'create', '-d', 'overlay', '--attachable', '--subnet', nets.overlay.subnet, nets.overlay.name]);
    const probers: Record<Kind, string> = {
      ours: await startProber(c, manager, nets.ours),
      overlay: await startProber(c, manager, nets.overlay),
    };

    const samples: Sample[] = [];
    for (const n of opts.replicas) {
      for (let run = 0; run < opts.runs; run++) {
        const order: Kind[] = run % 2 === 0 ? ['ours', 'overlay'] : ['overlay', 'ours'];
        for (const kind of order) samples.push(await measureService(c, manager, nets[kind], probers[kind], n, run));
      }
    }
    reportServices(samples);

    await manager.docker(['service', 'rm', nets.ours.prober, nets.overlay.prober]);
    await waitNoTasks(c, [nets.ours.prober, nets.overlay.prober]);
    for (const net of [nets.ours, nets.overlay]) await removeNetwork(manager, net.name);
    await benchPluginCycle(c, plugin);
  } finally {
    await c.destroy();
  }
}

/** The prober service on `net`, pinned to PROBER_HOST; resolves with its container id there. */
async function startProber(c: LocalCluster, manager: Engine, net: TestNetwork): Promise<string> {
  const node = c.hostState(PROBER_HOST).netns; // the nodes' hostnames are their netns names
  await manager.docker([
    'service', 'create', '--detach', '--name', net.prober, '--network', net.name, '--constraint', `node.hostname==${node}`,
    // eth0 is the service's one network: lower its ARP retry so a target's first ARP answer is not a second away
    '--sysctl', 'net.ipv4.neigh.eth0.retrans_time_ms=5',
    ...SERVICE_FLAGS, 'busybox', 'sleep', '86400',
  ]);
  const engine = engineOf(c.hostState(PROBER_HOST));
  for (let i = 0; i < 600; i++) {
    const id = (await engine.docker(['ps', '-q', '--filter', `label=com.docker.swarm.service.name=${net.prober}`])).stdout.trim().split('\n')[0] ?? '';
    if (id !== '') {
      const eth0 = (await engine.docker(['exec', id, 'ip', '-o', '-4', 'addr', 'show', 'eth0'], { allowFail: true })).stdout;
      if (!eth0.includes(net.prefix)) throw new Error(`prober ${net.prober}: eth0 is not on ${net.subnet}: ${eth0.trim()}`);
      return id;
    }
    await sleep(100);
  }
  throw new Error(`prober ${net.prober} did not start on ${PROBER_HOST}`);
}

/** Addresses the manager gave the service's tasks on `net` (empty strings left out). */
async function taskAddresses(manager: Engine, service: string, net: TestNetwork): Promise<string[]> {
  const ids = (await manager.docker(['service', 'ps', '-q', '--filter', 'desired-state=running', service], { allowFail: true })).stdout.split(/\s+/).filter(Boolean);
  if (ids.length === 0) return [];
  const r = await manager.docker(['inspect', '-f', '{{range .NetworksAttachments}}{{range .Addresses}}{{.}} {{end}}{{end}}', ...ids], { allowFail: true });
  if (r.code !== 0) return [];
  return r.stdout.split(/\s+/).filter((a) => a.startsWith(net.prefix)).map((a) => a.replace(/\/\d+$/, ''));
}

async function measureService(c: LocalCluster, manager: Engine, net: TestNetwork, prober: string, n: number, run: number): Promise<Sample> {
  const service = `swb-${net.kind}-${n}-${run}`;
  const issued = Date.now();
  await manager.docker(['service', 'create', '--detach', '--name', service, '--replicas', String(n), '--network', net.name, ...SERVICE_FLAGS, 'busybox', 'sleep', '86400']);
  const returned = Date.now() - issued;
  let ips: string[] = [];
  while ((ips = await taskAddresses(manager, service, net)).length < n) {
    if (Date.now() - issued > ANSWER_DEADLINE_MS) throw new Error(`${service}: ${ips.length} of ${n} task addresses after ${ANSWER_DEADLINE_MS} ms`);
    await sleep(20);
  }
  const allocated = Date.now() - issued;
  const replies = await probe(c, prober, ips);
  const times = ips.map((ip) => replies.get(ip)).filter((t): t is number => t !== undefined).map((t) => t - issued);
  if (times.length < n) console.log(`  ${service}: ${times.length} of ${n} tasks answered within ${ANSWER_DEADLINE_MS / 1000} s`);
  await manager.docker(['service', 'rm', service]);
  await waitNoTasks(c, [service]);
  return {
    kind: net.kind,
    replicas: n,
    returned,
    allocated,
    first: times.length > 0 ? Math.min(...times) : undefined,
    all: times.length === n ? Math.max(...times) : undefined,
  };
}

/** Runs the probe script in the prober; resolves with each address's first reply (epoch ms). */
async function probe(c: LocalCluster, prober: string, ips: readonly string[]): Promise<Map<string, number>> {
  const child = spawn(DOCKER_BIN, ['-H', c.hostState(PROBER_HOST).dockerHost, 'exec', prober, 'sh', '-c', PROBE_SCRIPT, 'sh', ...ips], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const replies = new Map<string, number>();
  const lines = readline.createInterface({ input: child.stdout });
  lines.on('line', (line) => {
    const m = /^reply (\S+) (\d+)$/.exec(line.trim());
    if (m?.[1] !== undefined && m[2] !== undefined) replies.set(m[1], Number(m[2]) / 1000);
  });
  const deadline = setTimeout(() => child.kill('SIGKILL'), ANSWER_DEADLINE_MS + 5_000);
  await new Promise<void>((resolve) => child.on('close', () => resolve()));
  clearTimeout(deadline);
  return replies;
}

/** Waits until no host runs a container of these services (removal is asynchronous). */
async function waitNoTasks(c: LocalCluster, services: readonly string[]): Promise<void> {
  for (let i = 0; i < 300; i++) {
    let left = 0;
    for (const h of HOSTS) {
      const args = ['ps', '-aq', ...services.flatMap((s) => ['--filter', `label=com.docker.swarm.service.name=${s}`])];
      left += (await engineOf(c.hostState(h)).docker(args)).stdout.split(/\s+/).filter(Boolean).length;
    }
    if (left === 0) return;
    await sleep(200);
  }
  throw new Error(`containers of ${services.join(', ')} still there after 60 s`);
}

/** `network rm` fails for a few seconds after the last task went (ENVIRONMENT.md §3): retry. */
async function removeNetwork(manager: Engine, name: string): Promise<void> {
  for (let i = 0; i < 60; i++) {
    if ((await manager.docker(['network', 'rm', name], { allowFail: true })).code === 0) return;
    await sleep(500);
  }
  throw new Error(`network ${name} could not be removed`);
}

function reportServices(samples: readonly Sample[]): void {
  const defined = (xs: readonly (number | undefined)[]): number[] => xs.filter((x): x is number => x !== undefined);
  const rows: string[][] = [['network', 'N', 'runs', 'create returned', 'addresses', 'first answers', 'all answer']];
  const replicaCounts = [...new Set(samples.map((s) => s.replicas))];
  const ratios: string[] = [];
  for (const n of replicaCounts) {
    const medians: Partial<Record<Kind, number>> = {};
    for (const kind of ['ours', 'overlay'] as const) {
      const ss = samples.filter((s) => s.kind === kind && s.replicas === n);
      const all = defined(ss.map((s) => s.all));
      medians[kind] = median(all);
      rows.push([
        kind === 'ours' ? 'ours (v2plugin)' : 'Docker overlay',
        String(n),
        `${all.length}/${ss.length}`,
        ms(median(ss.map((s) => s.returned))),
        ms(median(ss.map((s) => s.allocated))),
        ms(median(defined(ss.map((s) => s.first)))),
        ms(median(all)),
      ]);
    }
    const ratio = (medians.ours ?? NaN) / (medians.overlay ?? NaN);
    ratios.push(`N=${n}: ${Number.isFinite(ratio) ? ratio.toFixed(2) : 'n/a'}`);
  }
  console.log('docker service create --replicas N (dnsrr) until every task answers a ping from the prober; medians from create issued');
  console.log(table(rows));
  console.log(`ratio ours/overlay of "all answer": ${ratios.join(', ')}`);
  console.log(`all runs (all answer, ms): ${samples.map((s) => `${s.kind}/${s.replicas}=${s.all === undefined ? 'n/a' : s.all.toFixed(0)}`).join(' ')}`);
}

/** Part 2: disable/enable cycles of the plugin on a worker, and the size of the bundle the cluster built. */
async function benchPluginCycle(c: LocalCluster, plugin: string): Promise<void> {
  const engine = engineOf(c.hostState(PLUGIN_HOST));
  const disable: number[] = [];
  const enable: number[] = [];
  for (let i = 0; i < PLUGIN_CYCLES; i++) {
    let t = Date.now();
    const r = await engine.docker(['plugin', 'disable', plugin], { timeoutMs: 90_000, allowFail: true });
    if (r.code !== 0) {
      // A swarm network can keep the plugin "in use" on a worker for a while after its last task.
      console.log(`  plugin disable failed (${r.stderr.trim()}); using disable -f`);
      t = Date.now();
      await engine.docker(['plugin', 'disable', '-f', plugin], { timeoutMs: 90_000 });
    }
    disable.push(Date.now() - t);
    t = Date.now();
    await engine.docker(['plugin', 'enable', plugin], { timeoutMs: 90_000 });
    enable.push(Date.now() - t);
  }
  console.log(`\nplugin on ${PLUGIN_HOST} (worker), ${PLUGIN_CYCLES} cycles: docker plugin disable median ${ms(median(disable))}, enable median ${ms(median(enable))}`);
  console.log(`  enable runs: ${enable.map((x) => x.toFixed(0)).join(', ')} ms; disable runs: ${disable.map((x) => x.toFixed(0)).join(', ')} ms`);
  const rootfs = path.join(c.layout.dir, 'v2plugin-build', 'rootfs');
  const size = (p: string): string => {
    const bytes = Number(execFileSync('du', ['-sb', p], { encoding: 'utf8' }).split('\t')[0]);
    return `${(bytes / 1e6).toFixed(1)} MB`;
  };
  console.log(`  rootfs (du -sb of the bundle the cluster built): ${size(rootfs)}; node ${size(path.join(rootfs, 'usr/bin/node'))}, /contiv (services, node_modules) ${size(path.join(rootfs, 'contiv'))}`);
}
