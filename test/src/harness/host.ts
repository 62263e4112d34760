/**
 * One simulated host: a network namespace holding its own OVS, its own dockerd
 * (with this host's plugins directory as /run/docker/plugins) and our services
 * (netplugin, driver shim, and on the master host netmaster), each started inside
 * the namespace the way a real host would run them.
 *
 * A host reaches the cluster store through a forwarder that listens on the
 * namespace's own loopback at the store's port number (so the store's advertised
 * client URL means the same thing inside and outside), see stack.ts.
 */
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { importBusybox, REPO_ROOT } from './busybox-image';
import type { Dockerd } from './dockerd';
import { startDockerd } from './dockerd';
import type { Daemon, Forward, RunResult } from './exec';
import { onExitCleanup, run, runInNetns, runSyncQuiet, sleep, startDaemon, startForwarder, inNetns, tailFile } from './exec';
import type { Ovs } from './ovs';
import { startOvs } from './ovs';

export type ServiceName = 'netmaster' | 'netplugin' | 'driver-shim';

/** Port netmaster listens on inside a host namespace (its default, `:9999`). */
export const NETMASTER_PORT = 9999;
/** Where each host's netplugin serves `GET /metrics`, on the host namespace's loopback (docs/metrics.md). */
export const AGENT_METRICS_PORT = 9091;
/** Legacy plugin name; Docker finds `/run/docker/plugins/netplugin.sock`. */
export const DRIVER_NAME = 'netplugin';
/** OVS bridge our agent manages. */
export const BRIDGE = 'contivbr';

export interface HostOptions {
  /** Namespace and host name (unique on this machine). */
  name: string;
  /** Private directory for everything this host writes. */
  dir: string;
  /** Underlay address in CIDR form on eth0 (set up by the caller), e.g. 192.168.250.11/24. */
  address?: string;
  /** Store URL as seen from inside the namespace, e.g. etcd://127.0.0.1:PORT. */
  clusterStore: string;
  /** Give dockerd `--cluster-store` (etcd must run with --enable-v2). */
  dockerClusterStore?: boolean;
  /** Forwarders to run inside the namespace (store, netmaster). */
  forwards: readonly Forward[];
  /** Debug logs for our services (default true: tests and benchmarks read them). */
  debug?: boolean;
  /** Uplink interfaces for the agent (`--iflist`), e.g. ['eth1']. */
  iflist?: readonly string[];
  /** Extra environment for netplugin (settings it reads by their env names, e.g. vxlan_port). */
  agentEnv?: Readonly<Record<string, string>>;
  /** Where service, dockerd and forwarder logs go (default <dir>/logs). */
  logDir?: string;
  /** OVS directory (default a fresh temp dir). */
  ovsDir?: string;
  /**
   * Everything keeps running when this process exits (the local-cluster tool):
   * no exit hooks, daemons in their own sessions. stop() still works from the
   * process that created the host.
   */
  detached?: boolean;
}

export interface ServiceEnv {
  /** host:port of netmaster's control service as seen from this host. */
  controlUrl: string;
}

export class Host {
  readonly name: string;
  readonly netns: string;
  readonly dir: string;
  readonly logDir: string;
  /** Underlay IP (no prefix length), or undefined for a host without an underlay. */
  readonly ip: string | undefined;
  readonly agentSocket: string;
  readonly pluginSocket: string;
  readonly services = new Map<ServiceName, Daemon>();
  private serviceArgs = new Map<ServiceName, string[]>();
  /** netmaster as this host's netctl reaches it (set when the agent starts). */
  private netmasterUrl: string | undefined;
  /** netmaster here was started to follow another host's (readiness: it answers as a follower). */
  private netmasterFollower = false;
  private forwarder: Daemon | undefined;
  private unregisterExit: () => void;

  private constructor(
    private readonly opts: HostOptions,
    readonly ovs: Ovs,
    readonly dockerd: Dockerd,
  ) {
    this.name = opts.name;
    this.netns = opts.name;
    this.dir = opts.dir;
    this.logDir = opts.logDir ?? path.join(opts.dir, 'logs');
    this.ip = opts.address?.split('/')[0];
    this.agentSocket = path.join(opts.dir, 'run', 'netplugin.sock');
    this.pluginSocket = path.join(dockerd.pluginsDir, `${DRIVER_NAME}.sock`);
    this.unregisterExit = () => undefined;
  }

