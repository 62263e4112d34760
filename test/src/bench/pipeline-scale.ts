/**
 * Pipeline scale: PipelineReconciler programming the bridge of a real
 * ovs-vswitchd (userspace datapath, OpenFlow13, fail_mode=secure) for
 * synthetic hosts: local endpoints on real internal ports, remote endpoints
 * behind two real VXLAN ports, VXLAN networks with gateways. Prints what the
 * first bundle, a no-op and one-endpoint changes cost and send; how many flows
 * each object needs and a fit over host sizes; and, as the baseline, ovs-ofctl
 * installing the same flows from a file. Every install is checked against
 * dump-flows: the switch must hold exactly the reconciler's flows.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { OFPBF_ATOMIC, OFPBF_ORDERED, encodeMessage, flowsToStrings, normalizeDumpFlows, planBundle } from '@contiv/openflow';
import type { Flow, OpenFlowBridge } from '@contiv/openflow';
import { PIPELINE_FEATURES, PipelineReconciler, allFlows, computeFlowSet } from '../../../services/netplugin/lib/pipeline/index';
import type { DesiredLocalEndpoint, DesiredNetwork, DesiredRemoteEndpoint, DesiredState, ReconcileResult } from '../../../services/netplugin/lib/pipeline/index';
import { startOvs } from '../harness/ovs';
import type { Ovs } from '../harness/ovs';
import { REMOTE_HOSTS, createBenchBridge, removeBenchBridge, type BenchPorts } from './bench-bridge';
import { leastSquares, median, ms, percentile, table, timed } from './stats';

/** Local endpoints, remote endpoints and VXLAN networks of one synthetic host. */
export interface Shape {
  readonly locals: number;
  readonly remotes: number;
  readonly networks: number;
}

export interface PipelineScaleOptions {
  /** Repetitions of each one-endpoint change on the programmed host. */
  readonly rounds: number;
  /** Repetitions of each full install (ours and the two ovs-ofctl baselines) per size. */
  readonly reps: number;
}

const ROUND = 1;
const HOST_SHAPE: Shape = { locals: 20, remotes: 1000, networks: 10 };
/**
 * By flow count. Every size has at least one local endpoint per network (so
 * every network has its Flood flow), and L, R, K vary independently enough to
 * fit a coefficient to each.
 */
const SIZES: readonly Shape[] = [
  { locals: 10, remotes: 100, networks: 2 },
  { locals: 20, remotes: 1000, networks: 10 },
  { locals: 100, remotes: 1000, networks: 5 },
  { locals: 40, remotes: 2000, networks: 40 },
  { locals: 30, remotes: 3000, networks: 30 },
  { locals: 50, remotes: 5000, networks: 20 },
];
/** Remote endpoint addresses start here within their network, after any local one; extras far above. */
const REMOTE_BASE = 1000;
const EXTRA_BASE = 60000;

// ---- synthetic desired state -------------------------------------------------

/** The k-th address of network n: 10.<n+1>.0.0/16, .0.1 is the gateway. */
function addressIn(n: number, k: number): string {
  const host = k + 2;
  return `10.${n + 1}.${host >> 8}.${host & 255}`;
}

/** Contiv's MAC rule: 02:02 + the IPv4 octets. */
function macOf(ip: string): string {
  return `02:02:${ip
    .split('.')
    .map((o) => Number(o).toString(16).padStart(2, '0'))
    .join(':')}`;
}

function networkOf(n: number): DesiredNetwork {
  return { key: `bench/net${n}`, encap: 'vxlan', vni: 5001 + n, vlan: 0, gateway: `10.${n + 1}.0.1`, localId: n + 1 };
}

function localEndpoint(i: number, ofport: number, networks: number): DesiredLocalEndpoint {
  const n = i % networks;
  const ip = addressIn(n, Math.floor(i / networks));
  return { endpointId: `local-${i}`, ofport, network: networkOf(n).key, ip, mac: macOf(ip), ipv6: '', groupId: 0, bandwidthKbps: 0, burstKbits: 0, dscp: 0 };
}

