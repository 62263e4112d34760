/**
 * Group-based policy: what rules cost in flows and in time, and how long a
 * rule change takes to be enforced on every host. Figures only, never a
 * verdict.
 *
 * 1. Scale, on a real bridge: PipelineReconciler programming a private
 *    ovs-vswitchd (userspace datapath, a bridge set up like the agent's) with
 *    E endpoints (one in five local, on real internal ports; the rest remote,
 *    behind two real VXLAN ports), G groups and R rules compiled by
 *    compilePolicyRules, over a grid of E × R × G. Flows per host from the
 *    reconciler, checked line for line against dump-flows, and a least-squares
 *    fit showing how they grow. Then programming 1,000 rules on a programmed
 *    host (one bundle), next to `ovs-ofctl --bundle add-flows` of the same
 *    flows; and one rule added to a host that already holds 1,000.
 * 2. Rule change → enforced on every host: a 3-host local cluster, a web
 *    container on h1 and one prober per host pinging it every 5 ms, every
 *    reply stamped. A deny rule for ICMP is added through netmaster's REST
 *    API; per host, the last reply before replies stop, counted from the
 *    request; then the rule is deleted and the first reply again is timed.
 */
import http from 'node:http';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { execFileSync, spawn } from 'node:child_process';
import { compilePolicyRules } from '@contiv/model';
import type { GroupState, RuleState } from '@contiv/model';
import { flowsToStrings, normalizeDumpFlows, type OpenFlowBridge } from '@contiv/openflow';
import { PIPELINE_FEATURES, PipelineReconciler, allFlows, computeFlowSet } from '../../../services/netplugin/lib/pipeline/index';
import type { DesiredNetwork, DesiredState, ReconcileResult } from '../../../services/netplugin/lib/pipeline/index';
import { LocalCluster } from '../harness/cluster/client';
import { eventually } from '../harness/eventually';
import { sleep, startForwarder } from '../harness/exec';
import type { Daemon } from '../harness/exec';
import { startOvs } from '../harness/ovs';
import type { Ovs } from '../harness/ovs';
import { REMOTE_HOSTS, createBenchBridge, type BenchBridge } from './bench-bridge';
import { leastSquares, median, ms, percentile, table, timed } from './stats';

export type PolicyPart = 'scale' | 'cluster';

export interface PolicyBenchOptions {
  readonly parts: readonly PolicyPart[];
  /** Grid of the scale part: endpoints, rules, groups. */
  readonly endpoints: readonly number[];
  readonly rules: readonly number[];
  readonly groups: readonly number[];
  /** Installs of the 1,000 rules (ours and ovs-ofctl, interleaved). */
  readonly reps: number;
  /** One-rule changes on the bridge; rule add/delete rounds per rule kind on the cluster. */
  readonly rounds: number;
  /** Rules (TCP ports, allow) added to the cluster's two policies before the rounds, so every agent holds them while the deny comes and goes. */
  readonly clusterRules: number;
}

const ROUND = 1;
const BIG_RULES = 1000;
/** The host the 1,000 rules are programmed on. */
const BIG_HOST = { endpoints: 100, groups: 10 } as const;
/** One endpoint in LOCAL_SHARE is on this host; the rest are on two remote hosts. */
const LOCAL_SHARE = 5;
const TENANT = 'bench';
const NET: DesiredNetwork = { key: `${TENANT}/pnet`, encap: 'vxlan', vni: 6001, vlan: 0, gateway: '10.1.0.1', localId: 1 };
/** Distinct rule priorities (and so ranks: every rule here has specificity 3) per direction × 2 directions. */
const RANKS = 10;

// ---- part 1: synthetic hosts ----------------------------------------------------------

const localsOf = (e: number): number => Math.ceil(e / LOCAL_SHARE);

/** The k-th address of the network 10.1.0.0/16 (.0.1 is the gateway). */
function addressOf(k: number): string {
  const host = k + 2;
  return `10.1.${host >> 8}.${host & 255}`;
}

function macOf(ip: string): string {
  return `02:02:${ip
    .split('.')
    .map((o) => Number(o).toString(16).padStart(2, '0'))
    .join(':')}`;
}

/** Every group applies the one policy: each rule applies to every group, the case where a flat rule × group pipeline would multiply. */
function groupStates(groups: number): GroupState[] {
  return Array.from({ length: groups }, (_, g) => ({
    tenantName: TENANT,
    groupName: `g${g}`,
    networkName: 'pnet',
    groupId: g + 1,
    policies: ['p'],
    ipPool: '',
    groupTag: '',
    netProfile: '',
    bandwidthKbps: 0,
    burstKb: 0,
    dscp: 0,
  }));
}

/**
 * Rule r: in or out by r's parity, priority 1 + r % 10, deny when r % 10 ≥ 7,
 * so there are RANKS (direction, rank) pairs; four kinds by ⌊r/10⌋, each
 * constraining peer, protocol and port (specificity 3): TCP port from/to a
 * peer group, UDP port from/to one address, TCP port from/to an address range
 * (six prefixes), UDP port from/to a peer group. Ports are distinct.
 */