  /**
   * Creates the namespace and starts OVS, then calls `attach` (the caller wires
   * the underlay and may start what dockerd needs, such as the store), then
   * starts the forwarder and dockerd and imports the busybox image.
   */
  static async create(opts: HostOptions, attach?: (netns: string, ovs: Ovs) => Promise<void>): Promise<Host> {
    const logDir = opts.logDir ?? path.join(opts.dir, 'logs');
    const detached = opts.detached === true;
    fs.mkdirSync(logDir, { recursive: true });
    fs.mkdirSync(path.join(opts.dir, 'run'), { recursive: true });
    await run('ip', ['netns', 'add', opts.name]);
    const unregisterNetns = detached ? () => undefined : onExitCleanup(() => runSyncQuiet('ip', ['netns', 'del', opts.name]));
    let ovs: Ovs | undefined;
    let dockerd: Dockerd | undefined;
    let forwarder: Daemon | undefined;
    try {
      await run('ip', ['-n', opts.name, 'link', 'set', 'lo', 'up']);
      ovs = await startOvs({
        netns: opts.name,
        ...(opts.ovsDir !== undefined ? { dir: opts.ovsDir } : {}),
        ...(opts.logDir !== undefined ? { logDir } : {}),
        ...(detached ? { persistent: true } : {}),
      });
      if (attach) await attach(opts.name, ovs);
      forwarder =
        opts.forwards.length > 0
          ? await startForwarder(`fwd-${opts.name}`, opts.forwards, { netns: opts.name, logFile: path.join(logDir, 'forwarder.log'), detached })
          : undefined;
      const ip = opts.address?.split('/')[0];
      dockerd = await startDockerd({
        netns: opts.name,
        hostName: opts.name,
        dir: path.join(opts.dir, 'docker'),
        ovsDir: ovs.dir,
        ...(opts.logDir !== undefined ? { logFile: path.join(logDir, 'dockerd.log') } : {}),
        ...(detached ? { detached: true } : {}),
        ...(opts.dockerClusterStore ? { clusterStore: opts.clusterStore, clusterAdvertise: `${ip ?? '127.0.0.1'}:2376` } : {}),
      });
      await importBusybox(dockerd);
      const host = new Host(opts, ovs, dockerd);
      host.forwarder = forwarder;
      host.unregisterExit = unregisterNetns;
      return host;
    } catch (err) {
      await dockerd?.stop().catch(() => undefined);
      await ovs?.stop().catch(() => undefined);
      await forwarder?.stop().catch(() => undefined);
      await run('ip', ['netns', 'del', opts.name], { allowFail: true });
      unregisterNetns();
      throw err;
    }
  }

  // -- commands --------------------------------------------------------------

  /** `docker ...` against this host's engine; throws CommandError on failure. */
  docker(...args: string[]): Promise<RunResult> {
    return this.dockerd.docker(args);
  }

  /** `docker ...` that resolves with the exit code instead of throwing. */
  tryDocker(...args: string[]): Promise<RunResult> {
    return this.dockerd.docker(args, { allowFail: true });
  }

  /** netctl run on this host with NETMASTER pointing at the cluster's netmaster. */
  netctl(...args: string[]): Promise<RunResult> {
    return this.runNetctl(args, false);
  }

  tryNetctl(...args: string[]): Promise<RunResult> {
    return this.runNetctl(args, true);
  }

  private runNetctl(args: string[], allowFail: boolean): Promise<RunResult> {
    const env = { ...process.env, NETMASTER: this.netmasterUrl ?? `http://127.0.0.1:${NETMASTER_PORT}` };
    return runInNetns(this.netns, process.execPath, [serviceMain('netctl'), ...args], { env, allowFail, timeoutMs: 60_000 });
  }

  /** Any command inside the host namespace. */
  exec(cmd: string, ...args: string[]): Promise<RunResult> {
    return runInNetns(this.netns, cmd, args);
  }

  tryExec(cmd: string, ...args: string[]): Promise<RunResult> {
    return runInNetns(this.netns, cmd, args, { allowFail: true });
  }

