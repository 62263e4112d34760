/**
 * The fuzz properties of the three edges (services/netmaster/src/testing/rest-fuzz.ts,
 * services/driver-shim/src/testing/plugin-fuzz.ts, services/netctl/src/testing/cli-fuzz.ts)
 * against the real processes: netmaster on a real etcd, the netctl binary,
 * the driver shim in front of the real netplugin (with OVS and netmaster).
 * "Nothing changed" is checked on etcd's keys and revision (and the agent's
 * OVS ports and interfaces). Used by fuzz.itest.ts (fixed seed, few runs)
 * and `make bench --only fuzz` (many runs).
 */
import { spawn } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { createStore, type Store } from '@contiv/store';
import { formatReports as formatPlugin, runPluginFuzz, type PluginFuzzTarget } from '../../../services/driver-shim/lib/testing/plugin-fuzz';
import { CLI_FUZZ_TENANT, formatReports as formatCli, runCliFuzz, type CliFuzzTarget } from '../../../services/netctl/lib/testing/cli-fuzz';
import { formatReports as formatRest, runRestFuzz, seedRestState, type RestFuzzTarget } from '../../../services/netmaster/lib/testing/rest-fuzz';
import { startEtcd } from '../harness/etcd';
import { eventually } from '../harness/eventually';
import { startDaemon, tailFile } from '../harness/exec';
import { freePort } from '../harness/ports';
import { makeTempDir } from '../harness/tmp';
import { BRIDGE, pluginCall, serviceMain, startAgentRig } from './netplugin-rig';

const NETCTL = path.resolve(__dirname, '../../../services/netctl/lib/main.js');

export interface FuzzSettings {
  readonly seed: number;
  /** Runs per property (the races property makes a fifth of them, netctl `cliRuns`). */
  readonly runs: number;
  readonly cliRuns?: number;
  /** Replays one failing run of the property named in `only`. */
  readonly path?: string;
  readonly only?: readonly string[];
  readonly endOnFailure?: boolean;
}

export interface FuzzReport {
  readonly property: string;
  readonly runs: number;
  readonly requests: number;
  readonly accepted: number;
  readonly refused: number;
  readonly seed: number;
  readonly slowest?: { readonly label: string; readonly ms: number };
  readonly failure?: { readonly message: string; readonly path: string | null; readonly counterexample: string };
}

export interface FuzzResult {
  readonly reports: FuzzReport[];
  /** One line per property, with the replay recipe of a failure. */
  readonly text: string;
}

/** Properties named in `only` under this prefix (`rest.bodies` -> `bodies`); undefined: all of them. */
function pick<T extends string>(only: readonly string[] | undefined, prefix: string): T[] | undefined {
  if (!only || only.length === 0) return undefined;
  return only.filter((o) => o.startsWith(`${prefix}.`)).map((o) => o.slice(prefix.length + 1) as T);
}

async function storeSnapshot(store: Store): Promise<{ revision: number; entries: Map<string, string> }> {
  const l = await store.list('');
  return { revision: l.revision, entries: new Map(l.entries.map((e) => [e.key, e.value])) };
}

/** A TCP relay that counts the connections on which the client sent anything: netctl's requests to netmaster. */
async function countingRelay(targetPort: number): Promise<{ port: number; count(): number; close(): Promise<void> }> {
  let count = 0;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect(targetPort, '127.0.0.1');
    sockets.add(client).add(upstream);
    let counted = false;
    client.on('data', () => {
      if (!counted) count++;
      counted = true;
    });
    client.pipe(upstream).pipe(client);
    const end = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    count: () => count,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

function runNetctl(args: readonly string[], env: NodeJS.ProcessEnv): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    // A process argument cannot hold a NUL (C strings): no shell can pass one, so none is sent.
    const argv = args.map((a) => a.replace(/\0/g, ''));
    const child = spawn(process.execPath, [NETCTL, ...argv], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code: code ?? 128 + (signal === 'SIGKILL' ? 9 : 15), stdout, stderr });
    });
  });
}

