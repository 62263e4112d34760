/**
 * Convergence across hosts: on a 3-host local cluster, how long after a
 * container starts on h1 a container on h2 first gets a ping reply from it.
 *
 * A long-running busybox prober on h2 pings the target's address (given with
 * `docker run --ip`, so pinging starts before the container exists) every
 * 5 ms and stamps the first reply with the kernel's clock (busybox `adjtimex`,
 * microseconds; the hosts are namespaces of one machine, so every clock here
 * is the same clock). That reply is compared with Docker's `.State.StartedAt`,
 * with the moments the agent on h1 logged (endpoint record written, endpoint
 * created), and with `docker run` being issued. The agents' logs give the
 * control-plane part alone: h1's record write to h2's "Datapath programmed"
 * with one more remote endpoint. Baseline: the prober's own overhead, the same
 * probe against containers that converged long before and were never pinged.
 * Figures only.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import readline from 'node:readline';
import { LocalCluster } from '../harness/cluster/client';
import { eventually } from '../harness/eventually';
import { readLog, type LogRecord } from './breakdown';
import { ms, percentile, table } from './stats';

export interface ConvergenceOptions {
  /** Containers measured, one after the other. */
  readonly containers: number;
}

const NETWORK = 'convnet';
const SUBNET = '10.60.0.0/16';
const GATEWAY = '10.60.0.1';
const SOURCE_HOST = 'h1';
const PROBER_HOST = 'h2';
const PROBER = 'conv-prober';
/** Converged, never-pinged targets for the prober's baseline. */
const BASELINE_TARGETS = 10;
/** Seconds the prober waits for a first reply before calling a target unreachable. */
const PROBE_DEADLINE_S = 30;

const measuredIp = (i: number): string => `10.60.1.${i}`;
const baselineIp = (i: number): string => `10.60.9.${i + 1}`;

/**
 * The prober's script (busybox sh): "ready <µs>" just before ping starts,
 * "reply <µs>" when the first echo reply is read. `ping -i 0.005`: a probe
 * every 5 ms; the container's ARP retry interval is lowered too (see PROBER_SYSCTL),
 * since the first ARP requests for the target go unanswered until h2 knows it.
 */
const PROBE_SCRIPT = [
  `now() { adjtimex | awk '/tv_sec/ { s = $2 } /tv_usec/ { u = $2 } END { printf "%s%06d\\n", s, u }'; }`,
  'echo "ready $(now)"',
  `ping -i 0.005 -w ${PROBE_DEADLINE_S} "$1" | while read -r line; do case "$line" in *"bytes from"*) echo "reply $(now)"; exit 0;; esac; done`,
  'echo end',
].join('\n');
/** 5 ms asked; the kernel rounds it up to whole ticks (8 ms at HZ=250). */
const PROBER_SYSCTL = 'net.ipv4.neigh.eth0.retrans_time_ms=5';

interface Probe {
  /** Epoch ms (µs precision) when the prober was about to start ping. */
  readonly ready: number;
  /** Epoch ms of the first reply; undefined when none came before the deadline. */
  readonly reply: Promise<number | undefined>;
  stop(): void;
}

/** Starts the probe script in the prober against `ip`; resolves once it is pinging. */
async function startProbe(c: LocalCluster, ip: string): Promise<Probe> {
  const cmd = c.toolCommand(['exec', PROBER_HOST, '--', 'docker', 'exec', PROBER, 'sh', '-c', PROBE_SCRIPT, 'sh', ip]);
  const child = spawn(cmd.cmd, cmd.args, { env: cmd.env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const lines = readline.createInterface({ input: child.stdout });
  let onReady: (t: number) => void = () => undefined;
  let onReply: (t: number | undefined) => void = () => undefined;
  const ready = new Promise<number>((resolve) => (onReady = resolve));
  const reply = new Promise<number | undefined>((resolve) => (onReply = resolve));
  const stamp = (line: string, word: string): number | undefined => {
    const m = new RegExp(`^${word} (\\d+)$`).exec(line.trim());
    return m?.[1] === undefined ? undefined : Number(m[1]) / 1000;
  };
  lines.on('line', (line) => {
    const r = stamp(line, 'ready');
    if (r !== undefined) onReady(r);
    const t = stamp(line, 'reply');
    if (t !== undefined) onReply(t);
  });
  const exited = new Promise<void>((resolve) => child.on('close', () => resolve()));
  void exited.then(() => onReply(undefined));
  const first = await Promise.race([ready, exited.then(() => undefined)]);
  if (first === undefined) throw new Error(`the prober did not start pinging ${ip}: ${stderr.trim()}`);
  return { ready: first, reply, stop: () => child.kill('SIGKILL') };
}

/** `2026-11-28T03:51:26.462289588Z` -> epoch ms with the sub-millisecond digits kept. */
function parseDockerTime(s: string): number {
  const m = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d+))?Z$/.exec(s.trim());
  if (!m?.[1]) throw new Error(`unexpected Docker timestamp "${s}"`);
  return Date.parse(`${m[1]}Z`) + Number(`0.${m[2] ?? '0'}`) * 1000;
}

