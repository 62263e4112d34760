/**
 * `cluster kill HOST SERVICE`: SIGKILL one of our services on a host, as a
 * crash would (no cleanup: a netmaster's leader lock stays until its lease
 * expires). Records the command line like `stop` does, so `cluster start HOST
 * SERVICE` brings it back the same way (restart.ts).
 */
import fs from 'node:fs';
import { sleep } from '../exec';
import { pidAlive } from '../processes';
import type { ClusterLayout } from './layout';
import { pluginKind, readState, writeState } from './state';

export const KILLABLE = ['netmaster', 'netplugin', 'driver-shim'] as const;
export type KillableService = (typeof KILLABLE)[number];

function readNulList(file: string): string[] {
  return fs.readFileSync(file, 'utf8').split('\0').filter((s) => s !== '');
}

/** Kills the service; resolves with its pid once the process is gone. */
export async function killService(layout: ClusterLayout, hostKey: string, service: KillableService, say: (m: string) => void): Promise<number> {
  const state = readState(layout);
  if (state === undefined) throw new Error(`cluster ${layout.name} is not up`);
  const host = state.hosts.find((h) => h.key === hostKey);
  if (host === undefined) throw new Error(`no host ${hostKey} in cluster ${layout.name} (hosts: ${state.hosts.map((h) => h.key).join(', ')})`);
  if (pluginKind(state.options) === 'v2') throw new Error(`cluster ${state.name} runs the managed plugin: ${service} runs inside it`);
  if (host.stopped?.[service] !== undefined) throw new Error(`${service} on ${hostKey} is stopped already (start it with: start ${hostKey} ${service})`);
  const pid = host.pids[service];
  if (pid === undefined || !pidAlive(pid)) throw new Error(`${service} does not run on ${hostKey}`);
  const argv = readNulList(`/proc/${pid}/cmdline`);
  const env = Object.fromEntries(readNulList(`/proc/${pid}/environ`).map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]));
  if (argv[0] === undefined) throw new Error(`cannot read the command line of ${service} (pid ${pid})`);
  process.kill(pid, 'SIGKILL');
  for (let i = 0; pidAlive(pid); i++) {
    if (i > 200) throw new Error(`${service} (pid ${pid}) on ${hostKey} is still there 10 s after SIGKILL`);
    await sleep(50);
  }
  host.stopped = { ...host.stopped, [service]: { argv, env, netns: host.netns, stoppedAt: new Date().toISOString() } };
  delete host.pids[service];
  writeState(layout, state);
  say(`${hostKey}: ${service} (pid ${pid}) killed (SIGKILL)`);
  return pid;
}