function remoteEndpoint(id: string, n: number, k: number, hostIndex: number): DesiredRemoteEndpoint {
  const ip = addressIn(n, k);
  return { endpointId: id, ip, mac: macOf(ip), network: networkOf(n).key, host: REMOTE_HOSTS[hostIndex % REMOTE_HOSTS.length]?.host ?? 'h2', ipv6: '', groupId: 0 };
}

function stateOf(shape: Shape, ports: BenchPorts): DesiredState {
  const K = shape.networks;
  return {
    hostName: 'h1',
    networks: Array.from({ length: K }, (_, n) => networkOf(n)),
    localEndpoints: Array.from({ length: shape.locals }, (_, i) => localEndpoint(i, ports.locals[i] as number, K)),
    remoteEndpoints: Array.from({ length: shape.remotes }, (_, j) => remoteEndpoint(`remote-${j}`, j % K, REMOTE_BASE + Math.floor(j / K), j)),
    remoteHosts: REMOTE_HOSTS.map((h, i) => ({ ...h, tunnelOfport: ports.tunnels[i] as number })),
    uplinkOfports: [],
    policyRules: [],
  };
}

// ---- the switch --------------------------------------------------------------


/** The flows `state` renders to, as sorted ovs-ofctl lines (numeric tables, as the switch prints them without --names). */
function expectedLines(state: DesiredState): string[] {
  return flowsToStrings(allFlows(computeFlowSet(state, PIPELINE_FEATURES, ROUND)));
}

/** Throws unless dump-flows shows exactly `expected`; returns the number of flows the switch holds. */
async function verifySwitch(ovs: Ovs, br: string, expected: readonly string[], who: string): Promise<number> {
  const actual = normalizeDumpFlows(await ovs.ofctl('-O', 'OpenFlow13', 'dump-flows', br, '--no-stats'));
  if (actual.length !== expected.length || actual.some((l, i) => l !== expected[i])) {
    const want = new Set(expected);
    const have = new Set(actual);
    const extra = actual.find((l) => !want.has(l));
    const missing = expected.find((l) => !have.has(l));
    throw new Error(`after ${who} the switch holds ${actual.length} flows, the reconciler's set has ${expected.length}; e.g. extra: ${extra ?? '-'}; missing: ${missing ?? '-'}`);
  }
  return actual.length;
}

/** OpenFlow messages the client sent so far (all types; barriers and echo probes are not counted by the client). */
function messagesSent(b: OpenFlowBridge): number {
  return Object.values(b.client.stats.messagesSent).reduce((a, n) => a + n, 0);
}

/** Bytes of the BUNDLE_ADD messages that install `flows` on an empty bridge (encoding them as OpenFlowBridge does). */
function bundleBytes(flows: readonly Flow[]): number {
  const flags = OFPBF_ATOMIC | OFPBF_ORDERED;
  return planBundle({ adds: flows }).reduce(
    (sum, op) => sum + encodeMessage({ type: 'bundle_add', xid: 0, bundleId: 1, flags, message: { ...op.message, xid: 0 } }).length,
    0,
  );
}

// ---- CPU and memory of the two processes ---------------------------------------

const CLOCK_TICKS = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;

function vswitchdPid(ovs: Ovs): number {
  return Number(fs.readFileSync(path.join(ovs.dir, 'ovs-vswitchd.pid'), 'utf8').trim());
}

/** User + system CPU of a process, in ms (clock-tick resolution). */
function cpuMsOf(pid: number): number {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // fields[0] is field 3 (state): utime and stime are fields 14 and 15
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS;
}

function rssMbOf(pid: number): number {
  const kb = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
  return Number(kb ?? NaN) / 1024;
}

interface Cost<T> {
  readonly ms: number;
  /** CPU of this (the agent's) process and of ovs-vswitchd meanwhile. */
  readonly ourCpuMs: number;
  readonly switchCpuMs: number;
  readonly messages: number;
  readonly bundled: number;
  readonly value: T;
}