interface Sample {
  readonly name: string;
  readonly ip: string;
  readonly issued: number;
  readonly returned: number;
  readonly startedAt: number;
  readonly reply: number | undefined;
}

/** What the services logged about one measured endpoint (epoch ms, millisecond resolution). */
interface LoggedTimes {
  /** h1 agent: CreateEndpoint arrived ("Created endpoint" minus its `total`). */
  readonly requested: number;
  /** netmaster (on h1): "Created endpoint", logged once the store transaction with the endpoint record committed. */
  readonly committed: number | undefined;
  /** h1 agent: "Created endpoint" (local port and flows ready; Docker gets its answer). */
  readonly created: number;
  /** h2 agent: the first "Datapath programmed" holding this endpoint. */
  readonly programmed: number | undefined;
}

function remoteCount(r: LogRecord): number | undefined {
  return r.message === 'Datapath programmed' && typeof r.remoteEndpoints === 'number' ? r.remoteEndpoints : undefined;
}

/**
 * Matches each measured endpoint (created one at a time, nothing else coming
 * or going on the other hosts meanwhile) with h2's first reconcile that held
 * `remoteBefore + n` remote endpoints.
 */
function loggedTimes(c: LocalCluster, samples: readonly Sample[], remoteBefore: number, since: number): Map<string, LoggedTimes> {
  const hostLog = (host: string, file: string): LogRecord[] => readLog(path.join(c.layout.logDir, host, file)).filter((r) => r.ts >= since);
  const agentCreated = hostLog(SOURCE_HOST, 'netplugin.log').filter((r) => r.message === 'Created endpoint');
  // netmaster runs on h1 in the local cluster.
  const committed = hostLog(SOURCE_HOST, 'netmaster.log').filter((r) => r.message === 'Created endpoint');
  const programmed = hostLog(PROBER_HOST, 'netplugin.log').filter((r) => remoteCount(r) !== undefined);
  const out = new Map<string, LoggedTimes>();
  samples.forEach((s, i) => {
    const rec = agentCreated.find((r) => r.ip === s.ip);
    const steps = rec?.ms as Record<string, unknown> | undefined;
    if (!rec || typeof steps?.total !== 'number') return;
    out.set(s.ip, {
      requested: rec.ts - steps.total,
      committed: committed.find((r) => r.ip === s.ip)?.ts,
      created: rec.ts,
      programmed: programmed.find((r) => (remoteCount(r) ?? 0) >= remoteBefore + i + 1)?.ts,
    });
  });
  return out;
}

function lastRemoteCount(c: LocalCluster): number {
  const log = readLog(path.join(c.layout.logDir, PROBER_HOST, 'netplugin.log'));
  for (let i = log.length - 1; i >= 0; i--) {
    const n = remoteCount(log[i] as LogRecord);
    if (n !== undefined) return n;
  }
  return 0;
}

function row(name: string, xs: readonly number[]): string[] {
  return [name, String(xs.length), ...[50, 90, 99].map((p) => ms(percentile(xs, p))), ms(Math.max(...xs)), ms(Math.min(...xs))];
}

export async function benchConvergence(opts: ConvergenceOptions): Promise<void> {
  const n = opts.containers;
  if (!Number.isInteger(n) || n < 1 || n > 254) throw new Error(`--containers must be 1..254 (got ${n})`);
  const c = LocalCluster.create();
  try {
    // Info logs are enough (the two lines read below), and debug logging would slow the agents.
    await c.up({ hosts: 3, debug: false });
    await c.netctl(SOURCE_HOST, 'network', 'create', NETWORK, '-s', SUBNET, '-g', GATEWAY);
    for (const h of [SOURCE_HOST, PROBER_HOST]) {
      await eventually(async () => (await c.docker(h, 'network', 'ls', '--format', '{{.Name}}')).stdout.split('\n').includes(NETWORK), {
        timeoutMs: 15_000,
        what: `${NETWORK} in Docker on ${h}`,
      });
    }
    await c.docker(PROBER_HOST, 'run', '-d', `--net=${NETWORK}`, '--name', PROBER, '--sysctl', PROBER_SYSCTL, 'busybox', 'sleep', '86400');

    const baseline = await measureBaseline(c);
    const remoteBefore = lastRemoteCount(c);
    const since = Date.now();
    const samples: Sample[] = [];
    for (let i = 1; i <= n; i++) samples.push(await measureOne(c, i));
    // The last reconciles may be logged after the last reply.
    await eventually(() => lastRemoteCount(c) >= remoteBefore + n, { timeoutMs: 10_000, what: `h2 to log ${remoteBefore + n} remote endpoints` }).catch(() => undefined);
    report(samples, loggedTimes(c, samples, remoteBefore, since), baseline);
    const baselineNames = Array.from({ length: BASELINE_TARGETS }, (_, k) => `conv-base-${k}`);
    await c.docker(SOURCE_HOST, 'rm', '-f', ...samples.map((s) => s.name), ...baselineNames);
    await c.docker(PROBER_HOST, 'rm', '-f', PROBER);
  } finally {
    await c.destroy();
  }
}