function ruleState(r: number, groups: number): RuleState {
  const direction = r % 2 === 0 ? 'in' : 'out';
  const kind = Math.floor(r / 10) % 4;
  const peerGroup = kind === 0 || kind === 3 ? `g${r % groups}` : '';
  const peerIp = kind === 1 ? `10.200.${(r >> 8) & 255}.${r & 255}` : kind === 2 ? `10.201.${r & 255}.1-20` : '';
  const protocol = kind === 0 || kind === 2 ? 'tcp' : 'udp';
  return {
    tenantName: TENANT,
    policyName: 'p',
    ruleId: `r${r}`,
    direction,
    priority: 1 + (r % 10),
    fromEndpointGroup: direction === 'in' ? peerGroup : '',
    toEndpointGroup: direction === 'out' ? peerGroup : '',
    fromNetwork: '',
    toNetwork: '',
    fromIpAddress: direction === 'in' ? peerIp : '',
    toIpAddress: direction === 'out' ? peerIp : '',
    protocol,
    ipProtocol: protocol === 'tcp' ? 6 : 17,
    port: 1000 + r,
    action: r % 10 >= 7 ? 'deny' : 'allow',
  };
}

interface HostShape {
  readonly endpoints: number;
  readonly rules: number;
  readonly groups: number;
  /** Rules numbered from R upwards, on top of the R. */
  readonly extraRules?: number;
}

function hostState(shape: HostShape, localPorts: readonly number[], tunnelPorts: readonly number[]): DesiredState {
  const locals = localsOf(shape.endpoints);
  const groupOf = (i: number): number => (i % shape.groups) + 1;
  const rules = Array.from({ length: shape.rules + (shape.extraRules ?? 0) }, (_, r) => ruleState(r, shape.groups));
  return {
    hostName: 'h1',
    networks: [NET],
    localEndpoints: Array.from({ length: locals }, (_, i) => {
      const ip = addressOf(i);
      return { endpointId: `local-${i}`, ofport: localPorts[i] as number, network: NET.key, ip, mac: macOf(ip), ipv6: '', groupId: groupOf(i), bandwidthKbps: 0, burstKbits: 0, dscp: 0 };
    }),
    remoteEndpoints: Array.from({ length: shape.endpoints - locals }, (_, j) => {
      const ip = addressOf(locals + j);
      return { endpointId: `remote-${j}`, ip, mac: macOf(ip), ipv6: '', groupId: groupOf(locals + j), network: NET.key, host: REMOTE_HOSTS[j % REMOTE_HOSTS.length]?.host ?? 'h2' };
    }),
    remoteHosts: REMOTE_HOSTS.map((h, i) => ({ ...h, tunnelOfport: tunnelPorts[i] as number })),
    uplinkOfports: [],
    policyRules: compilePolicyRules({ groups: groupStates(shape.groups), rules, networks: [] }),
  };
}

// ---- part 1: the switch -------------------------------------------------------------------


function expectedLines(state: DesiredState): string[] {
  return flowsToStrings(allFlows(computeFlowSet(state, PIPELINE_FEATURES, ROUND)));
}

/** Throws unless dump-flows shows exactly `expected`; returns how many flows the switch holds. */
async function verifySwitch(ovs: Ovs, br: string, expected: readonly string[], who: string): Promise<number> {
  const actual = normalizeDumpFlows(await ovs.ofctl('-O', 'OpenFlow13', 'dump-flows', br, '--no-stats'));
  if (actual.length !== expected.length || actual.some((l, i) => l !== expected[i])) {
    const want = new Set(expected);
    const have = new Set(actual);
    throw new Error(
      `after ${who} the switch holds ${actual.length} flows, the reconciler's set has ${expected.length}; ` +
        `e.g. extra: ${actual.find((l) => !want.has(l)) ?? '-'}; missing: ${expected.find((l) => !have.has(l)) ?? '-'}`,
    );
  }
  return actual.length;
}

/** Flows of the two policy features: the group classifier (SrcGroup/DstGroup) and the rule tables. */
function policyFlowCounts(state: DesiredState): { groupTables: number; ruleTables: number } {
  const set = computeFlowSet(state, PIPELINE_FEATURES, ROUND);
  const count = (feature: string): number => [...(set.get(feature)?.values() ?? [])].reduce((n, obj) => n + obj.flows.length, 0);
  return { groupTables: count('group-classifier'), ruleTables: count('policy-rules') };
}

