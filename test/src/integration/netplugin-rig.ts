/**
 * The agent side of one host for integration tests, without dockerd: real etcd,
 * real OVS (ovs-vswitchd in a private netns), a real netmaster, netplugin in
 * that netns (its veths must live beside ovs-vswitchd) and the driver shim,
 * all from the built binaries. The netns reaches etcd and netmaster through
 * forwarders (unix sockets in the shared file system), so nothing is added to
 * the root namespace's interfaces.
 */
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { createStore, type Store } from '@contiv/store';
import { startEtcd, type EtcdServer } from '../harness/etcd';
import { eventually } from '../harness/eventually';
import { onExitCleanup, randomSuffix, run, runInNetns, runSyncQuiet, startDaemon, startForwarder, tailFile, type Daemon } from '../harness/exec';
import { startOvs, type Ovs } from '../harness/ovs';
import { freePort } from '../harness/ports';

const REPO_ROOT = path.resolve(__dirname, '../../..');
export const BRIDGE = 'contivbr';

export function serviceMain(name: 'netmaster' | 'netplugin' | 'driver-shim'): string {
  const main = path.join(REPO_ROOT, 'services', name, 'lib', 'main.js');
  if (!fs.existsSync(main)) throw new Error(`${name} is not built: ${main} is missing (run make build)`);
  return main;
}

export interface PluginReply {
  readonly status: number;
  readonly json: Record<string, unknown>;
  readonly raw: string;
}

/** One Docker plugin call exactly as dockerd makes it: POST, no Content-Type, raw JSON body. */
export function pluginCall(socketPath: string, urlPath: string, body: unknown): Promise<PluginReply> {
  const text = body === undefined ? '' : typeof body === 'string' ? body : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = http.request(
      { socketPath, path: urlPath, method: 'POST', headers: { Accept: 'application/vnd.docker.plugins.v1.2+json', 'Content-Length': Buffer.byteLength(text) } },
      (res) => {
        let raw = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (raw += d));
        res.on('end', () => {
          let json: Record<string, unknown> = {};
          try {
            json = JSON.parse(raw) as Record<string, unknown>;
          } catch {
            // assertions look at raw
          }
          resolve({ status: res.statusCode ?? 0, json, raw });
        });
      },
    );
    req.setTimeout(40_000, () => req.destroy(new Error(`plugin call ${urlPath} timed out`)));
    req.on('error', reject);
    req.end(text);
  });
}

export interface AgentRig {
  readonly dir: string;
  readonly netns: string;
  readonly hostName: string;
  readonly etcd: EtcdServer;
  readonly ovs: Ovs;
  readonly store: Store;
  readonly restUrl: string;
  readonly pluginSocket: string;
  readonly agentSocket: string;
  readonly logDir: string;
  /** A plugin call on the shim's socket. */
  call(method: string, body?: unknown): Promise<PluginReply>;
  /** A plugin call that must succeed (HTTP 200, no Err); returns the reply JSON. */
  ok(method: string, body?: unknown): Promise<Record<string, unknown>>;
  netctlPost(pathname: string, body: unknown): Promise<void>;
  startNetplugin(): Promise<void>;
  stopNetplugin(): Promise<void>;
  /** SIGKILL (a crash): nothing of its shutdown runs; its stale socket is removed so a start waits for the new one. */
  killNetplugin(): Promise<void>;
  startShim(): Promise<void>;
  stopShim(): Promise<void>;
  inNetns(cmd: string, ...args: string[]): Promise<string>;
  logs(): string;
  stop(): Promise<void>;
}

export interface AgentRigOptions {
  /** Start netmaster (default true). */
  readonly netmaster?: boolean;
  /** The Docker engine netplugin talks to (default: a socket nothing serves, "not reachable yet"). */
  readonly dockerHost?: string;
  /** More netplugin flags. */
  readonly netpluginArgs?: readonly string[];
}