/** The probe against converged containers on h1 that the prober never pinged: ready -> first reply. */
async function measureBaseline(c: LocalCluster): Promise<number[]> {
  const before = lastRemoteCount(c);
  for (let k = 0; k < BASELINE_TARGETS; k++) {
    await c.docker(SOURCE_HOST, 'run', '-d', `--net=${NETWORK}`, '--ip', baselineIp(k), '--name', `conv-base-${k}`, 'busybox', 'sleep', '86400');
  }
  await eventually(() => lastRemoteCount(c) >= before + BASELINE_TARGETS, { timeoutMs: 30_000, what: `h2 to program the ${BASELINE_TARGETS} baseline targets` });
  const out: number[] = [];
  for (let k = 0; k < BASELINE_TARGETS; k++) {
    const p = await startProbe(c, baselineIp(k));
    const reply = await p.reply;
    p.stop();
    if (reply === undefined) throw new Error(`the prober got no reply from the converged container ${baselineIp(k)}`);
    out.push(reply - p.ready);
  }
  return out;
}

async function measureOne(c: LocalCluster, i: number): Promise<Sample> {
  const ip = measuredIp(i);
  const name = `conv-${i}`;
  const probe = await startProbe(c, ip);
  try {
    const issued = Date.now();
    const id = (await c.docker(SOURCE_HOST, 'run', '-d', `--net=${NETWORK}`, '--ip', ip, '--name', name, 'busybox', 'sleep', '86400')).stdout.trim();
    const returned = Date.now();
    const started = (await c.docker(SOURCE_HOST, 'inspect', '-f', '{{.State.StartedAt}}', id)).stdout;
    return { name, ip, issued, returned, startedAt: parseDockerTime(started), reply: await probe.reply };
  } finally {
    probe.stop();
  }
}

function report(samples: readonly Sample[], logged: ReadonlyMap<string, LoggedTimes>, baseline: readonly number[]): void {
  const answered = samples.filter((s): s is Sample & { reply: number } => s.reply !== undefined);
  const untilReply = (from: (s: Sample, l: LoggedTimes | undefined) => number | undefined): number[] =>
    answered.flatMap((s) => {
      const t = from(s, logged.get(s.ip));
      return t === undefined ? [] : [s.reply - t];
    });
  const untilProgrammed = (from: (l: LoggedTimes) => number | undefined): number[] =>
    samples.flatMap((s) => {
      const l = logged.get(s.ip);
      const t = l ? from(l) : undefined;
      return l?.programmed === undefined || t === undefined ? [] : [l.programmed - t];
    });
  const head = ['', 'n', 'p50', 'p90', 'p99', 'max', 'min'];
  console.log(`\nConvergence across hosts: ${samples.length} containers started one at a time on h1, pinged from a busybox prober on h2 (3 hosts, one VXLAN network)`);
  if (answered.length < samples.length) console.log(`${samples.length - answered.length} of ${samples.length} never answered within ${PROBE_DEADLINE_S} s (left out below)`);
  console.log('(negative: it happened before that moment)');
  console.log(
    table([
      ['first ping reply on h2, counted from', ...head.slice(1)],
      row('  container started (.State.StartedAt)', untilReply((s) => s.startedAt)),
      row('  `docker run -d` issued', untilReply((s) => s.issued)),
      row('  h1 agent: CreateEndpoint arrived', untilReply((_, l) => l?.requested)),
      row('  netmaster: endpoint record committed', untilReply((_, l) => l?.committed)),
      row('  h1 agent: CreateEndpoint answered', untilReply((_, l) => l?.created)),
      row('  h2 agent: datapath programmed', untilReply((_, l) => l?.programmed)),
      row('prober overhead (converged target, never pinged)', baseline),
    ]),
  );
  console.log('\nControl plane alone (service logs, ms resolution)');
  console.log(
    table([
      ['h2 "Datapath programmed" with the endpoint, counted from', ...head.slice(1)],
      row('  h1 agent: CreateEndpoint arrived', untilProgrammed((l) => l.requested)),
      row('  netmaster: endpoint record committed', untilProgrammed((l) => l.committed)),
      row('  h1 agent: CreateEndpoint answered', untilProgrammed((l) => l.created)),
    ]),
  );
  const docker = samples.map((s) => s.returned - s.issued);
  console.log(`\n\`docker run -d\` on h1 (through \`cluster exec\`): p50 ${ms(percentile(docker, 50))}, p99 ${ms(percentile(docker, 99))}`);
}
