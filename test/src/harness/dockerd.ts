/**
 * One dockerd per host network namespace, started the way ENVIRONMENT.md §2.1
 * found to work: `nsenter --net` (not `ip netns exec`, which hides the cgroup
 * tree) plus `unshare --mount --uts` with a private /run, so the hard-coded
 * legacy plugin directory /run/docker/plugins is this host's own directory and
 * /run/openvswitch is this host's OVS. A managed plugin (the Contiv v2plugin)
 * lives in that mount namespace too: it finds the engine on the default
 * /var/run/docker.sock (the engine also listens there, inside the private /run)
 * and logs to a /var/log/contiv of this engine's own.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Daemon, RunOptions, RunResult } from './exec';
import { killProcessesMentioning, netnsPath, run, sleep, startDaemon, tailFile } from './exec';

/** The docker CLI; a newer client negotiates the API down to the 20.10 engine. */
export const DOCKER_BIN = process.env['CONTIV_TEST_DOCKER'] ?? 'docker';
const DOCKERD_BIN = process.env['CONTIV_TEST_DOCKERD'] ?? 'dockerd';

export interface DockerdOptions {
  /** Network namespace the engine runs in. */
  netns: string;
  /** Host name inside the engine's UTS namespace (also the cgroup parent). */
  hostName: string;
  /** Private directory for data, exec root, socket, plugins dir and log. */
  dir: string;
  /** This host's OVS run directory, bound to /run/openvswitch for the engine. */
  ovsDir?: string;
  /** `--cluster-store` URL as seen from inside the netns (etcd needs --enable-v2). */
  clusterStore?: string;
  /** `--cluster-advertise` address:port. */
  clusterAdvertise?: string;
  extraArgs?: readonly string[];
  /** How long to wait for the API. */
  readyTimeoutMs?: number;
  /** Where the engine's output goes (default <dir>/dockerd.log). */
  logFile?: string;
  /** Keep running after this process exits (the local-cluster tool). */
  detached?: boolean;
}

export interface Dockerd {
  readonly socket: string;
  /** `unix://...` for `docker -H` and DOCKER_HOST. */
  readonly host: string;
  /** Directory the engine sees as /run/docker/plugins: legacy plugin sockets go here. */
  readonly pluginsDir: string;
  /** Directory the engine's mount namespace sees as /var/log/contiv (managed plugins mounting /var/log write here). */
  readonly contivLogDir: string;
  readonly logFile: string;
  readonly cgroupParent: string;
  pid(): number;
  /** Runs the docker CLI against this engine; throws on a non-zero exit unless allowFail. */
  docker(args: readonly string[], opts?: RunOptions): Promise<RunResult>;
  /** Removes every container (a PID 1 ignoring SIGTERM makes dockerd's stop take 10 s each). */
  removeAllContainers(): Promise<void>;
  stop(): Promise<void>;
}

