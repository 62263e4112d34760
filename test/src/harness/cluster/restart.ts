/**
 * `cluster restart HOST SERVICE`: stops one of our services on a host (SIGTERM,
 * SIGKILL after 15 s) and starts it again exactly as `up` did — same argv,
 * environment and network namespace, output appended to the same console log —
 * then waits until it serves again. For trying an agent or netmaster restart
 * by hand, and for the tests that check containers keep talking through one.
 */
import fs from 'node:fs';
import path from 'node:path';
import { startDockerd } from '../dockerd';
import { inNetns, startDaemon, sleep } from '../exec';
import { pidAlive, stopPids } from '../processes';
import type { ClusterLayout } from './layout';
import { pluginKind, readState, writeState, type ProcessName } from './state';

export const RESTARTABLE = ['netplugin', 'driver-shim', 'netmaster', 'dockerd'] as const;
export type RestartableService = (typeof RESTARTABLE)[number];

function readNulList(file: string): string[] {
  return fs.readFileSync(file, 'utf8').split('\0').filter((s) => s !== '');
}

/** The file whose (re)creation says the service serves again: its socket, or netmaster's log. */
function readinessPath(service: RestartableService, argv: readonly string[], logDir: string): string {
  const flag = service === 'netplugin' ? '--agent-socket' : service === 'driver-shim' ? '--socket' : undefined;
  const i = flag === undefined ? -1 : argv.indexOf(flag);
  const value = i >= 0 ? argv[i + 1] : undefined;
  return value ?? path.join(logDir, `${service}.log`);
}

export async function restartService(layout: ClusterLayout, hostKey: string, service: RestartableService, say: (m: string) => void): Promise<void> {
  const state = readState(layout);
  if (state === undefined) throw new Error(`cluster ${layout.name} is not up`);
  const host = state.hosts.find((h) => h.key === hostKey);
  if (host === undefined) throw new Error(`no host ${hostKey} in cluster ${layout.name} (hosts: ${state.hosts.map((h) => h.key).join(', ')})`);
  if (service === 'dockerd') return restartDockerd(layout, hostKey, say);
  if (pluginKind(state.options) === 'v2') {
    throw new Error(`cluster ${layout.name} runs the managed plugin: ${service} runs inside it (restart it with: exec ${hostKey} -- docker plugin disable -f NAME, then enable)`);
  }
  const pid = host.pids[service as ProcessName];
  if (pid === undefined || !pidAlive(pid)) throw new Error(`${service} does not run on ${hostKey}`);
  const argv = readNulList(`/proc/${pid}/cmdline`);
  const env = Object.fromEntries(readNulList(`/proc/${pid}/environ`).map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]));
  const [node, ...args] = argv;
  if (node === undefined) throw new Error(`cannot read the command line of ${service} (pid ${pid})`);
  const ready = readinessPath(service, args, host.logDir);

  const t0 = Date.now();
  await stopPids([pid], 15_000);
  say(`${hostKey}: ${service} (pid ${pid}) stopped in ${Date.now() - t0} ms`);
  const before = fs.existsSync(ready) ? fs.statSync(ready).mtimeMs : 0;
  const [cmd, cmdArgs] = inNetns(host.netns, node, args);
  const d = startDaemon(`${service}-${host.netns}`, cmd, cmdArgs, { logFile: path.join(host.logDir, `${service}.console.log`), env, detached: true });
  host.pids[service as ProcessName] = d.pid;
  writeState(layout, state);
  const deadline = Date.now() + 30_000;
  while (!(fs.existsSync(ready) && fs.statSync(ready).mtimeMs > before)) {
    if (!pidAlive(d.pid)) throw new Error(`${service} on ${hostKey} exited after restart; see ${path.join(host.logDir, `${service}.console.log`)}`);
    if (Date.now() > deadline) throw new Error(`${service} on ${hostKey} did not come back in 30 s`);
    await sleep(50);
  }
  say(`${hostKey}: ${service} running again (pid ${d.pid}) after ${Date.now() - t0} ms`);
}

/**
 * Stops the host's engine (SIGTERM: dockerd stops its containers, as a real
 * `systemctl restart docker` does) and starts it again the way `up` did: same
 * namespaces, directories, OVS and cluster store. A managed plugin comes back
 * with the engine; swarm reschedules the host's tasks.
 */
async function restartDockerd(layout: ClusterLayout, hostKey: string, say: (m: string) => void): Promise<void> {
  const state = readState(layout);
  const host = state?.hosts.find((h) => h.key === hostKey);
  if (state === undefined || host === undefined) throw new Error(`no host ${hostKey} in cluster ${layout.name}`);
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