const conjunctionActions = (lines: readonly string[]): number => lines.reduce((n, l) => n + (l.match(/conjunction\(/g) ?? []).length, 0);

function messagesSent(b: OpenFlowBridge): number {
  return Object.values(b.client.stats.messagesSent).reduce((a, n) => a + n, 0);
}

const changeText = (r: ReconcileResult): string => `+${r.adds} ~${r.modifies} -${r.deletes}`;

interface GridPoint {
  readonly shape: HostShape;
  readonly flows: number;
  readonly groupTables: number;
  readonly ruleTables: number;
  readonly conjunctions: number;
}

async function benchGrid(ovs: Ovs, b: BenchBridge, opts: PolicyBenchOptions): Promise<void> {
  const reconciler = new PipelineReconciler({ bridge: b.bridge, round: ROUND });
  const points: GridPoint[] = [];
  for (const endpoints of opts.endpoints) {
    for (const groups of opts.groups) {
      for (const rules of opts.rules) {
        const shape = { endpoints, rules, groups };
        const state = hostState(shape, b.locals, b.tunnels);
        const result = await reconciler.reconcile(state);
        const expected = expectedLines(state);
        const held = await verifySwitch(ovs, b.name, expected, `E=${endpoints} R=${rules} G=${groups}`);
        if (result.total !== held || reconciler.installedFlowCount() !== held) throw new Error(`the reconciler reports ${result.total} flows, the switch holds ${held}`);
        points.push({ shape, flows: held, ...policyFlowCounts(state), conjunctions: conjunctionActions(expected) });
      }
    }
  }
  console.log(
    `\nPolicy scale: flows on one host for E endpoints (1 in ${LOCAL_SHARE} local on real ports, the rest remote on 2 hosts), G groups all applying ` +
      `one policy of R rules (${RANKS} distinct priority/direction pairs, peer group / address / address range, TCP/UDP port); every count checked line for line against dump-flows`,
  );
  console.log(
    table([
      ['E', 'R', 'G', 'flows (dump-flows)', 'SrcGroup+DstGroup', 'rule tables', 'conjunction actions', 'flat rule × group would be'],
      ...points.map((p) => [String(p.shape.endpoints), String(p.shape.rules), String(p.shape.groups), String(p.flows), String(p.groupTables), String(p.ruleTables), String(p.conjunctions), String(p.shape.rules * p.shape.groups)]),
    ]),
  );
  const y = points.map((p) => p.flows);
  const linear = (p: GridPoint): number[] => [p.shape.endpoints, p.shape.rules, p.shape.groups, 1];
  const distinct = (f: (s: HostShape) => number): number => new Set(points.map((p) => f(p.shape))).size;
  if (distinct((s) => s.endpoints) < 2 || distinct((s) => s.rules) < 2 || distinct((s) => s.groups) < 2) {
    console.log('(fit skipped: the grid needs at least two values of each of E, R, G)');
    return;
  }
  const [a, bR, c, d] = leastSquares(points.map(linear), y);
  const fit = points.map((p) => (a ?? 0) * p.shape.endpoints + (bR ?? 0) * p.shape.rules + (c ?? 0) * p.shape.groups + (d ?? 0));
  const residual = Math.max(...fit.map((f, i) => Math.abs(f - (y[i] ?? 0))));
  const f3 = (n: number | undefined): string => (n ?? NaN).toFixed(3);
  console.log(`least-squares fit over ${points.length} points: flows = ${f3(a)}·E + ${f3(bR)}·R + ${f3(c)}·G + ${f3(d)}  (largest residual ${residual.toFixed(3)} flows)`);
  if (points.length >= 8) {
    const q = leastSquares(
      points.map((p) => [...linear(p), p.shape.endpoints * p.shape.rules, p.shape.rules * p.shape.groups, p.shape.endpoints * p.shape.groups]),
      y,
    );
    console.log(`with product terms added: E·R ${(q[4] ?? NaN).toExponential(2)}, R·G ${(q[5] ?? NaN).toExponential(2)}, E·G ${(q[6] ?? NaN).toExponential(2)} (a flow per rule and group would give R·G ≈ 1)`);
  }
  const cj = leastSquares(
    points.map((p) => [p.shape.rules, p.shape.groups, p.shape.rules * p.shape.groups, 1]),
    points.map((p) => p.conjunctions),
  );
  console.log(
    `conjunction actions (inside the shared group-clause flows, not flows): fit ${f3(cj[0])}·R + ${f3(cj[1])}·G + ${f3(cj[2])}·R·G + ${f3(cj[3])}: ` +
      'each group-clause flow carries one action per rule of its rank, so their number (and those flows\' size) does grow with R × G',
  );
}

const CLOCK_TICKS = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
/** CPU of this process's waited-for children (cutime + cstime), in ms. */
function childrenCpuMs(): number {
  const stat = fs.readFileSync('/proc/self/stat', 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[13]) + Number(fields[14])) * 1000) / CLOCK_TICKS;
}

interface Change {
  readonly ms: number;
  readonly messages: number;
  readonly result: ReconcileResult;
}

async function change(b: BenchBridge, reconciler: PipelineReconciler, state: DesiredState): Promise<Change> {
  const m0 = messagesSent(b.bridge);
  const [t, result] = await timed(() => reconciler.reconcile(state));
  return { ms: t, messages: messagesSent(b.bridge) - m0, result };
}