export async function startDockerd(opts: DockerdOptions): Promise<Dockerd> {
  const d = opts.dir;
  const dirs = {
    data: path.join(d, 'data'),
    exec: path.join(d, 'exec'),
    plugins: path.join(d, 'plugins'),
    etc: path.join(d, 'etc'),
    cg: path.join(d, 'cg'),
    ovsEtc: path.join(d, 'ovs-etc'),
    contivLog: path.join(d, 'var-log-contiv'),
  };
  // The last three are mount points on the real root.
  for (const p of [...Object.values(dirs), '/etc/docker', '/etc/openvswitch', '/var/log/contiv']) fs.mkdirSync(p, { recursive: true });
  const config = path.join(d, 'daemon.json');
  if (!fs.existsSync(config)) fs.writeFileSync(config, '{}\n');
  const socket = path.join(d, 'docker.sock');
  const host = `unix://${socket}`;
  const logFile = opts.logFile ?? path.join(d, 'dockerd.log');
  const cgroupParent = opts.hostName;

  const dockerdArgs = [
    '--config-file', config,
    '--data-root', dirs.data,
    '--exec-root', dirs.exec,
    '--pidfile', path.join(d, 'docker.pid'),
    '-H', host,
    // The default socket path, for managed plugins; /run is this engine's own tmpfs.
    '-H', 'unix:///run/docker.sock',
    '--cgroup-parent', `/${cgroupParent}`,
    ...(opts.clusterStore ? [`--cluster-store=${opts.clusterStore}`] : []),
    ...(opts.clusterAdvertise ? [`--cluster-advertise=${opts.clusterAdvertise}`] : []),
    ...(opts.extraArgs ?? []),
  ];
  const q = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;
  const setup = [
    'set -e',
    `hostname ${q(opts.hostName)}`,
    // Re-mount /sys for this netns and put the cgroup tree back on top of it.
    `mount --rbind /sys/fs/cgroup ${q(dirs.cg)}`,
    'umount -l /sys',
    'mount -t sysfs sysfs /sys',
    `mount --move ${q(dirs.cg)} /sys/fs/cgroup`,
    'mount -t tmpfs -o mode=755 contivrun /run',
    'mkdir -p /run/docker/plugins /run/openvswitch',
    `mount --bind ${q(dirs.plugins)} /run/docker/plugins`,
    ...(opts.ovsDir ? [`mount --bind ${q(opts.ovsDir)} /run/openvswitch`] : []),
    `mount --bind ${q(dirs.ovsEtc)} /etc/openvswitch`,
    `mount --bind ${q(dirs.etc)} /etc/docker`,
    `mount --bind ${q(dirs.contivLog)} /var/log/contiv`,
    `exec ${DOCKERD_BIN} ${dockerdArgs.map(q).join(' ')}`,
  ].join('\n');

  const daemon: Daemon = startDaemon(
    `dockerd-${opts.hostName}`,
    'nsenter',
    [`--net=${netnsPath(opts.netns)}`, 'unshare', '--mount', '--uts', '--propagation', 'slave', 'sh', '-c', setup],
    { logFile, ...(opts.detached === true ? { detached: true } : {}) },
  );

  const docker = (args: readonly string[], runOpts: RunOptions = {}): Promise<RunResult> =>
    run(DOCKER_BIN, ['-H', host, ...args], { timeoutMs: 120_000, ...runOpts });

  const waitReady = async (): Promise<void> => {
    const deadline = Date.now() + (opts.readyTimeoutMs ?? 60_000);
    for (;;) {
      const r = await docker(['version', '--format', '{{.Server.Version}}'], { allowFail: true, timeoutMs: 10_000 });
      if (r.code === 0) return;
      if (!daemon.isRunning() || Date.now() > deadline) {
        throw new Error(`dockerd in ${opts.netns} did not come up (${daemon.isRunning() ? 'timeout' : 'exited'}):\n${tailFile(logFile)}`);
      }
      await sleep(100);
    }
  };
  try {
    await waitReady();
  } catch (err) {
    await daemon.kill();
    cleanupLeftovers();
    throw err;
  }

  function cleanupLeftovers(): void {
    // containerd and shims started by this engine mention our private dir.
    killProcessesMentioning(d);
    removeCgroupParent(cgroupParent);
  }

  const removeAllContainers = async (): Promise<void> => {
    const ids = (await docker(['ps', '-aq'], { allowFail: true })).stdout.split(/\s+/).filter(Boolean);
    if (ids.length > 0) await docker(['rm', '-f', ...ids], { allowFail: true, timeoutMs: 120_000 });
  };

  return {
    socket,
    host,
    pluginsDir: dirs.plugins,
    contivLogDir: dirs.contivLog,
    logFile,
    cgroupParent,
    pid: () => daemon.pid,
    docker,
    removeAllContainers,
    async stop() {
      if (daemon.isRunning()) {
        await removeAllContainers().catch(() => undefined);
        await daemon.stop(20_000);
      }
      cleanupLeftovers();
    },
  };
}

/** Removes /sys/fs/cgroup/<controller>/<parent> (and empty children) on every hierarchy. */
export function removeCgroupParent(parent: string): void {
  const root = '/sys/fs/cgroup';
  let controllers: string[] = [];
  try {
    controllers = fs.readdirSync(root);
  } catch {
    return;
  }
  const candidates = [path.join(root, parent), ...controllers.map((c) => path.join(root, c, parent))];
  for (const dir of candidates) rmdirTree(dir);
}

function rmdirTree(dir: string): void {
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch {
    return;
  }
  for (const e of entries) if (e.isDirectory()) rmdirTree(path.join(dir, e.name));
  try {
    fs.rmdirSync(dir);
  } catch {
    // still in use or not ours to remove
  }
}
