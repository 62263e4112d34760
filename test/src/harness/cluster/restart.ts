/**
 * `cluster restart|stop|start HOST SERVICE`: stops one daemon of a host and
 * starts it again exactly as `up` did — same argv, environment and network
 * namespace, output appended to the same log — then waits until it serves
 * again. `stop` keeps what `start` needs in cluster.json, so an outage can
 * last as long as a test wants (the store stopped for 30 s).
 *
 *   netplugin, driver-shim, netmaster   our services (SIGTERM, SIGKILL after 15 s)
 *   dockerd                             restart only (restartDockerd)
 *   ovs-vswitchd                        `ovs-appctl exit` as `systemctl stop` does; before it starts
 *                                       again other_config:flow-restore-wait=true, so it forwards
 *                                       nothing until the agent has put its flows back and cleared it
 *                                       (docs/debugging.md "Restarting Open vSwitch")
 *   ovsdb-server                        `ovs-appctl exit`, same database and sockets
 *   store (etcd, consul)                the cluster store on h1 (SIGTERM); both keep their data
 *                                       directories (Consul runs as a one-node server, store.ts)
 */
import fs from 'node:fs';
import path from 'node:path';
import { startDockerd } from '../dockerd';
import { inNetns, netnsPath, run, runInNetns, sleep, startDaemon, tailFile } from '../exec';
import { pidAlive, readPidFile, stopPids } from '../processes';
import { ensurePhysAddress } from '../underlay';
import type { ClusterLayout } from './layout';
import { pluginKind, readState, writeState, type ClusterState, type HostState } from './state';
import { storeHealthy } from './store';

export const RESTARTABLE = ['netplugin', 'driver-shim', 'netmaster', 'dockerd', 'ovs-vswitchd', 'ovsdb-server', 'store'] as const;
export type RestartableService = (typeof RESTARTABLE)[number];
/** What `stop` and `start` take: everything but the engine (its restart brings its containers back). */
export const STOPPABLE = ['netplugin', 'driver-shim', 'netmaster', 'ovs-vswitchd', 'ovsdb-server', 'store'] as const;
export type StoppableService = (typeof STOPPABLE)[number];
/** Names the user may give: `etcd` and `consul` name the store. */
export const SERVICE_ALIASES: Readonly<Record<string, RestartableService>> = { etcd: 'store', consul: 'store' };

type OurService = 'netplugin' | 'driver-shim' | 'netmaster';
type OvsDaemon = 'ovs-vswitchd' | 'ovsdb-server';

/** How long `restart ovs-vswitchd` waits for the agent to clear flow-restore-wait before it says so and returns. */
const FLOW_RESTORE_REPORT_MS = 30_000;

export function parseService(name: string): RestartableService | undefined {
  if ((RESTARTABLE as readonly string[]).includes(name)) return name as RestartableService;
  return SERVICE_ALIASES[name];
}

function readNulList(file: string): string[] {
  return fs.readFileSync(file, 'utf8').split('\0').filter((s) => s !== '');
}

function isOvs(s: StoppableService): s is OvsDaemon {
  return s === 'ovs-vswitchd' || s === 'ovsdb-server';
}

function hostOf(layout: ClusterLayout, hostKey: string): { state: ClusterState; host: HostState } {
  const state = readState(layout);
  if (state === undefined) throw new Error(`cluster ${layout.name} is not up`);
  const host = state.hosts.find((h) => h.key === hostKey);
  if (host === undefined) throw new Error(`no host ${hostKey} in cluster ${layout.name} (hosts: ${state.hosts.map((h) => h.key).join(', ')})`);
  return { state, host };
}

function check(state: ClusterState, host: HostState, service: StoppableService): void {
  if (service === 'store') {
    if (host.pids.etcd === undefined && host.pids.consul === undefined && host.stopped?.store === undefined) {
      throw new Error(`the cluster store (${state.options.store}) runs on ${state.hosts[0]?.key ?? 'h1'}, not on ${host.key}`);
    }
    return;
  }
  if (!isOvs(service) && pluginKind(state.options) === 'v2') {
    throw new Error(`cluster ${state.name} runs the managed plugin: ${service} runs inside it (restart it with: exec ${host.key} -- docker plugin disable -f NAME, then enable)`);
  }
}

/** The running process of a service, or undefined. */
function pidOf(state: ClusterState, host: HostState, service: StoppableService): number | undefined {
  const pid = isOvs(service) ? readPidFile(path.join(host.ovsDir, `${service}.pid`)) : service === 'store' ? host.pids[state.options.store] : host.pids[service];
  return pid !== undefined && pidAlive(pid) ? pid : undefined;
}

/** The process runs in the host's namespace (our services, vswitchd, the store), not the machine's (ovsdb-server). */
function inHostNetns(pid: number, netns: string): boolean {
  try {
    return fs.statSync(`/proc/${pid}/ns/net`).ino === fs.statSync(netnsPath(netns)).ino;
  } catch {
    return false;
  }
}