/** 1,000 rules onto a programmed host, ours against ovs-ofctl --bundle; then one rule more on that host. */
async function benchBigHost(ovs: Ovs, b: BenchBridge, opts: PolicyBenchOptions, dir: string): Promise<void> {
  const base = hostState({ ...BIG_HOST, rules: 0 }, b.locals, b.tunnels);
  const full = hostState({ ...BIG_HOST, rules: BIG_RULES }, b.locals, b.tunnels);
  const baseLines = expectedLines(base);
  const fullLines = expectedLines(full);
  const baseSet = new Set(baseLines);
  const fullSet = new Set(fullLines);
  const ruleFile = path.join(dir, 'rules.flows');
  const baseFile = path.join(dir, 'base.flows');
  fs.writeFileSync(ruleFile, `${fullLines.filter((l) => !baseSet.has(l)).join('\n')}\n`);
  fs.writeFileSync(baseFile, `${baseLines.join('\n')}\n`);
  const gone = baseLines.filter((l) => !fullSet.has(l)).length;

  // Start from an empty bridge with a fresh reconciler, warmed on the same states (the agent is a long-running process).
  await ovs.ofctl('-O', 'OpenFlow13', 'del-flows', b.name);
  const reconciler = new PipelineReconciler({ bridge: b.bridge, round: ROUND });
  await reconciler.reconcile(base);
  await reconciler.reconcile(full);
  await reconciler.reconcile(base);
  await verifySwitch(ovs, b.name, baseLines, 'programming the host without rules');
  const ours: Change[] = [];
  const removal: Change[] = [];
  const ofctl: number[] = [];
  const ofctlCpu: number[] = [];
  for (let rep = 0; rep < opts.reps; rep++) {
    ours.push(await change(b, reconciler, full));
    await verifySwitch(ovs, b.name, fullLines, `adding ${BIG_RULES} rules`);
    removal.push(await change(b, reconciler, base));
    await verifySwitch(ovs, b.name, baseLines, `removing ${BIG_RULES} rules`);
    const cpu0 = childrenCpuMs();
    ofctl.push((await timed(() => ovs.ofctl('-O', 'OpenFlow13', '--bundle', 'add-flows', b.name, ruleFile)))[0]);
    ofctlCpu.push(childrenCpuMs() - cpu0);
    await verifySwitch(ovs, b.name, fullLines, 'ovs-ofctl --bundle add-flows of the rule flows');
    // Back to the base flows, which the reconciler believes installed.
    await ovs.ofctl('-O', 'OpenFlow13', '--bundle', 'replace-flows', b.name, baseFile);
    await verifySwitch(ovs, b.name, baseLines, 'ovs-ofctl replace-flows back to the host without rules');
  }
  const floor: number[] = [];
  const empty = path.join(dir, 'empty.flows');
  fs.writeFileSync(empty, '');
  for (let i = 0; i < 5; i++) floor.push((await timed(() => ovs.ofctl('-O', 'OpenFlow13', '--bundle', 'add-flows', b.name, empty)))[0]);

  // One rule more on a host holding the 1,000, and its removal.
  await reconciler.reconcile(full);
  const addOne: Change[] = [];
  const removeOne: Change[] = [];
  const ofctlOne: number[] = [];
  let oneFlows = 0;
  for (let r = 0; r < opts.rounds; r++) {
    const plus = hostState({ ...BIG_HOST, rules: BIG_RULES, extraRules: 1 + r }, b.locals, b.tunnels);
    const before = hostState({ ...BIG_HOST, rules: BIG_RULES, extraRules: r }, b.locals, b.tunnels);
    if (r > 0) await reconciler.reconcile(before);
    const beforeLines = expectedLines(before);
    const plusLines = expectedLines(plus);
    addOne.push(await change(b, reconciler, plus));
    await verifySwitch(ovs, b.name, plusLines, 'adding one rule');
    removeOne.push(await change(b, reconciler, before));
    // Baseline: the same flow-mods (added and changed flows) from ovs-ofctl, then back.
    const beforeSet = new Set(beforeLines);
    const diff = plusLines.filter((l) => !beforeSet.has(l));
    oneFlows = diff.length;
    const oneFile = path.join(dir, 'one.flows');
    fs.writeFileSync(oneFile, `${diff.join('\n')}\n`);
    ofctlOne.push((await timed(() => ovs.ofctl('-O', 'OpenFlow13', '--bundle', 'add-flows', b.name, oneFile)))[0]);
    await verifySwitch(ovs, b.name, plusLines, 'ovs-ofctl adding the one rule');
    await reconciler.reconcile(plus);
    // The reconciler now believes `plus` installed, which the switch holds; the next round starts from it.
  }
  await reconciler.reconcile(full);
  await verifySwitch(ovs, b.name, fullLines, 'the one-rule changes');

  const first = ours[0]?.result;
  const p = (xs: readonly Change[]): string => `${ms(median(xs.map((x) => x.ms)))} (p99 ${ms(percentile(xs.map((x) => x.ms), 99))})`;
  console.log(
    `\nPolicy scale: ${BIG_RULES} rules onto a programmed host (E=${BIG_HOST.endpoints}, G=${BIG_HOST.groups}; ${baseLines.length} flows without rules, ${fullLines.length} with); ` +
      `median of ${opts.reps}, interleaved with the baseline`,
  );
  console.log(
    table([
      ['step', 'wall', 'flows sent (+add ~mod -del)', 'OpenFlow msgs'],
      [`reconcile adding ${BIG_RULES} rules (one bundle)`, p(ours), first ? changeText(first) : 'n/a', String(median(ours.map((x) => x.messages)))],
      [`reconcile removing them`, p(removal), removal[0] ? changeText(removal[0].result) : 'n/a', String(median(removal.map((x) => x.messages)))],
      [
        `baseline: ovs-ofctl --bundle add-flows of the same ${fullLines.length - baseLines.length + gone} flows`,
        `${ms(median(ofctl))} (p99 ${ms(percentile(ofctl, 99))})`,
        `ofctl CPU ${ms(median(ofctlCpu))}`,
        '',
      ],
    ]),
  );
  console.log(`(ovs-ofctl includes starting the process: ${ms(median(floor))} for --bundle add-flows of an empty file; ours / ofctl ${(median(ours.map((x) => x.ms)) / median(ofctl)).toFixed(1)}x)`);
  console.log(`\nPolicy scale: one rule more on that host (${BIG_RULES} rules installed), ${opts.rounds} times`);
  console.log(
    table([
      ['step', 'wall', 'flows sent (+add ~mod -del)', 'OpenFlow msgs'],
      ['reconcile adding one rule', p(addOne), addOne[0] ? changeText(addOne[0].result) : 'n/a', String(median(addOne.map((x) => x.messages)))],
      ['reconcile removing it', p(removeOne), removeOne[0] ? changeText(removeOne[0].result) : 'n/a', String(median(removeOne.map((x) => x.messages)))],
      [`baseline: ovs-ofctl --bundle add-flows of its ${oneFlows} flows`, `${ms(median(ofctlOne))} (p99 ${ms(percentile(ofctlOne, 99))})`, '', ''],
    ]),
  );
  console.log('(a rule shares its group-clause flows with the rules of its rank, so adding one modifies one flow per group it applies to)');
}