async function costOf<T>(ovsPid: number, b: OpenFlowBridge, fn: () => Promise<T>): Promise<Cost<T>> {
  const msgs0 = messagesSent(b);
  const bundled0 = b.stats.bundledMessages;
  const sw0 = cpuMsOf(ovsPid);
  const cpu0 = process.cpuUsage();
  const [t, value] = await timed(fn);
  const cpu = process.cpuUsage(cpu0);
  return {
    ms: t,
    ourCpuMs: (cpu.user + cpu.system) / 1000,
    switchCpuMs: cpuMsOf(ovsPid) - sw0,
    messages: messagesSent(b) - msgs0,
    bundled: b.stats.bundledMessages - bundled0,
    value,
  };
}

const changeText = (r: ReconcileResult): string => `+${r.adds} ~${r.modifies} -${r.deletes}`;

// ---- 1. one host: first install, no-op, one endpoint more or less -------------------

async function benchHost(ovs: Ovs, opts: PipelineScaleOptions): Promise<void> {
  const shape = HOST_SHAPE;
  // One spare port for the local endpoint that comes and goes.
  const b = await createBenchBridge(ovs, 'bph', shape.locals + 1);
  try {
    const pid = vswitchdPid(ovs);
    const state = stateOf(shape, b);
    const reconciler = new PipelineReconciler({ bridge: b.bridge, round: ROUND });
    const rss0 = rssMbOf(pid);
    const first = await costOf(pid, b.bridge, () => reconciler.reconcile(state));
    const held = await verifySwitch(ovs, b.name, expectedLines(state), 'the first reconcile');
    const rss1 = rssMbOf(pid);
    const again = await costOf(pid, b.bridge, () => reconciler.reconcile(state));

    const changes = { addRemote: [] as Cost<ReconcileResult>[], removeRemote: [] as Cost<ReconcileResult>[], addLocal: [] as Cost<ReconcileResult>[], removeLocal: [] as Cost<ReconcileResult>[] };
    const spare = localEndpoint(shape.locals, b.locals[shape.locals] as number, shape.networks);
    for (let r = 0; r < opts.rounds; r++) {
      const withRemote = { ...state, remoteEndpoints: [...state.remoteEndpoints, remoteEndpoint(`remote-extra-${r}`, r % shape.networks, EXTRA_BASE + r, r)] };
      changes.addRemote.push(await costOf(pid, b.bridge, () => reconciler.reconcile(withRemote)));
      changes.removeRemote.push(await costOf(pid, b.bridge, () => reconciler.reconcile(state)));
      const withLocal = { ...state, localEndpoints: [...state.localEndpoints, spare] };
      changes.addLocal.push(await costOf(pid, b.bridge, () => reconciler.reconcile(withLocal)));
      changes.removeLocal.push(await costOf(pid, b.bridge, () => reconciler.reconcile(state)));
    }
    await verifySwitch(ovs, b.name, expectedLines(state), 'the one-endpoint changes');
    // In-process parts of a reconcile, warm (the first reconcile above ran them cold).
    const compute: number[] = [];
    const encode: number[] = [];
    let bytes = 0;
    for (let i = 0; i < 10; i++) {
      compute.push((await timed(() => Promise.resolve(computeFlowSet(state, PIPELINE_FEATURES, ROUND))))[0]);
      const flows = allFlows(computeFlowSet(state, PIPELINE_FEATURES, ROUND));
      const [t, n] = await timed(() => Promise.resolve(bundleBytes(flows)));
      encode.push(t);
      bytes = n;
    }

    console.log(
      `\nPipeline scale: one host with ${shape.locals} local endpoints, ${shape.remotes} remote endpoints on ${REMOTE_HOSTS.length} hosts (VXLAN ports), ` +
        `${shape.networks} VXLAN networks with gateways; ovs-vswitchd ${ovsVersion(ovs)}, userspace (netdev) datapath`,
    );
    console.log(
      table([
        ['step', 'wall', 'flows sent (+add ~mod -del)', 'OpenFlow msgs', 'in bundles', 'agent CPU', 'vswitchd CPU'],
        ['first reconcile (empty bridge)', ms(first.ms), changeText(first.value), String(first.messages), String(first.bundled), ms(first.ourCpuMs), ms(first.switchCpuMs)],
        ['same state again', ms(again.ms), changeText(again.value), String(again.messages), String(again.bundled), ms(again.ourCpuMs), ms(again.switchCpuMs)],
        ...(
          [
            ['add one remote endpoint', changes.addRemote],
            ['remove it', changes.removeRemote],
            ['add one local endpoint', changes.addLocal],
            ['remove it', changes.removeLocal],
          ] as const
        ).map(([name, cs]) => [
          `${name} (median of ${cs.length})`,
          `${ms(median(cs.map((c) => c.ms)))} (p99 ${ms(percentile(cs.map((c) => c.ms), 99))})`,
          changeText(cs[0]?.value ?? { adds: NaN, modifies: NaN, deletes: NaN, total: NaN }),
          String(median(cs.map((c) => c.messages))),
          String(median(cs.map((c) => c.bundled))),
          ms(median(cs.map((c) => c.ourCpuMs))),
          ms(median(cs.map((c) => c.switchCpuMs))),
        ]),
      ]),
    );
    console.log(`first bundle: ${first.bundled} FLOW_MODs in ${(bytes / 1024).toFixed(0)} KiB of BUNDLE_ADD; the switch then holds ${held} flows (ovs-ofctl dump-flows, line for line the reconciler's set)`);
    console.log(
      `in-process, warm, median of 10: computing and rendering the flow set (every reconcile does it, no-op included) ${ms(median(compute))} ` +
        `(${((median(compute) * 1000) / held).toFixed(0)} µs a flow); encoding all ${first.bundled} FLOW_MODs ${ms(median(encode))} (${((median(encode) * 1000) / held).toFixed(0)} µs a flow)`,
    );
    console.log(`ovs-vswitchd RSS ${rss0.toFixed(0)} MiB before the first reconcile, ${rss1.toFixed(0)} MiB after`);
  } finally {
    await removeBenchBridge(ovs, b);
  }
}