export async function startAgentRig(opts: AgentRigOptions = {}): Promise<AgentRig> {
  const name = `npi${randomSuffix(5)}`;
  // Short path: unix socket paths must stay under 108 bytes.
  const dir = fs.mkdtempSync(path.join('/tmp', `${name}-`));
  const logDir = path.join(dir, 'logs');
  fs.mkdirSync(logDir, { recursive: true });
  const pluginSocket = path.join(dir, 'plugins', 'netplugin.sock');
  const agentSocket = path.join(dir, 'run', 'netplugin.sock');
  const daemons = new Map<string, Daemon>();
  const cleanups: Array<() => Promise<unknown>> = [];
  const unregisterExit = onExitCleanup(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const stop = async (): Promise<void> => {
    for (const d of [...daemons.values()].reverse()) await d.stop(10_000).catch(() => undefined);
    for (const c of cleanups.reverse()) await c().catch(() => undefined);
    fs.rmSync(dir, { recursive: true, force: true });
    unregisterExit();
  };

  try {
    const etcd = await startEtcd();
    cleanups.push(() => etcd.stop());
    await run('ip', ['netns', 'add', name]);
    const unregisterNetns = onExitCleanup(() => runSyncQuiet('ip', ['netns', 'del', name]));
    cleanups.push(async () => {
      await run('ip', ['netns', 'del', name], { allowFail: true });
      unregisterNetns();
    });
    await run('ip', ['-n', name, 'link', 'set', 'lo', 'up']);
    const ovs = await startOvs({ netns: name });
    cleanups.push(() => ovs.stop());

    const nmPort = await freePort();
    const restUrl = `http://127.0.0.1:${nmPort}`;
    if (opts.netmaster !== false) {
      const nm = startDaemon(
        `netmaster-${name}`,
        process.execPath,
        [serviceMain('netmaster'), '--cluster-store', etcd.url, '--listen-url', `127.0.0.1:${nmPort}`, '--plugin-mode', 'docker', '--log-dir', logDir, '--debug'],
        { logFile: path.join(logDir, 'netmaster.console.log') },
      );
      daemons.set('netmaster', nm);
      await eventually(async () => (await fetch(`${restUrl}/version`)).ok, { timeoutMs: 30_000, what: 'netmaster to answer /version' });
    }
    const etcdSock = path.join(dir, 'etcd.sock');
    const nmSock = path.join(dir, 'nm.sock');
    daemons.set(
      'fwd-root',
      await startForwarder(
        `fwd-${name}`,
        [
          { listen: `unix:${etcdSock}`, connect: `tcp:127.0.0.1:${etcd.port}` },
          { listen: `unix:${nmSock}`, connect: `tcp:127.0.0.1:${nmPort}` },
        ],
        { logFile: path.join(logDir, 'fwd-root.log') },
      ),
    );
    daemons.set(
      'fwd-netns',
      await startForwarder(
        `fwdns-${name}`,
        [
          { listen: `tcp:127.0.0.1:${etcd.port}`, connect: `unix:${etcdSock}` },
          { listen: `tcp:127.0.0.1:${nmPort}`, connect: `unix:${nmSock}` },
        ],
        { netns: name, logFile: path.join(logDir, 'fwd-netns.log') },
      ),
    );
    const store = createStore(etcd.url);
    cleanups.push(() => store.close());

    const npArgs = [
      serviceMain('netplugin'),
      '--cluster-store', `etcd://127.0.0.1:${etcd.port}`,
      '--control-url', `127.0.0.1:${nmPort}`,
      '--plugin-mode', 'docker',
      '--host-name', name,
      '--ctrl-ip', '192.0.2.10',
      // No dockerd in these tests: the engine is "not reachable yet" throughout.
      '--docker-host', opts.dockerHost ?? `unix://${path.join(dir, 'no-docker.sock')}`,
      '--ovsdb', ovs.dbSocket,
      '--bridge', BRIDGE,
      '--datapath', 'netdev',
      '--agent-socket', agentSocket,
      '--state-dir', path.join(dir, 'state'),
      '--log-dir', logDir,
      '--debug',
      ...(opts.netpluginArgs ?? []),
    ];
    const rig: AgentRig = {
      dir,
      netns: name,
      hostName: name,
      etcd,
      ovs,
      store,
      restUrl,
      pluginSocket,
      agentSocket,
      logDir,
      call: (method, body) => pluginCall(pluginSocket, method, body),
      async ok(method, body) {
        const r = await pluginCall(pluginSocket, method, body);
        if (r.status !== 200 || r.json.Err) throw new Error(`${method} failed: HTTP ${r.status} ${r.raw}\n${rig.logs()}`);
        return r.json;
      },
      async netctlPost(pathname, body) {
        const res = await fetch(`${restUrl}${pathname}`, { method: 'POST', body: JSON.stringify(body) });
        if (!res.ok) throw new Error(`POST ${pathname}: ${res.status} ${await res.text()}`);
      },
      async startNetplugin() {
        const d = startDaemon(`netplugin-${name}`, 'ip', ['netns', 'exec', name, process.execPath, ...npArgs], { logFile: path.join(logDir, 'netplugin.console.log') });
        daemons.set('netplugin', d);
        await eventually(() => fs.existsSync(agentSocket) || (d.isRunning() ? false : Promise.reject(new Error(`netplugin exited:\n${tailFile(path.join(logDir, 'netplugin.console.log'))}`))), {
          timeoutMs: 30_000,
          what: 'netplugin to serve its socket',
        });
      },
      async killNetplugin() {
        await daemons.get('netplugin')?.kill();
        daemons.delete('netplugin');
        fs.rmSync(agentSocket, { force: true });
      },
      async stopNetplugin() {
        await daemons.get('netplugin')?.stop(15_000);
        daemons.delete('netplugin');
      },
      async startShim() {
        const d = startDaemon(
          `shim-${name}`,
          process.execPath,
          [serviceMain('driver-shim'), '--socket', pluginSocket, '--agent-socket', agentSocket, '--log-dir', logDir, '--debug'],
          { logFile: path.join(logDir, 'driver-shim.console.log') },
        );
        daemons.set('driver-shim', d);
        await eventually(async () => (await pluginCall(pluginSocket, '/Plugin.Activate', '')).status === 200, { timeoutMs: 15_000, what: 'the shim to answer Activate' });
      },
      async stopShim() {
        await daemons.get('driver-shim')?.stop(10_000);
        daemons.delete('driver-shim');
      },
      async inNetns(cmd, ...args) {
        return (await runInNetns(name, cmd, args)).stdout;
      },
      logs() {
        return ['netplugin.log', 'netplugin.console.log', 'driver-shim.log', 'netmaster.console.log']
          .map((f) => `--- ${f}\n${tailFile(path.join(logDir, f), 25)}`)
          .join('\n');
      },
      stop,
    };
    return rig;
  } catch (err) {
    await stop();
    throw err;
  }
}
