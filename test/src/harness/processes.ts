/**
 * Processes we no longer hold a handle for: the local-cluster tool's `down` and
 * `status` run in a later process than the `up` that started the daemons, and
 * after a crash only pid files, namespaces and cgroups are left. Every function
 * here acts only on processes it can prove are ours (in a namespace or cgroup we
 * made, or naming a directory we own).
 */
import fs from 'node:fs';
import path from 'node:path';
import { netnsPath, sleep } from './exec';

/**
 * The process exists and is not a zombie. By its state in /proc/PID/stat, not
 * by an empty cmdline: a child caught between fork and exec has an empty
 * cmdline too, and taking that for dead made `cluster start` report a service
 * that was starting as "exited".
 */
export function pidAlive(pid: number): boolean {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // "PID (COMM) STATE ...": COMM may hold spaces and parentheses, so read after the last ')'.
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    return state !== 'Z' && state !== 'X' && state !== '';
  } catch {
    return false;
  }
}

/** The command line with NULs as spaces, or '' when the process is gone. */
export function pidCmdline(pid: number): string {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ').trim();
  } catch {
    return '';
  }
}

/** A pid from a pid file, or undefined when the file is missing or not a pid. */
export function readPidFile(file: string): number | undefined {
  try {
    const pid = Number(fs.readFileSync(file, 'utf8').trim());
    return Number.isInteger(pid) && pid > 1 ? pid : undefined;
  } catch {
    return undefined;
  }
}

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    // gone already
  }
}

async function waitGone(pids: readonly number[], timeoutMs: number): Promise<number[]> {
  const deadline = Date.now() + timeoutMs;
  let left = pids.filter(pidAlive);
  while (left.length > 0 && Date.now() < deadline) {
    await sleep(50);
    left = left.filter(pidAlive);
  }
  return left;
}

/** SIGTERM, then SIGKILL after graceMs; resolves once every pid is gone. */
export async function stopPids(pids: readonly number[], graceMs: number): Promise<void> {
  const alive = pids.filter(pidAlive);
  for (const p of alive) signal(p, 'SIGTERM');
  const stubborn = await waitGone(alive, graceMs);
  for (const p of stubborn) signal(p, 'SIGKILL');
  await waitGone(stubborn, 10_000);
}

/** SIGKILL and wait. */
export async function killPids(pids: readonly number[]): Promise<void> {
  const alive = pids.filter(pidAlive);
  for (const p of alive) signal(p, 'SIGKILL');
  await waitGone(alive, 10_000);
}

/** Pids whose network namespace is the named one (`ip netns pids` without the fork). */
export function netnsPids(netns: string): number[] {
  let inode: number;
  try {
    inode = fs.statSync(netnsPath(netns)).ino;
  } catch {
    return [];
  }
  return allPids().filter((pid) => {
    try {
      return fs.statSync(`/proc/${pid}/ns/net`).ino === inode;
    } catch {
      return false;
    }
  });
}

/** Pids whose command line contains `marker` (a directory of ours, with its trailing slash). */
export function pidsMentioning(marker: string): number[] {
  return allPids().filter((pid) => pid !== process.pid && pidCmdline(pid).includes(marker));
}

/** Pids in a cgroup subtree named `parent` on any hierarchy (containers under `--cgroup-parent`). */
export function cgroupPids(parent: string): number[] {
  const root = '/sys/fs/cgroup';
  const out = new Set<number>();
  const walk = (dir: string): void => {
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    try {
      for (const line of fs.readFileSync(path.join(dir, 'cgroup.procs'), 'utf8').split('\n')) {
        const pid = Number(line);
        if (Number.isInteger(pid) && pid > 1) out.add(pid);
      }
    } catch {
      // no procs file at this level
    }
    for (const e of entries) if (e.isDirectory()) walk(path.join(dir, e.name));
  };
  let controllers: string[] = [];
  try {
    controllers = fs.readdirSync(root);
  } catch {
    return [];
  }
  walk(path.join(root, parent));
  for (const c of controllers) walk(path.join(root, c, parent));
  out.delete(process.pid);
  return [...out];
}

function allPids(): number[] {
  return fs
    .readdirSync('/proc')
    .filter((e) => /^\d+$/.test(e))
    .map(Number);
}