function ovsVersion(ovs: Ovs): string {
  return /(\d+\.\d+\.\d+)/.exec(execFileSync('ovs-vswitchd', ['--version'], { encoding: 'utf8', env: ovs.env }))?.[1] ?? '?';
}

// ---- 2 and 3. flows per object over sizes, next to ovs-ofctl ------------------------

interface ObjectCounts {
  readonly kind: string;
  readonly objects: number;
  readonly min: number;
  readonly max: number;
}

/** Flows per object, summed over features ('endpoint:ep1' has flows in three tables), grouped by the key's kind. */
function objectCounts(state: DesiredState): ObjectCounts[] {
  const perObject = new Map<string, number>();
  for (const objects of computeFlowSet(state, PIPELINE_FEATURES, ROUND).values()) {
    for (const [key, obj] of objects) perObject.set(key, (perObject.get(key) ?? 0) + obj.flows.length);
  }
  const byKind = new Map<string, number[]>();
  for (const [key, n] of perObject) {
    const kind = key.split(':')[0] ?? key;
    byKind.set(kind, [...(byKind.get(kind) ?? []), n]);
  }
  return [...byKind].map(([kind, ns]) => ({ kind, objects: ns.length, min: Math.min(...ns), max: Math.max(...ns) }));
}

/** One full install of a size's flows on an empty bridge. */
interface Install {
  readonly wallMs: number;
  /** CPU of the installing side: this process, plus ovs-ofctl for the baselines. */
  readonly clientCpuMs: number;
  readonly switchCpuMs: number;
}

/** CPU of this process's waited-for children (cutime + cstime), in ms. */
function childrenCpuMs(): number {
  const stat = fs.readFileSync('/proc/self/stat', 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[13]) + Number(fields[14])) * 1000) / CLOCK_TICKS;
}

async function measureInstall(ovsPid: number, fn: () => Promise<unknown>): Promise<Install> {
  const sw0 = cpuMsOf(ovsPid);
  const children0 = childrenCpuMs();
  const cpu0 = process.cpuUsage();
  const [wallMs] = await timed(fn);
  const cpu = process.cpuUsage(cpu0);
  return { wallMs, clientCpuMs: (cpu.user + cpu.system) / 1000 + childrenCpuMs() - children0, switchCpuMs: cpuMsOf(ovsPid) - sw0 };
}