  /** OVS port names on our bridge (none while the agent has not created it). */
  async ovsPorts(): Promise<string[]> {
    const exists = await run('ovs-vsctl', [`--db=${this.ovsDb()}`, 'br-exists', BRIDGE], { allowFail: true });
    if (exists.code === 2) return [];
    const r = await run('ovs-vsctl', [`--db=${this.ovsDb()}`, 'list-ports', BRIDGE]);
    return r.stdout.split('\n').map((s) => s.trim()).filter(Boolean);
  }

  /** `ovs-vsctl --db=<this host's OVS>` with the given arguments. */
  vsctl(...args: string[]): Promise<RunResult> {
    return run('ovs-vsctl', [`--db=${this.ovsDb()}`, ...args]);
  }

  ovsDb(): string {
    const sock = this.ovs.dbSocket;
    return sock.startsWith('unix:') || sock.startsWith('tcp:') ? sock : `unix:${sock}`;
  }

  // -- services --------------------------------------------------------------

  /**
   * Starts netmaster in this namespace (listen `:9999`); ready once it leads,
   * or with `follower`, once it follows a leader (another host's netmaster).
   */
  async startNetmaster(opts: { follower?: boolean } = {}): Promise<void> {
    this.netmasterFollower = opts.follower === true;
    const args = [
      '--cluster-store', this.opts.clusterStore,
      '--listen-url', `:${NETMASTER_PORT}`,
      // what agents and other netmasters dial
      ...(this.ip ? ['--control-url', `${this.ip}:${NETMASTER_PORT}`] : []),
      '--plugin-mode', 'docker',
      '--log-dir', this.logDir,
      ...(this.opts.debug === false ? [] : ['--debug']),
    ];
    await this.startService('netmaster', args);
  }

  /** Starts netplugin and the driver shim; controlUrl is netmaster's host:port. */
  async startAgent(env: ServiceEnv): Promise<void> {
    // control_url without a host (`:9999`, agents following the leader): netctl uses this host's.
    this.netmasterUrl = `http://${env.controlUrl.startsWith(':') ? `127.0.0.1${env.controlUrl}` : env.controlUrl}`;
    const debug = this.opts.debug === false ? [] : ['--debug'];
    await this.startService('netplugin', [
      '--cluster-store', this.opts.clusterStore,
      '--control-url', env.controlUrl,
      ...(this.ip ? ['--ctrl-ip', this.ip, '--vtep-ip', this.ip] : []),
      ...(this.opts.iflist && this.opts.iflist.length > 0 ? ['--iflist', this.opts.iflist.join(',')] : []),
      '--plugin-mode', 'docker',
      '--host-name', this.name,
      '--docker-host', this.dockerd.host,
      '--ovsdb', this.ovsDb(),
      '--bridge', BRIDGE,
      '--datapath', 'netdev',
      '--agent-socket', this.agentSocket,
      '--state-dir', path.join(this.dir, 'netplugin-state'),
      '--log-dir', this.logDir,
      '--metrics-listen', `127.0.0.1:${AGENT_METRICS_PORT}`,
      ...debug,
    ]);
    await this.startService('driver-shim', ['--socket', this.pluginSocket, '--agent-socket', this.agentSocket, '--log-dir', this.logDir, ...debug]);
  }

  private async startService(name: ServiceName, args: string[]): Promise<void> {
    const main = serviceMain(name);
    if (!fs.existsSync(main)) throw new Error(`${name} is not built: ${main} is missing (run make build)`);
    this.serviceArgs.set(name, args);
    const [cmd, argv] = inNetns(this.netns, process.execPath, [main, ...args]);
    const env = name === 'netplugin' && this.opts.agentEnv ? { ...process.env, ...this.opts.agentEnv } : undefined;
    const d = startDaemon(`${name}-${this.name}`, cmd, argv, {
      logFile: this.consoleLog(name),
      ...(env ? { env } : {}),
      ...(this.opts.detached === true ? { detached: true } : {}),
    });
    this.services.set(name, d);
    await this.waitServiceReady(name, d);
  }

  /** Where a service's stdout/stderr goes (its own log file is <logDir>/<name>.log). */
  consoleLog(name: ServiceName): string {
    return path.join(this.logDir, `${name}.console.log`);
  }