export async function restartService(layout: ClusterLayout, hostKey: string, service: RestartableService, say: (m: string) => void): Promise<void> {
  if (service === 'dockerd') return restartDockerd(layout, hostKey, say);
  const t0 = Date.now();
  await stopService(layout, hostKey, service, say);
  await startService(layout, hostKey, service, say, t0);
}

/** Stops the service and records how to start it again. */
export async function stopService(layout: ClusterLayout, hostKey: string, service: StoppableService, say: (m: string) => void): Promise<void> {
  const { state, host } = hostOf(layout, hostKey);
  check(state, host, service);
  if (host.stopped?.[service] !== undefined) throw new Error(`${service} on ${hostKey} is stopped already (start it with: start ${hostKey} ${service})`);
  const pid = pidOf(state, host, service);
  if (pid === undefined) throw new Error(`${service} does not run on ${hostKey}`);
  const argv = readNulList(`/proc/${pid}/cmdline`);
  const env = Object.fromEntries(readNulList(`/proc/${pid}/environ`).map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]));
  const netns = inHostNetns(pid, host.netns) ? host.netns : undefined;
  if (argv[0] === undefined) throw new Error(`cannot read the command line of ${service} (pid ${pid})`);

  const t0 = Date.now();
  if (isOvs(service)) {
    // What ovs-ctl stop (systemctl stop) does: exit without --cleanup, so the datapath's ports stay.
    await run('ovs-appctl', ['-t', path.join(host.ovsDir, `${service}.ctl`), 'exit'], { env: { ...process.env, ...env }, allowFail: true, timeoutMs: 15_000 });
    await stopPids([pid], 10_000);
  } else {
    // etcd can hang in its SIGTERM handler (ENVIRONMENT.md §6).
    await stopPids([pid], service === 'store' ? 5_000 : 15_000);
  }
  host.stopped = { ...host.stopped, [service]: { argv, env, ...(netns !== undefined ? { netns } : {}), stoppedAt: new Date().toISOString() } };
  if (service === 'store') delete host.pids[state.options.store];
  else if (!isOvs(service)) delete host.pids[service];
  writeState(layout, state);
  say(`${hostKey}: ${service === 'store' ? state.options.store : service} (pid ${pid}) stopped in ${Date.now() - t0} ms`);
}

/** Starts a service `stop` stopped, the same way; resolves once it serves. */
export async function startService(layout: ClusterLayout, hostKey: string, service: StoppableService, say: (m: string) => void, since = Date.now()): Promise<void> {
  const { state, host } = hostOf(layout, hostKey);
  check(state, host, service);
  const saved = host.stopped?.[service];
  if (saved === undefined) throw new Error(`${service} on ${hostKey} was not stopped with 'stop' (to stop and start it at once: restart ${hostKey} ${service})`);
  const [cmd, ...args] = saved.argv;
  if (cmd === undefined) throw new Error(`no command line saved for ${service} on ${hostKey}`);
  const [file, argv] = saved.netns !== undefined ? inNetns(saved.netns, cmd, args) : [cmd, args];
  const env = saved.env;

  let pid: number | undefined;
  let detail = '';
  if (service === 'ovs-vswitchd') {
    await startVswitchd(host, file, argv, env);
    detail = await afterVswitchd(host, say);
  } else if (service === 'ovsdb-server') {
    // --detach: returns once the daemon serves.
    await run(file, argv, { env, timeoutMs: 60_000 });
  } else if (service === 'store') {
    const kind = state.options.store;
    const d = startDaemon(kind, file, argv, { logFile: path.join(host.logDir, `${kind}.log`), env, detached: true });
    pid = d.pid;
    host.pids[kind] = pid;
    await waitUntil(() => storeHealthy(kind, host.netns), () => d.isRunning(), `${kind} on ${hostKey}`, path.join(host.logDir, `${kind}.log`));
  } else {
    const d = startDaemon(`${service}-${host.netns}`, file, argv, { logFile: path.join(host.logDir, `${service}.console.log`), env, detached: true });
    pid = d.pid;
    host.pids[service] = pid;
    const ready = readinessPath(service, args, host.logDir);
    const before = Date.parse(saved.stoppedAt);
    await waitUntil(
      // netmaster: its REST API answers (leader or not); the others: their socket is there again.
      service === 'netmaster'
        ? async () => (await runInNetns(host.netns, 'curl', ['-fsS', '-m', '2', `${state.netmasterUrl}/info`], { allowFail: true, timeoutMs: 5_000 })).code === 0
        : () => Promise.resolve(fs.existsSync(ready) && fs.statSync(ready).mtimeMs >= before),
      () => d.isRunning(),
      `${service} on ${hostKey}`,
      path.join(host.logDir, `${service}.console.log`),
    );
  }
  const stopped = { ...host.stopped };
  delete stopped[service];
  host.stopped = stopped;
  writeState(layout, state);
  pid ??= pidOf(state, host, service);
  say(`${hostKey}: ${service === 'store' ? state.options.store : service} running again (pid ${pid ?? '?'}) after ${Date.now() - since} ms${detail}`);
}