interface SizeResult {
  readonly shape: Shape;
  readonly flows: number;
  readonly counts: readonly ObjectCounts[];
  readonly ours: Install[];
  readonly ofctl: Install[];
  readonly ofctlBundle: Install[];
  readonly noop: number[];
  readonly addRemote: number[];
  /** ovs-vswitchd's resident memory with this size installed. */
  rssMb: number;
}

async function benchSize(ovs: Ovs, index: number, shape: Shape, opts: PipelineScaleOptions, dir: string): Promise<SizeResult> {
  const b = await createBenchBridge(ovs, `bps${index}`, shape.locals);
  try {
    const pid = vswitchdPid(ovs);
    const state = stateOf(shape, b);
    const expected = expectedLines(state);
    const file = path.join(dir, `${b.name}.flows`);
    fs.writeFileSync(file, `${expected.join('\n')}\n`);
    const clear = async (): Promise<void> => {
      await ovs.ofctl('-O', 'OpenFlow13', 'del-flows', b.name);
    };
    const result: SizeResult = { shape, flows: expected.length, counts: objectCounts(state), ours: [], ofctl: [], ofctlBundle: [], noop: [], addRemote: [], rssMb: NaN };
    // Interleaved, so a busy moment of the machine hits all three alike.
    for (let rep = 0; rep < opts.reps; rep++) {
      await clear();
      const reconciler = new PipelineReconciler({ bridge: b.bridge, round: ROUND });
      result.ours.push(await measureInstall(pid, () => reconciler.reconcile(state)));
      if (reconciler.installedFlowCount() !== expected.length) throw new Error(`the reconciler reports ${reconciler.installedFlowCount()} flows, the rendered set has ${expected.length}`);
      await verifySwitch(ovs, b.name, expected, 'the reconcile from empty');
      if (rep === 0) {
        result.rssMb = rssMbOf(pid);
        for (let i = 0; i < 3; i++) {
          result.noop.push((await timed(() => reconciler.reconcile(state)))[0]);
          const extra = { ...state, remoteEndpoints: [...state.remoteEndpoints, remoteEndpoint(`remote-extra-${i}`, 0, EXTRA_BASE + i, i)] };
          result.addRemote.push((await timed(() => reconciler.reconcile(extra)))[0]);
          await reconciler.reconcile(state);
        }
      }
      // OVS's own tool, one process, the same flows: FLOW_MODs then a barrier, and as one bundle.
      await clear();
      result.ofctl.push(await measureInstall(pid, () => ovs.ofctl('-O', 'OpenFlow13', 'add-flows', b.name, file)));
      await verifySwitch(ovs, b.name, expected, 'ovs-ofctl add-flows');
      await clear();
      result.ofctlBundle.push(await measureInstall(pid, () => ovs.ofctl('-O', 'OpenFlow13', '--bundle', 'add-flows', b.name, file)));
      await verifySwitch(ovs, b.name, expected, 'ovs-ofctl --bundle add-flows');
    }
    return result;
  } finally {
    await removeBenchBridge(ovs, b);
  }
}

