/**
 * A private Open vSwitch for tests: ovsdb-server + ovs-vswitchd (userspace
 * `netdev` datapath; there is no kernel module here) in a temp dir, exactly as
 * ENVIRONMENT.md "Open vSwitch without a kernel module" and §1.2 describe:
 * OVS_RUNDIR/OVS_LOGDIR/OVS_DBDIR/OVS_SYSCONFDIR point at the dir every time a
 * daemon starts, each daemon gets --pidfile, --unixctl, --log-file,
 * -vconsole:off and --detach (which returns only once the daemon is ready).
 *
 * ovsdb-server runs in the caller's namespace (the test process reaches it by
 * unix socket, or TCP on 127.0.0.1); ovs-vswitchd runs inside `netns` when
 * given. Without a netns, vswitchd creates its taps (`ovs-netdev`, one per
 * bridge) in the current namespace, which other test runs on this machine
 * share: prefer `netns` or `ownNetns`.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

export interface StartOvsOptions {
  /** Run ovs-vswitchd inside this existing network namespace (`ip netns exec`). */
  netns?: string;
  /** Create a private namespace `ovs-<random>` for ovs-vswitchd, deleted by stop(). Ignored when `netns` is given. */
  ownNetns?: boolean;
  /** Also listen on `ptcp:PORT:127.0.0.1`; `true` picks a free port. */
  tcpPort?: number | true;
  /** Do not start ovs-vswitchd (ovsdb-server only). */
  noVswitchd?: boolean;
  /** Use this (new or empty) directory instead of a fresh temp dir; keep its path short (unix sockets). */
  dir?: string;
  /** Leave the daemons running when this process exits (the local-cluster tool). */
  persistent?: boolean;
  /** Where the two daemons' logs go (default: the OVS dir); stop() leaves them. */
  logDir?: string;
}

export interface Ovs {
  /** Private dir holding conf.db, sockets, pidfiles and logs. */
  readonly dir: string;
  /** `unix:<dir>/db.sock`. */
  readonly dbSocket: string;
  /** `tcp:127.0.0.1:PORT` when `tcpPort` was requested. */
  readonly tcpEndpoint: string | undefined;
  /** Namespace ovs-vswitchd runs in, if any. */
  readonly netns: string | undefined;
  /** OVS_RUNDIR/OVS_LOGDIR/OVS_DBDIR/OVS_SYSCONFDIR = dir (plus the current env). */
  readonly env: NodeJS.ProcessEnv;
  /** `ovs-vsctl --db=unix:<dir>/db.sock --timeout=20 ARGS`; resolves with trimmed stdout. */
  vsctl(...args: string[]): Promise<string>;
  /** `ovs-ofctl ARGS` with OVS_RUNDIR set, so `dump-flows BRIDGE` finds `<dir>/BRIDGE.mgmt`. */
  ofctl(...args: string[]): Promise<string>;
  /** `ovs-appctl -t <dir>/ovs-vswitchd.ctl ARGS`. */
  appctl(...args: string[]): Promise<string>;
  /** `ovs-appctl -t <dir>/ovsdb-server.ctl ARGS`. */
  dbAppctl(...args: string[]): Promise<string>;
  /** Stops ovs-vswitchd (cleaning up its datapath) and ovsdb-server; removes the dir and any own netns. */
  stop(): Promise<void>;
  /** Stops ovs-vswitchd (no datapath cleanup, like a crash/upgrade) and starts it again. */
  restartVswitchd(): Promise<void>;
  /** Stops ovsdb-server and starts it again on the same database, sockets and TCP port. */
  restartOvsdbServer(): Promise<void>;
  /** Last lines of the daemons' logs, for failure messages. */
  logs(lines?: number): string;
}

const SCHEMA = '/usr/share/openvswitch/vswitch.ovsschema';
const SEARCH_DIRS = ['/usr/sbin', '/usr/bin', '/usr/local/sbin', '/usr/local/bin', '/sbin', '/bin'];
const REQUIRED = ['ovsdb-tool', 'ovsdb-server', 'ovs-vswitchd', 'ovs-vsctl', 'ovs-ofctl', 'ovs-appctl', 'ip'] as const;
type Binary = (typeof REQUIRED)[number];

