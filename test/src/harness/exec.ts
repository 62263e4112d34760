/**
 * Running commands and long-lived processes for the harness: promise-based
 * command runs (never spawnSync in tests: it would freeze the test process,
 * including the forwarders it serves), daemons with log files and pid tracking,
 * namespace wrappers, and a last-resort cleanup when the test process exits.
 */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

export interface RunOptions {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  input?: string;
  timeoutMs?: number;
  /** Resolve with the result instead of throwing on a non-zero exit. */
  allowFail?: boolean;
}

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** A command that exited non-zero (or timed out); carries everything it printed. */
export class CommandError extends Error {
  constructor(
    readonly argv: readonly string[],
    readonly result: RunResult,
  ) {
    const out = (result.stderr.trim() || result.stdout.trim()).split('\n').slice(-8).join('\n');
    super(`${argv.join(' ')} exited ${result.code}${out ? `: ${out}` : ''}`);
    this.name = 'CommandError';
  }
}

const DEFAULT_TIMEOUT_MS = 120_000;

/** Runs a command to completion; throws CommandError on failure unless allowFail. */
export function run(cmd: string, args: readonly string[], opts: RunOptions = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { env: opts.env ?? process.env, cwd: opts.cwd, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, opts.timeoutMs ?? DEFAULT_TIMEOUT_MS);
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(new CommandError([cmd, ...args], { code: -1, stdout, stderr: `${stderr}${err.message}` }));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const result: RunResult = {
        code: code ?? (signal ? 128 : -1),
        stdout,
        stderr: timedOut ? `${stderr}\n(killed after ${opts.timeoutMs ?? DEFAULT_TIMEOUT_MS} ms)` : stderr,
      };
      if (result.code !== 0 && !opts.allowFail) reject(new CommandError([cmd, ...args], result));
      else resolve(result);
    });
    child.stdin.on('error', () => undefined);
    child.stdin.end(opts.input ?? '');
  });
}

/** argv prefix that runs a command in a named network namespace (`ip netns add`). */
export function netnsPath(netns: string): string {
  return `/run/netns/${netns}`;
}

/**
 * Wraps a command so it runs in a network namespace. `ip netns exec` also gives it
 * a private mount namespace with /sys remounted for that netns, so
 * /sys/class/net/* is the namespace's own view (what an agent reading MTUs
 * needs). Do not use it for dockerd: it hides the cgroup tree (ENVIRONMENT §2.1).
 */
export function inNetns(netns: string, cmd: string, args: readonly string[]): [string, string[]] {
  return ['ip', ['netns', 'exec', netns, cmd, ...args]];
}

/** Runs a command inside a network namespace. */
export function runInNetns(netns: string, cmd: string, args: readonly string[], opts?: RunOptions): Promise<RunResult> {
  const [c, a] = inNetns(netns, cmd, args);
  return run(c, a, opts);
}

// ---------------------------------------------------------------------------
// Exit cleanup: synchronous, best effort, for a test process that dies without
// running its after() hooks. Normal teardown goes through each object's stop().

type SyncCleanup = () => void;
const exitCleanups = new Set<SyncCleanup>();
let exitHooked = false;

function runExitCleanups(): void {
  for (const fn of [...exitCleanups].reverse()) {
    try {
      fn();
    } catch {
      // best effort: keep going with the rest
    }
  }
  exitCleanups.clear();
}

/** Registers a synchronous cleanup for process exit; returns its unregister function. */
export function onExitCleanup(fn: SyncCleanup): () => void {
  if (!exitHooked) {
    exitHooked = true;
    process.on('exit', runExitCleanups);
    for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
      process.once(sig, () => {
        runExitCleanups();
        process.exit(128 + (sig === 'SIGINT' ? 2 : sig === 'SIGTERM' ? 15 : 1));
      });
    }
  }
  exitCleanups.add(fn);
  return () => exitCleanups.delete(fn);
}

/** Synchronous command for exit cleanups only. */
export function runSyncQuiet(cmd: string, args: readonly string[]): void {
  spawnSync(cmd, args, { stdio: 'ignore', timeout: 20_000 });
}

// ---------------------------------------------------------------------------
// Long-lived processes.

export interface DaemonOptions {
  /** stdout and stderr go here (appended). */
  logFile: string;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /**
   * Outlive this process (the local-cluster tool's `up`): own session, not
   * waited for, not killed when this process exits. stop()/kill() still work
   * while this process runs; afterwards use stopPid().
   */
  detached?: boolean;
}

export interface Daemon {
  readonly name: string;
  readonly pid: number;
  /** Resolves with the exit code (or 128+signal) when the process ends. */
  readonly exited: Promise<number>;
  isRunning(): boolean;
  /** SIGTERM, then SIGKILL after graceMs; resolves when it is gone. */
  stop(graceMs?: number): Promise<void>;
  /** SIGKILL and wait. */
  kill(): Promise<void>;
}