  private async waitServiceReady(name: ServiceName, d: Daemon): Promise<void> {
    const deadline = Date.now() + 30_000;
    for (;;) {
      if (await this.serviceAnswers(name)) return;
      if (!d.isRunning() || Date.now() > deadline) {
        throw new Error(`${name} on ${this.name} did not become ready (${d.isRunning() ? 'timeout' : 'exited'}):\n${tailFile(this.consoleLog(name))}`);
      }
      await sleep(100);
    }
  }

  private async serviceAnswers(name: ServiceName): Promise<boolean> {
    switch (name) {
      case 'netmaster': {
        // Ready for writes: it holds the leader lock (GET /info, as Contiv's netmaster has it),
        // or forwards them to the netmaster that does.
        const r = await runInNetns(this.netns, 'curl', ['-fsS', '-m', '2', `http://127.0.0.1:${NETMASTER_PORT}/info`], { allowFail: true });
        if (r.code !== 0) return false;
        if (/"current-state"\s*:\s*"leader"/.test(r.stdout)) return true;
        return this.netmasterFollower && /"current-state"\s*:\s*"follower"/.test(r.stdout) && !/"leader-ip"\s*:\s*""/.test(r.stdout);
      }
      case 'netplugin':
        return fs.existsSync(this.agentSocket);
      case 'driver-shim':
        return (await pluginCall(this.pluginSocket, '/Plugin.Activate', '').catch(() => undefined))?.status === 200;
    }
  }

  async stopService(name: ServiceName): Promise<void> {
    await this.services.get(name)?.stop(15_000);
    this.services.delete(name);
  }

  /** Stops and starts a service with the same arguments, waiting until it answers again. */
  async restartService(name: ServiceName): Promise<void> {
    const args = this.serviceArgs.get(name);
    if (!args) throw new Error(`${name} was never started on ${this.name}`);
    await this.stopService(name);
    await this.startService(name, args);
  }

  /** Tail of a service's log file and of its console output (crashes before its logger exists), for failure messages. */
  logTail(name: ServiceName, lines = 40): string {
    const file = path.join(this.logDir, `${name}.log`);
    return `--- ${file}\n${tailFile(file, lines)}\n--- ${this.consoleLog(name)}\n${tailFile(this.consoleLog(name), 5)}`;
  }

  // -- teardown --------------------------------------------------------------

  /** Removes containers first, then stops services, dockerd, OVS and deletes the namespace. */
  async stop(): Promise<void> {
    const step = async (what: string, fn: () => Promise<unknown>): Promise<void> => {
      try {
        await fn();
      } catch (err) {
        console.error(`[harness] ${this.name}: ${what} failed: ${err instanceof Error ? err.message : String(err)}`);
      }
    };
    // While the plugin still answers, so Docker releases endpoints the normal way.
    await step('remove containers', () => this.dockerd.removeAllContainers());
    for (const s of ['driver-shim', 'netplugin', 'netmaster'] as const) await step(`stop ${s}`, () => this.stopService(s));
    await step('stop dockerd', () => this.dockerd.stop());
    await step('stop OVS', () => this.ovs.stop());
    await step('stop forwarder', async () => this.forwarder?.stop());
    await step('delete netns', () => run('ip', ['netns', 'del', this.netns], { allowFail: true }));
    this.unregisterExit();
  }
}

export function serviceMain(name: ServiceName | 'netctl'): string {
  return path.join(REPO_ROOT, 'services', name, 'lib', 'main.js');
}

export interface PluginReply {
  status: number;
  body: string;
}

/** One raw Docker plugin call (HTTP POST over the unix socket), as dockerd makes it. */
export function pluginCall(socketPath: string, urlPath: string, body: string): Promise<PluginReply> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { socketPath, path: urlPath, method: 'POST', headers: { Accept: 'application/vnd.docker.plugins.v1.2+json', 'Content-Length': Buffer.byteLength(body) } },
      (res) => {
        let data = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (data += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: data }));
      },
    );
    req.setTimeout(10_000, () => req.destroy(new Error(`plugin call ${urlPath} timed out`)));
    req.on('error', reject);
    req.end(body);
  });
}