async function benchScale(opts: PolicyBenchOptions): Promise<void> {
  const ovs = await startOvs({ ownNetns: true });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'contiv-bench-policy-'));
  let b: BenchBridge | undefined;
  try {
    const ports = Math.max(localsOf(BIG_HOST.endpoints), ...opts.endpoints.map(localsOf));
    b = await createBenchBridge(ovs, 'bpol', ports);
    await benchGrid(ovs, b, opts);
    await benchBigHost(ovs, b, opts, dir);
  } finally {
    b?.bridge.close();
    fs.rmSync(dir, { recursive: true, force: true });
    await ovs.stop();
  }
}

// ---- part 2: rule change → enforced on every host -------------------------------------------

const C_TENANT = 'polb';
const C_NETWORK = 'pnet';
const C_SUBNET = '10.62.0.0/16';
const C_GATEWAY = '10.62.0.1';
const WEB_IP = '10.62.1.1';
const HOSTS = ['h1', 'h2', 'h3'] as const;
/** Where the web container runs (the probers run on every host). */
const WEB_HOST = 'h1';
/** Replies must have stopped this long before a deny counts as enforced everywhere. */
const QUIET_MS = 300;
/** Give up on a host after this long (it is then reported as not enforced/restored). */
const ROUND_TIMEOUT_MS = 10_000;
/** Steady pinging between rounds, and the baseline window. */
const SETTLE_MS = 300;
const BASELINE_MS = 3000;

interface RuleKind {
  readonly name: string;
  readonly what: string;
  readonly policy: string;
  readonly body: Record<string, unknown>;
}

const RULE_KINDS: readonly RuleKind[] = [
  {
    name: 'in rule on web',
    what: "web's policy: in, icmp, deny (enforced on h1, web's host, for every prober)",
    policy: 'web-pol',
    body: { direction: 'in', protocol: 'icmp', priority: 10, action: 'deny' },
  },
  {
    name: 'out rule on client',
    what: "the probers' group's policy: out, to group web, icmp, deny (enforced on each prober's own host)",
    policy: 'client-pol',
    body: { direction: 'out', toEndpointGroup: 'web', protocol: 'icmp', priority: 10, action: 'deny' },
  },
];

/** iputils ping in a prober container's network namespace: `-D` stamps every reply with gettimeofday when it is read. */
interface Prober {
  readonly host: string;
  /** Epoch ms of every reply, in order. */
  readonly replies: number[];
  lastReply(): number;
  alive(): boolean;
  stop(): void;
}