function findBinaries(): Record<Binary, string> {
  const dirs = [...(process.env.PATH ?? '').split(':').filter(Boolean), ...SEARCH_DIRS];
  const found: Partial<Record<Binary, string>> = {};
  const missing: string[] = [];
  for (const b of REQUIRED) {
    const hit = dirs.map((d) => path.join(d, b)).find((p) => {
      try {
        fs.accessSync(p, fs.constants.X_OK);
        return true;
      } catch {
        return false;
      }
    });
    if (hit === undefined) missing.push(b);
    else found[b] = hit;
  }
  if (missing.length > 0 || !fs.existsSync(SCHEMA)) {
    throw new Error(
      `Open vSwitch is not installed: missing ${[...missing, ...(fs.existsSync(SCHEMA) ? [] : [SCHEMA])].join(', ')}. ` +
        'Install it with: apt-get install -y --no-install-recommends openvswitch-switch iproute2',
    );
  }
  return found as Record<Binary, string>;
}

function exec(file: string, args: readonly string[], env: NodeJS.ProcessEnv, timeoutMs = 60_000): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(file, args, { env, timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err) {
        reject(new Error(`${path.basename(file)} ${args.join(' ')} failed: ${String(stderr).trim() || err.message}`));
        return;
      }
      resolve(String(stdout).trim());
    });
  });
}

function freeTcpPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === 'object' && addr !== null ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}