function printSizes(results: readonly SizeResult[], reps: number, floorMs: number): void {
  const wall = (xs: readonly Install[]): number => median(xs.map((x) => x.wallMs));
  const cpu = (xs: readonly Install[], side: 'clientCpuMs' | 'switchCpuMs'): string => ms(median(xs.map((x) => x[side])));
  const shapeCells = (r: SizeResult): string[] => [String(r.shape.locals), String(r.shape.remotes), String(r.shape.networks), String(r.flows)];
  console.log(`\nPipeline scale: installing a host's flows on an empty bridge (L local, R remote endpoints, K networks, 2 remote hosts); median of ${reps}, interleaved`);
  console.log(
    table([
      ['L', 'R', 'K', 'flows', 'ours: wall', 'flows/s', 'agent CPU', 'vswitchd CPU', 'ofctl add-flows: wall', 'ofctl --bundle: wall', 'ofctl CPU', 'vswitchd CPU', 'ours / --bundle'],
      ...results.map((r) => [
        ...shapeCells(r),
        ms(wall(r.ours)),
        ((r.flows / wall(r.ours)) * 1000).toFixed(0),
        cpu(r.ours, 'clientCpuMs'),
        cpu(r.ours, 'switchCpuMs'),
        ms(wall(r.ofctl)),
        ms(wall(r.ofctlBundle)),
        cpu(r.ofctlBundle, 'clientCpuMs'),
        cpu(r.ofctlBundle, 'switchCpuMs'),
        `${median(r.ours.map((o, i) => o.wallMs / (r.ofctlBundle[i]?.wallMs ?? NaN))).toFixed(1)}x`,
      ]),
    ]),
  );
  console.log(`(ovs-ofctl times include starting the process: ${ms(floorMs)} for add-flows of an empty file; CPU has clock-tick resolution, ${(1000 / CLOCK_TICKS).toFixed(0)} ms)`);
  console.log('\nPipeline scale: on the installed host (3 runs each)');
  console.log(
    table([
      ['L', 'R', 'K', 'flows', 'no-op reconcile', '+1 remote endpoint', 'vswitchd RSS'],
      ...results.map((r) => [...shapeCells(r), ms(median(r.noop)), ms(median(r.addRemote)), `${r.rssMb.toFixed(0)} MiB`]),
    ]),
  );

  // Per object: the count of every kind must not depend on the size.
  const kinds = new Map<string, { min: number; max: number }>();
  for (const r of results) {
    for (const c of r.counts) {
      const k = kinds.get(c.kind) ?? { min: Infinity, max: -Infinity };
      kinds.set(c.kind, { min: Math.min(k.min, c.min), max: Math.max(k.max, c.max) });
    }
  }
  const label: Record<string, string> = { endpoint: 'local endpoint', remote: 'remote endpoint', network: 'network', miss: 'table-miss (all tables together)' };
  console.log(`flows per object over all sizes: ${[...kinds].map(([k, v]) => `${label[k] ?? k} ${v.min === v.max ? v.min : `${v.min}..${v.max}`}`).join(', ')}`);

  const y = results.map((r) => r.flows);
  const [a, bR, c, d] = leastSquares(
    results.map((r) => [r.shape.locals, r.shape.remotes, r.shape.networks, 1]),
    y,
  );
  const fit = results.map((r) => (a ?? 0) * r.shape.locals + (bR ?? 0) * r.shape.remotes + (c ?? 0) * r.shape.networks + (d ?? 0));
  const residual = Math.max(...fit.map((f, i) => Math.abs(f - (y[i] ?? 0))));
  const f3 = (n: number | undefined): string => (n ?? NaN).toFixed(3);
  console.log(`least-squares fit over ${results.length} sizes: flows = ${f3(a)}·L + ${f3(bR)}·R + ${f3(c)}·K + ${f3(d)}  (largest residual ${residual.toFixed(3)} flows)`);
  if (results.length > 5) {
    const q = leastSquares(
      results.map((r) => [r.shape.locals, r.shape.remotes, r.shape.networks, (r.shape.locals + r.shape.remotes) ** 2, 1]),
      y,
    );
    console.log(`with an (L+R)² term added, its coefficient is ${(q[3] ?? NaN).toExponential(2)} (a quadratic pipeline would show a clearly non-zero one)`);
  }
}

export async function benchPipelineScale(opts: PipelineScaleOptions): Promise<void> {
  const ovs = await startOvs({ ownNetns: true });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'contiv-bench-flows-'));
  try {
    await benchHost(ovs, opts);
    const empty = path.join(dir, 'empty.flows');
    fs.writeFileSync(empty, '');
    await ovs.vsctl('add-br', 'bpf', '--', 'set', 'bridge', 'bpf', 'datapath_type=netdev', 'protocols=OpenFlow13', 'fail_mode=secure');
    const floor: number[] = [];
    for (let i = 0; i < 5; i++) floor.push((await timed(() => ovs.ofctl('-O', 'OpenFlow13', 'add-flows', 'bpf', empty)))[0]);
    await ovs.vsctl('del-br', 'bpf');
    const results: SizeResult[] = [];
    for (const [i, shape] of SIZES.entries()) results.push(await benchSize(ovs, i, shape, opts, dir));
    printSizes(results, opts.reps, median(floor));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
    await ovs.stop();
  }
}