function startProber(host: string, containerPid: number): Promise<Prober> {
  const child = spawn('nsenter', ['-t', String(containerPid), '-n', 'stdbuf', '-oL', 'ping', '-D', '-n', '-i', '0.005', WEB_IP], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const replies: number[] = [];
  const lines = readline.createInterface({ input: child.stdout });
  let exited = false;
  const prober: Prober = {
    host,
    replies,
    lastReply: () => replies[replies.length - 1] ?? 0,
    alive: () => !exited,
    stop: () => {
      if (!exited) child.kill('SIGKILL');
    },
  };
  return new Promise((resolve, reject) => {
    lines.on('line', (line) => {
      const m = /^\[(\d+)\.(\d+)\] \d+ bytes from/.exec(line);
      if (m?.[1] === undefined || m[2] === undefined) return;
      replies.push(Number(m[1]) * 1000 + Number(`0.${m[2]}`) * 1000);
      if (replies.length === 1) resolve(prober);
    });
    child.on('close', () => {
      exited = true;
      reject(new Error(`the prober on ${host} exited: ${stderr.trim()}`));
    });
    setTimeout(() => reject(new Error(`the prober on ${host} got no reply from ${WEB_IP} in 30 s: ${stderr.trim()}`)), 30_000).unref();
  });
}

/** HTTP to netmaster through a forwarder in h1's namespace (the test process is in the root namespace). */
class Rest {
  private readonly agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  constructor(private readonly socketPath: string) {}

  call(method: string, urlPath: string, body?: unknown): Promise<{ status: number; text: string }> {
    const data = body === undefined ? undefined : JSON.stringify(body);
    return new Promise((resolve, reject) => {
      const req = http.request(
        { socketPath: this.socketPath, agent: this.agent, method, path: urlPath, headers: data === undefined ? {} : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(data) } },
        (res) => {
          let text = '';
          res.setEncoding('utf8').on('data', (d: string) => (text += d));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
        },
      );
      req.on('error', reject);
      req.end(data);
    });
  }

  async ok(method: string, urlPath: string, body?: unknown): Promise<void> {
    const r = await this.call(method, urlPath, body);
    if (r.status < 200 || r.status > 299) throw new Error(`${method} ${urlPath}: ${r.status} ${r.text.trim()}`);
  }

  close(): void {
    this.agent.destroy();
  }
}

interface RoundTimes {
  readonly kind: RuleKind;
  /** Just before the POST, when it returned; just before the DELETE, when it returned (epoch ms). */
  readonly post: number;
  readonly posted: number;
  readonly del: number;
  readonly deleted: number;
}

interface HostResult {
  readonly host: string;
  /** Last reply before replies stopped, from the POST; undefined when they never stopped. */
  readonly deny: number | undefined;
  /** First reply after the DELETE, from it; undefined when none came. */
  readonly allow: number | undefined;
}

function hostResults(round: RoundTimes, probers: readonly Prober[], until: number): HostResult[] {
  return probers.map((p) => {
    const during = p.replies.filter((t) => t < round.del);
    const last = during[during.length - 1];
    // Still answering right up to the DELETE: the deny was never seen.
    const stopped = last === undefined || round.del - last >= QUIET_MS;
    const after = p.replies.find((t) => t >= round.del && t < until);
    return {
      host: p.host,
      deny: stopped ? Math.max(0, (last ?? round.post) - round.post) : undefined,
      allow: after === undefined ? undefined : after - round.del,
    };
  });
}

async function waitFor(check: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (check()) return true;
    await sleep(10);
  }
  return check();
}

function statRow(name: string, xs: readonly number[], missing: number): string[] {
  return [name, String(xs.length), ms(percentile(xs, 50)), ms(percentile(xs, 90)), ms(percentile(xs, 99)), xs.length > 0 ? ms(Math.max(...xs)) : 'n/a', missing > 0 ? `${missing} never` : ''];
}