/** Starts a process whose output goes to a log file, tracked for exit cleanup. */
export function startDaemon(name: string, cmd: string, args: readonly string[], opts: DaemonOptions): Daemon {
  fs.mkdirSync(path.dirname(opts.logFile), { recursive: true });
  const fd = fs.openSync(opts.logFile, 'a');
  fs.writeSync(fd, `\n==== ${new Date().toISOString()} ${cmd} ${args.join(' ')}\n`);
  const detached = opts.detached === true;
  const child = spawn(cmd, args, { env: opts.env ?? process.env, cwd: opts.cwd, stdio: ['ignore', fd, fd], detached });
  fs.closeSync(fd);
  if (child.pid === undefined) throw new Error(`cannot start ${name}: ${cmd}`);
  const pid = child.pid;
  if (detached) child.unref();
  let running = true;
  const exited = new Promise<number>((resolve) => {
    child.on('exit', (code, signal) => {
      running = false;
      unregister();
      resolve(code ?? (signal ? 128 + (signalNumber(signal) ?? 0) : -1));
    });
    child.on('error', () => {
      running = false;
      unregister();
      resolve(-1);
    });
  });
  const unregister = detached ? () => undefined : onExitCleanup(() => {
    if (running) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  });
  const signalAndWait = async (signal: NodeJS.Signals, waitMs: number): Promise<boolean> => {
    if (!running) return true;
    try {
      process.kill(pid, signal);
    } catch {
      return true;
    }
    const timeout = new Promise<false>((r) => setTimeout(() => r(false), waitMs).unref());
    return Promise.race([exited.then(() => true as const), timeout]);
  };
  return {
    name,
    pid,
    exited,
    isRunning: () => running,
    async stop(graceMs = 10_000) {
      if (await signalAndWait('SIGTERM', graceMs)) return;
      await signalAndWait('SIGKILL', 10_000);
    },
    async kill() {
      await signalAndWait('SIGKILL', 10_000);
    },
  };
}

function signalNumber(signal: NodeJS.Signals): number | undefined {
  const table: Partial<Record<NodeJS.Signals, number>> = { SIGHUP: 1, SIGINT: 2, SIGKILL: 9, SIGTERM: 15 };
  return table[signal];
}

// ---------------------------------------------------------------------------
// Port forwarding across network namespaces.

/**
 * A mapping from a listening address to one it connects to, `tcp:HOST:PORT` or
 * `unix:/path`. Unix sockets live in the file system, which all our namespaces
 * share, so a forwarder inside a host netns plus one outside join a netns-local
 * TCP port to the root namespace's loopback without any interface in the root
 * namespace (other test runs share this machine).
 */
export interface Forward {
  listen: string;
  connect: string;
}

// Plain JS run with `node -e`, so it needs no build step and no file of its own.
const FORWARDER_JS = String.raw`
const net = require('net'); const fs = require('fs');
const parse = (s) => s.startsWith('unix:') ? { path: s.slice(5) } : (([h, p]) => ({ host: h, port: Number(p) }))(s.slice(4).split(/:(?=\d+$)/));
const pairs = process.argv.slice(1);
for (let i = 0; i + 1 < pairs.length; i += 2) {
  const from = parse(pairs[i]), to = parse(pairs[i + 1]);
  if (from.path) { try { fs.unlinkSync(from.path); } catch {} }
  const srv = net.createServer((c) => {
    const u = net.connect(to);
    c.pipe(u); u.pipe(c);
    const end = () => { c.destroy(); u.destroy(); };
    c.on('error', end); u.on('error', end); c.on('close', end); u.on('close', end);
  });
  srv.on('error', (e) => { console.error('forwarder', pairs[i], e.message); process.exit(1); });
  srv.listen(from, () => console.log('forwarding', pairs[i], '->', pairs[i + 1]));
}
process.on('SIGTERM', () => process.exit(0));
`;

/** Starts one forwarder process (optionally inside a netns) serving every mapping. */
export async function startForwarder(name: string, forwards: readonly Forward[], opts: { netns?: string; logFile: string; detached?: boolean }): Promise<Daemon> {
  const argv = ['-e', FORWARDER_JS, ...forwards.flatMap((f) => [f.listen, f.connect])];
  const [cmd, args] = opts.netns ? inNetns(opts.netns, process.execPath, argv) : [process.execPath, argv];
  const d = startDaemon(name, cmd, args, { logFile: opts.logFile, ...(opts.detached === true ? { detached: true } : {}) });
  // Ready when every listener said so in the log.
  const deadline = Date.now() + 10_000;
  for (;;) {
    const text = fs.existsSync(opts.logFile) ? fs.readFileSync(opts.logFile, 'utf8') : '';
    const last = text.slice(text.lastIndexOf('===='));
    if ((last.match(/^forwarding /gm) ?? []).length >= forwards.length) return d;
    if (!d.isRunning() || Date.now() > deadline) {
      await d.kill();
      throw new Error(`forwarder ${name} did not start: ${last.trim()}`);
    }
    await sleep(20);
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** A short random suffix for names that must not clash with other runs on this machine. */
export function randomSuffix(len = 6): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
  let s = '';
  for (let i = 0; i < len; i++) s += alphabet[Math.floor(Math.random() * alphabet.length)];
  return s;
}

/** Last `lines` lines of a log file (for failure messages). */
export function tailFile(file: string, lines = 30): string {
  try {
    return fs.readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n');
  } catch {
    return `(no ${file})`;
  }
}

/** Kills every process whose command line mentions `marker` (a unique temp dir of ours). */
export function killProcessesMentioning(marker: string): void {
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      const cmdline = fs.readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      if (cmdline.includes(marker)) process.kill(Number(entry), 'SIGKILL');
    } catch {
      // gone or not ours to read
    }
  }
}