function readPid(file: string): number | undefined {
  try {
    const pid = Number(fs.readFileSync(file, 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function waitGone(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (alive(pid)) {
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 20));
  }
  return true;
}

function suffix(): string {
  return Math.random().toString(36).slice(2, 8);
}

// Daemons still running when the test process exits (a crash, a missed stop()).
const liveInstances = new Set<() => void>();
let exitHooked = false;
function trackForExit(fn: () => void): () => void {
  if (!exitHooked) {
    exitHooked = true;
    process.on('exit', () => {
      for (const f of liveInstances) f();
    });
  }
  liveInstances.add(fn);
  return () => liveInstances.delete(fn);
}

export async function startOvs(opts: StartOvsOptions = {}): Promise<Ovs> {
  const bin = findBinaries();
  // Short path: unix socket names (db.sock, <bridge>.mgmt) must stay under 108 bytes.
  let dir: string;
  if (opts.dir !== undefined) {
    dir = opts.dir;
    fs.mkdirSync(dir, { recursive: true });
  } else {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ovs-'));
  }
  const logDir = opts.logDir ?? dir;
  if (logDir !== dir) fs.mkdirSync(logDir, { recursive: true });
  const env: NodeJS.ProcessEnv = { ...process.env, OVS_RUNDIR: dir, OVS_LOGDIR: logDir, OVS_DBDIR: dir, OVS_SYSCONFDIR: dir };
  const dbSock = path.join(dir, 'db.sock');
  const dbSocket = `unix:${dbSock}`;
  const tcpPort = opts.tcpPort === true ? await freeTcpPort() : opts.tcpPort;
  const tcpEndpoint = tcpPort === undefined ? undefined : `tcp:127.0.0.1:${tcpPort}`;
  let netns = opts.netns;
  let ownNetns: string | undefined;
  const files = {
    db: path.join(dir, 'conf.db'),
    serverPid: path.join(dir, 'ovsdb-server.pid'),
    serverCtl: path.join(dir, 'ovsdb-server.ctl'),
    serverLog: path.join(logDir, 'ovsdb-server.log'),
    switchPid: path.join(dir, 'ovs-vswitchd.pid'),
    switchCtl: path.join(dir, 'ovs-vswitchd.ctl'),
    switchLog: path.join(logDir, 'ovs-vswitchd.log'),
  };

  const killAllSync = (): void => {
    for (const f of [files.switchPid, files.serverPid]) {
      const pid = readPid(f);
      if (pid !== undefined && alive(pid)) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // gone
        }
      }
    }
    if (ownNetns !== undefined) execFile(bin.ip, ['netns', 'del', ownNetns], () => undefined);
  };
  const untrack = opts.persistent === true ? () => false : trackForExit(killAllSync);

  const logs = (lines = 40): string =>
    [files.serverLog, files.switchLog]
      .map((f) => {
        try {
          return `--- ${path.basename(f)}\n${fs.readFileSync(f, 'utf8').split('\n').slice(-lines).join('\n')}`;
        } catch {
          return `--- ${path.basename(f)}: (none)`;
        }
      })
      .join('\n');

  const startServer = async (): Promise<void> => {
    const remotes = [`--remote=punix:${dbSock}`, '--remote=db:Open_vSwitch,Open_vSwitch,manager_options'];
    if (tcpPort !== undefined) remotes.push(`--remote=ptcp:${tcpPort}:127.0.0.1`);
    await exec(
      bin['ovsdb-server'],
      [files.db, ...remotes, `--pidfile=${files.serverPid}`, `--unixctl=${files.serverCtl}`, `--log-file=${files.serverLog}`, '-vconsole:off', '--detach'],
      env,
    );
  };

  const startSwitch = async (): Promise<void> => {
    const args = [dbSocket, `--pidfile=${files.switchPid}`, `--unixctl=${files.switchCtl}`, `--log-file=${files.switchLog}`, '-vconsole:off', '--detach'];
    if (netns !== undefined) await exec(bin.ip, ['netns', 'exec', netns, bin['ovs-vswitchd'], ...args], env);
    else await exec(bin['ovs-vswitchd'], args, env);
  };

  const stopDaemon = async (pidFile: string, ctl: string, exitArgs: string[]): Promise<void> => {
    const pid = readPid(pidFile);
    if (pid === undefined || !alive(pid)) return;
    await exec(bin['ovs-appctl'], ['-t', ctl, ...exitArgs], env, 15_000).catch(() => undefined);
    if (await waitGone(pid, 10_000)) return;
    process.kill(pid, 'SIGKILL');
    await waitGone(pid, 5_000);
  };

  try {
    if (netns === undefined && opts.ownNetns === true) {
      ownNetns = `ovs-${suffix()}`;
      await exec(bin.ip, ['netns', 'add', ownNetns], env);
      netns = ownNetns;
      await exec(bin.ip, ['-n', ownNetns, 'link', 'set', 'lo', 'up'], env);
    }
    await exec(bin['ovsdb-tool'], ['create', files.db, SCHEMA], env);
    await startServer();
    await exec(bin['ovs-vsctl'], [`--db=${dbSocket}`, '--no-wait', 'init'], env);
    // What ovs-ctl does at start-up: record versions (ovs-vswitchd itself does not).
    const version = /(\d+\.\d+\.\d+\S*)/.exec(await exec(bin['ovs-vswitchd'], ['--version'], env))?.[1];
    const dbVersion = await exec(bin['ovsdb-tool'], ['schema-version', SCHEMA], env);
    await exec(bin['ovs-vsctl'], [`--db=${dbSocket}`, '--no-wait', 'set', 'Open_vSwitch', '.', `ovs_version="${version ?? 'unknown'}"`, `db_version="${dbVersion}"`], env);
    if (opts.noVswitchd !== true) await startSwitch();
  } catch (err) {
    const text = logs();
    killAllSync();
    untrack();
    fs.rmSync(dir, { recursive: true, force: true });
    throw new Error(`Cannot start Open vSwitch in ${dir}: ${(err as Error).message}\n${text}`);
  }

  const ovs: Ovs = {
    dir,
    dbSocket,
    tcpEndpoint,
    netns,
    env,
    vsctl: (...args) => exec(bin['ovs-vsctl'], [`--db=${dbSocket}`, '--timeout=20', ...args], env),
    ofctl: (...args) => exec(bin['ovs-ofctl'], args, env),
    appctl: (...args) => exec(bin['ovs-appctl'], ['-t', files.switchCtl, ...args], env),
    dbAppctl: (...args) => exec(bin['ovs-appctl'], ['-t', files.serverCtl, ...args], env),
    logs,
    async stop() {
      // --cleanup removes the datapath and its taps (they live in the namespace).
      await stopDaemon(files.switchPid, files.switchCtl, ['exit', '--cleanup']);
      await stopDaemon(files.serverPid, files.serverCtl, ['exit']);
      if (ownNetns !== undefined) await exec(bin.ip, ['netns', 'del', ownNetns], env).catch(() => undefined);
      untrack();
      fs.rmSync(dir, { recursive: true, force: true });
    },
    async restartVswitchd() {
      await stopDaemon(files.switchPid, files.switchCtl, ['exit']);
      await startSwitch();
    },
    async restartOvsdbServer() {
      await stopDaemon(files.serverPid, files.serverCtl, ['exit']);
      await startServer();
    },
  };
  return ovs;
}