/** The file whose (re)creation says the agent or the shim serves again: its socket, else its log. */
function readinessPath(service: OurService, argv: readonly string[], logDir: string): string {
  const flag = service === 'netplugin' ? '--agent-socket' : '--socket';
  const i = argv.indexOf(flag);
  return (i >= 0 ? argv[i + 1] : undefined) ?? path.join(logDir, `${service}.log`);
}

async function waitUntil(ready: () => Promise<boolean>, alive: () => boolean, what: string, log: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (!(await ready())) {
    // The log's tail goes into the message: CI shows the test output, not the cluster's log files.
    if (!alive()) throw new Error(`${what} exited after it was started again; ${log} ends with:\n${tailFile(log, 20)}`);
    if (Date.now() > deadline) throw new Error(`${what} did not come back in 30 s; ${log} ends with:\n${tailFile(log, 20)}`);
    await sleep(50);
  }
}

function vsctl(host: HostState, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return run('ovs-vsctl', [`--db=unix:${path.join(host.ovsDir, 'db.sock')}`, '--timeout=10', ...args], { allowFail: true, timeoutMs: 20_000 });
}

/** The hot-restart procedure of ovs-vswitchd.conf.db(5): flow-restore-wait=true, then start (--detach returns once it runs). */
async function startVswitchd(host: HostState, file: string, argv: readonly string[], env: NodeJS.ProcessEnv): Promise<void> {
  const set = await vsctl(host, '--no-wait', 'set', 'Open_vSwitch', '.', 'other_config:flow-restore-wait=true');
  if (set.code !== 0) throw new Error(`cannot set flow-restore-wait on ${host.key} (is ovsdb-server running?): ${set.stderr.trim()}`);
  await run(file, argv, { env, timeoutMs: 60_000 });
}

/**
 * After vswitchd is back: the underlay address on br-phy (the host's network
 * configuration's job on a real host), and how long the agent took to restore
 * its flows and clear flow-restore-wait.
 */
async function afterVswitchd(host: HostState, say: (m: string) => void): Promise<string> {
  if (await ensurePhysAddress(host.netns, host.index)) say(`${host.key}: put the underlay address back on br-phy (its tap went with the old ovs-vswitchd)`);
  const t0 = Date.now();
  const deadline = t0 + FLOW_RESTORE_REPORT_MS;
  for (;;) {
    const r = await vsctl(host, 'get', 'Open_vSwitch', '.', 'other_config');
    if (r.code === 0 && !r.stdout.includes('flow-restore-wait="true"')) break;
    if (Date.now() > deadline) {
      say(`${host.key}: flow-restore-wait is still set after ${FLOW_RESTORE_REPORT_MS / 1000} s: ovs-vswitchd forwards nothing until netplugin clears it (is it running? see netplugin.log)`);
      return '';
    }
    await sleep(20);
  }
  const waited = Date.now() - t0;
  return `; the agent restored its flows and cleared flow-restore-wait ${waited} ms after ovs-vswitchd started`;
}

/**
 * Stops the host's engine (SIGTERM: dockerd stops its containers, as a real
 * `systemctl restart docker` does) and starts it again the way `up` did: same
 * namespaces, directories, OVS and cluster store. A managed plugin comes back
 * with the engine; swarm reschedules the host's tasks.
 */
async function restartDockerd(layout: ClusterLayout, hostKey: string, say: (m: string) => void): Promise<void> {
  const { state, host } = hostOf(layout, hostKey);
  const pid = host.pids.dockerd;
  if (pid === undefined || !pidAlive(pid)) throw new Error(`dockerd does not run on ${hostKey}`);
  const t0 = Date.now();
  await stopPids([pid], 60_000);
  say(`${hostKey}: dockerd (pid ${pid}) stopped in ${Date.now() - t0} ms`);
  const dockerd = await startDockerd({
    netns: host.netns,
    hostName: host.netns,
    dir: path.join(host.dir, 'docker'),
    ovsDir: host.ovsDir,
    logFile: path.join(host.logDir, 'dockerd.log'),
    detached: true,
    ...(state.options.dockerClusterStore ? { clusterStore: state.clusterStore, clusterAdvertise: `${host.ip}:2376` } : {}),
  });
  host.pids.dockerd = dockerd.pid();
  writeState(layout, state);
  say(`${hostKey}: dockerd running again (pid ${dockerd.pid()}) after ${Date.now() - t0} ms`);
}