async function benchCluster(opts: PolicyBenchOptions): Promise<void> {
  const c = LocalCluster.create();
  const dir = fs.mkdtempSync(path.join('/tmp', 'ctvpol-'));
  const probers: Prober[] = [];
  let forwarder: Daemon | undefined;
  let rest: Rest | undefined;
  try {
    await c.up({ hosts: HOSTS.length, debug: false });
    const nm = c.state()?.netmasterUrl;
    const hostPort = nm === undefined ? undefined : /^http:\/\/([^/]+)$/.exec(nm)?.[1];
    if (hostPort === undefined) throw new Error(`no netmaster address in the cluster state (${nm ?? 'none'})`);
    const socket = path.join(dir, 'nm.sock');
    forwarder = await startForwarder('netmaster-rest', [{ listen: `unix:${socket}`, connect: `tcp:${hostPort}` }], { netns: c.hostState('h1').netns, logFile: path.join(dir, 'forwarder.log') });
    rest = new Rest(socket);
    await rest.ok('GET', '/info');

    const netctl = (...args: string[]): Promise<unknown> => c.netctl('h1', ...args);
    await netctl('tenant', 'create', C_TENANT);
    await netctl('network', 'create', '-t', C_TENANT, '-s', C_SUBNET, '-g', C_GATEWAY, C_NETWORK);
    // Each policy starts with a low-priority allow-all, so the deny overrides a rule rather than the default.
    for (const policy of ['web-pol', 'client-pol']) {
      await netctl('policy', 'create', '-t', C_TENANT, policy);
      await rest.ok('POST', `/api/v1/rules/${C_TENANT}:${policy}:base/`, { tenantName: C_TENANT, policyName: policy, ruleId: 'base', direction: policy === 'web-pol' ? 'in' : 'out', priority: 1, action: 'allow' });
    }
    await netctl('group', 'create', '-t', C_TENANT, '-p', 'web-pol', C_NETWORK, 'web');
    await netctl('group', 'create', '-t', C_TENANT, '-p', 'client-pol', C_NETWORK, 'client');
    const webNet = `web/${C_TENANT}`;
    const clientNet = `client/${C_TENANT}`;
    for (const h of HOSTS) {
      await eventually(
        async () => {
          const nets = (await c.docker(h, 'network', 'ls', '--format', '{{.Name}}')).stdout.split('\n');
          return nets.includes(webNet) && nets.includes(clientNet);
        },
        { timeoutMs: 30_000, what: `${webNet} and ${clientNet} in Docker on ${h}` },
      );
    }
    await c.docker(WEB_HOST, 'run', '-d', `--net=${webNet}`, '--ip', WEB_IP, '--name', 'pol-web', 'busybox', 'sleep', '86400');
    for (const h of HOSTS) {
      await c.docker(h, 'run', '-d', `--net=${clientNet}`, '--name', `pol-probe-${h}`, 'busybox', 'sleep', '86400');
      const pid = Number((await c.docker(h, 'inspect', '-f', '{{.State.Pid}}', `pol-probe-${h}`)).stdout.trim());
      if (!Number.isInteger(pid) || pid <= 0) throw new Error(`no pid for the prober container on ${h}`);
      probers.push(await startProber(h, pid));
    }
    // After the containers: a host holds only the rules of its containers' groups.
    await preloadRules(c, rest, opts.clusterRules);

    // Baseline: the probers' reply intervals while nothing changes.
    await sleep(SETTLE_MS);
    const b0 = Date.now();
    await sleep(BASELINE_MS);
    const b1 = Date.now();
    const gaps = new Map(
      probers.map((p) => {
        const rs = p.replies.filter((t) => t >= b0 && t < b1);
        return [p.host, rs.slice(1).map((t, i) => t - (rs[i] as number))];
      }),
    );

    const rounds: RoundTimes[] = [];
    for (let r = 0; r < opts.rounds; r++) {
      // Alternate which kind goes first, so a slow moment of the machine hits both alike.
      const kinds = r % 2 === 0 ? RULE_KINDS : [...RULE_KINDS].reverse();
      for (const kind of kinds) {
        const dead = probers.find((p) => !p.alive());
        if (dead) throw new Error(`the prober on ${dead.host} exited`);
        const url = `/api/v1/rules/${C_TENANT}:${kind.policy}:deny-icmp/`;
        const post = Date.now();
        await rest.ok('POST', url, { tenantName: C_TENANT, policyName: kind.policy, ruleId: 'deny-icmp', ...kind.body });
        const posted = Date.now();
        await waitFor(() => Date.now() - post >= QUIET_MS && probers.every((p) => Date.now() - p.lastReply() >= QUIET_MS), ROUND_TIMEOUT_MS);
        const del = Date.now();
        await rest.ok('DELETE', url);
        const deleted = Date.now();
        await waitFor(() => probers.every((p) => p.lastReply() >= del), ROUND_TIMEOUT_MS);
        await sleep(SETTLE_MS);
        rounds.push({ kind, post, posted, del, deleted });
      }
    }
    reportCluster(rounds, probers, gaps, opts.rounds, opts.clusterRules);
  } finally {
    for (const p of probers) p.stop();
    rest?.close();
    await forwarder?.stop();
    await c.destroy();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * `n` allow rules for TCP ports, alternately in web's policy (in) and the
 * probers' (out), priorities 1..10 (ICMP is not touched by them); returns
 * once each host's bridge has a conjunction flow for those of its
 * containers' groups: h1 (web and a prober) all of them, the other hosts (a
 * prober) the probers' policy's.
 */
async function preloadRules(c: LocalCluster, rest: Rest, n: number): Promise<void> {
  if (n === 0) return;
  for (let i = 0; i < n; i++) {
    const policy = i % 2 === 0 ? 'web-pol' : 'client-pol';
    const body = { tenantName: C_TENANT, policyName: policy, ruleId: `pre${i}`, direction: i % 2 === 0 ? 'in' : 'out', protocol: 'tcp', port: 2000 + i, priority: 1 + (i % 10), action: 'allow' };
    await rest.ok('POST', `/api/v1/rules/${C_TENANT}:${policy}:pre${i}/`, body);
  }
  for (const h of HOSTS) {
    const expected = h === WEB_HOST ? n : Math.floor(n / 2);
    await eventually(
      async () => {
        const dump = (await c.ofctl(h, '-O', 'OpenFlow13', 'dump-flows', 'contivbr')).stdout;
        const conj = (dump.match(/conj_id=/g) ?? []).length;
        if (conj < expected) throw new Error(`${h} has ${conj} rule (conj_id) flows of the ${expected} of its groups`);
      },
      { timeoutMs: 120_000, intervalMs: 500, what: `the ${n} preloaded rules on ${h}'s bridge` },
    );
  }
}

function reportCluster(rounds: readonly RoundTimes[], probers: readonly Prober[], gaps: ReadonlyMap<string, number[]>, n: number, preloaded: number): void {
  const head = ['', 'n', 'p50', 'p90', 'p99', 'max', ''];
  console.log(
    `\nPolicy: rule change → enforced on every host. 3-host local cluster; web (busybox) on h1; a prober container in group client on each of h1, h2, h3 ` +
      `pinging web every 5 ms (iputils ping -D in the container's network namespace: every reply stamped when read); ` +
      `${preloaded > 0 ? `${preloaded} other rules (TCP ports) in the two policies on every host; ` : 'no other rules than a low-priority allow-all per policy; '}${n} rounds per rule kind, kinds alternated. ` +
      'Each round: POST a deny-ICMP rule to netmaster (REST, from the bench process), wait until every prober has had no reply for ' +
      `${QUIET_MS} ms, DELETE the rule, wait for every prober's next reply.`,
  );
  console.log(
    '"deny enforced" = the last reply before replies stopped, counted from just before the POST; the first dropped probe left within 5 ms after that one, ' +
      'and at this resolution the first blocked probe and a probe that was merely in flight when the bundle landed are indistinguishable (figures are ±5 ms). ' +
      '"allow restored" = the first reply after the DELETE, counted from just before it (up to 5 ms of it is waiting for the next probe).',
  );
  for (const kind of RULE_KINDS) {
    const mine = rounds.filter((r) => r.kind === kind);
    const per = mine.map((r) => hostResults(r, probers, rounds[rounds.indexOf(r) + 1]?.post ?? Infinity));
    const pick = (host: string | undefined, f: (h: HostResult) => number | undefined): { xs: number[]; missing: number } => {
      const vals = per.flatMap((hs) => hs.filter((h) => host === undefined || h.host === host).map(f));
      return { xs: vals.filter((v): v is number => v !== undefined), missing: vals.filter((v) => v === undefined).length };
    };
    const rows: string[][] = [];
    for (const [label, f] of [
      ['deny enforced', (h: HostResult) => h.deny],
      ['allow restored', (h: HostResult) => h.allow],
    ] as const) {
      for (const host of [...HOSTS, undefined]) {
        const { xs, missing } = pick(host, f);
        rows.push(statRow(`  ${label}, ${host === undefined ? 'every host (per host and round)' : `prober on ${host}`}`, xs, missing));
      }
      const everywhere = per.map((hs) => (hs.every((h) => f(h) !== undefined) ? Math.max(...hs.map((h) => f(h) as number)) : undefined));
      rows.push(statRow(`  ${label} on all three (slowest host of each round)`, everywhere.filter((v): v is number => v !== undefined), everywhere.filter((v) => v === undefined).length));
      // The same, counted from netmaster's answer instead: what the agents add after the REST call returned.
      const answered = everywhere.flatMap((v, i) => {
        const r = mine[i];
        if (v === undefined || r === undefined) return [];
        return [label === 'deny enforced' ? v - (r.posted - r.post) : v - (r.deleted - r.del)];
      });
      rows.push(statRow(`    the same, counted from the REST response`, answered, 0));
    }
    console.log(`\n${kind.name}: ${kind.what}`);
    console.log(table([['from the REST request', ...head.slice(1)], ...rows]));
  }
  const postRtt = rounds.map((r) => r.posted - r.post);
  const delRtt = rounds.map((r) => r.deleted - r.del);
  console.log(
    table([
      ['baselines', ...head.slice(1)],
      statRow('  REST POST rule, round trip (HTTP keep-alive, via a unix-socket forwarder into h1)', postRtt, 0),
      statRow('  REST DELETE rule, round trip', delRtt, 0),
      ...[...gaps].map(([host, g]) => statRow(`  prober on ${host}: interval between replies, nothing changing (${BASELINE_MS / 1000} s)`, g, 0)),
    ]),
  );
}

export async function benchPolicy(opts: PolicyBenchOptions): Promise<void> {
  for (const [name, v] of [
    ['--policy-rounds', opts.rounds],
    ['--policy-reps', opts.reps],
  ] as const) {
    if (!Number.isInteger(v) || v < 1) throw new Error(`${name} must be a whole number ≥ 1 (got ${v})`);
  }
  for (const [name, xs] of [
    ['--policy-endpoints', opts.endpoints],
    ['--policy-rules', opts.rules],
    ['--policy-groups', opts.groups],
  ] as const) {
    if (xs.length === 0 || xs.some((x) => !Number.isInteger(x) || x < 1)) throw new Error(`${name} must be a comma-separated list of whole numbers ≥ 1 (got ${xs.join(',')})`);
  }
  if (!Number.isInteger(opts.clusterRules) || opts.clusterRules < 0 || opts.clusterRules > 60000) throw new Error(`--policy-cluster-rules must be a whole number 0..60000 (got ${opts.clusterRules})`);
  if (opts.endpoints.some((e) => e > 5000)) throw new Error('--policy-endpoints: at most 5000 (addresses of one /16, and one real port per local endpoint)');
  if (opts.parts.includes('scale')) await benchScale(opts);
  if (opts.parts.includes('cluster')) await benchCluster(opts);
}