/** netmaster on etcd: the REST properties, then netctl's argv property through the binary. */
export async function fuzzNetmaster(s: FuzzSettings): Promise<FuzzResult> {
  const etcd = await startEtcd();
  const tmp = await makeTempDir('contiv-fuzz-nm-');
  const port = await freePort();
  const log = path.join(tmp.path, 'netmaster.console.log');
  const daemon = startDaemon('netmaster-fuzz', process.execPath, [serviceMain('netmaster'), '--cluster-store', etcd.url, '--listen-url', `127.0.0.1:${port}`, '--plugin-mode', 'docker', '--log-dir', tmp.path], { logFile: log });
  const store = createStore(etcd.url);
  let relay: Awaited<ReturnType<typeof countingRelay>> | undefined;
  try {
    await eventually(
      async () => {
        if (!daemon.isRunning()) throw new Error(`netmaster exited:\n${tailFile(log)}`);
        const r = await fetch(`http://127.0.0.1:${port}/info`);
        return r.ok && /"current-state":"leader"/.test(await r.text());
      },
      { timeoutMs: 40_000, what: 'netmaster to lead' },
    );
    const health = (): Promise<string | undefined> => Promise.resolve(daemon.isRunning() ? undefined : `netmaster exited:\n${tailFile(log)}`);
    const rest: RestFuzzTarget = { raw: { host: '127.0.0.1', port }, snapshot: () => storeSnapshot(store), health };
    const reports: FuzzReport[] = [];
    const restOnly = pick<'bodies' | 'paths' | 'http' | 'conflicts' | 'races'>(s.only, 'rest');
    if (!restOnly || restOnly.length > 0) {
      await seedRestState(rest.raw);
      reports.push(...(await runRestFuzz(rest, { seed: s.seed, numRuns: s.runs, ...(s.path !== undefined ? { path: s.path } : {}), ...(restOnly ? { only: restOnly } : {}), endOnFailure: s.endOnFailure ?? false })));
    }
    const cliOnly = pick<'argv'>(s.only, 'netctl');
    if (!cliOnly || cliOnly.includes('argv')) {
      const t = await fetch(`http://127.0.0.1:${port}/api/v1/tenants/${CLI_FUZZ_TENANT}/`, { method: 'POST', body: JSON.stringify({ tenantName: CLI_FUZZ_TENANT }) });
      if (!t.ok) throw new Error(`creating tenant ${CLI_FUZZ_TENANT}: ${t.status} ${await t.text()}`);
      relay = await countingRelay(port);
      const r = relay;
      const env = { ...process.env, NETMASTER: `http://127.0.0.1:${r.port}` };
      const cli: CliFuzzTarget = {
        run: (args) => runNetctl(args, env),
        requests: () => r.count(),
        snapshot: async () => {
          const snap = await storeSnapshot(store);
          return JSON.stringify([snap.revision, [...snap.entries]]);
        },
      };
      reports.push(
        ...(await runCliFuzz(cli, { seed: s.seed, numRuns: s.cliRuns ?? s.runs, only: ['argv'], ...(s.path !== undefined ? { path: s.path } : {}), endOnFailure: s.endOnFailure ?? false })),
      );
    }
    const dead = await health();
    if (dead) throw new Error(dead);
    return { reports, text: [formatRest(reports.filter((r) => r.property.startsWith('rest.'))), formatCli(reports.filter((r) => r.property.startsWith('netctl.')))].filter((x) => x).join('\n') };
  } finally {
    await relay?.close();
    await store.close();
    await daemon.stop();
    await etcd.stop();
    await tmp.cleanup();
  }
}

/** The shim in front of the real agent (netplugin with OVS, netmaster and etcd): the plugin properties. */
export async function fuzzPluginSocket(s: FuzzSettings): Promise<FuzzResult> {
  const rig = await startAgentRig({ netmaster: true });
  try {
    await rig.startNetplugin();
    await rig.startShim();
    const state = async (): Promise<string> => {
      const snap = await storeSnapshot(rig.store);
      const ports = await rig.ovs.vsctl('list-ports', BRIDGE);
      const links = (await rig.inNetns('ip', '-o', 'link', 'show'))
        .split('\n')
        .map((l) => l.split(':')[1]?.trim() ?? '')
        .filter((l) => l !== '')
        .sort();
      return [`revision ${snap.revision}`, ...[...snap.entries].map(([k, v]) => `${k}=${v}`), `ovs ports: ${ports.split('\n').join(' ')}`, `links: ${links.join(' ')}`].join('\n');
    };
    const target: PluginFuzzTarget = {
      socketPath: rig.pluginSocket,
      snapshot: state,
      // The real agent may accept what it can serve (a Leave, a pool request for a free subnet).
      successAllowed: () => true,
      async health() {
        const r = await pluginCall(rig.pluginSocket, '/IpamDriver.GetDefaultAddressSpaces', '');
        return r.status === 200 && !r.json.Err ? undefined : `the agent does not answer through the shim: HTTP ${r.status} ${r.raw}\n${rig.logs()}`;
      },
    };
    const only = pick<'bodies' | 'paths' | 'http'>(s.only, 'plugin');
    const reports = only && only.length === 0 ? [] : await runPluginFuzz(target, { seed: s.seed, numRuns: s.runs, ...(s.path !== undefined ? { path: s.path } : {}), ...(only ? { only } : {}), endOnFailure: s.endOnFailure ?? false });
    return { reports, text: formatPlugin(reports) };
  } finally {
    await rig.stop();
  }
}
