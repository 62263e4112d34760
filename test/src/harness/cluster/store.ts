/**
 * The cluster store inside the first host's namespace, serving clients on the
 * host's underlay address (what every host and every dockerd's --cluster-store
 * use) and on the namespace's loopback:
 *
 * - etcd: one member, advertising the underlay URL (libkv syncs to the
 *   advertised URL), with the v2 API on because Docker's --cluster-store
 *   speaks only v2 (ENVIRONMENT.md §4.5);
 * - consul: a one-node server (`-server -bootstrap-expect 1`) with its raft
 *   data on disk, bound to the underlay address, so `cluster stop|restart h1
 *   store` keeps the cluster's state as etcd does (a `-dev` agent would lose
 *   it); Docker's libkv speaks Consul's KV API directly.
 */
import type { Daemon } from '../exec';
import { runInNetns, sleep, startDaemon, tailFile } from '../exec';
import type { StoreKind } from './state';

export const ETCD_CLIENT_PORT = 2379;
const ETCD_PEER_PORT = 2380;
export const CONSUL_HTTP_PORT = 8500;

export interface StoreEtcdOptions {
  readonly netns: string;
  readonly ip: string;
  readonly memberName: string;
  readonly dataDir: string;
  readonly logFile: string;
  readonly readyTimeoutMs?: number;
}

export function storeUrl(kind: StoreKind, ip: string): string {
  return kind === 'consul' ? `consul://${ip}:${CONSUL_HTTP_PORT}` : `etcd://${ip}:${ETCD_CLIENT_PORT}`;
}

/** Whether the store answers, asked from inside its namespace. */
export async function storeHealthy(kind: StoreKind, netns: string): Promise<boolean> {
  if (kind === 'consul') return (await consulProblem(netns, undefined)) === undefined;
  const r = await runInNetns(netns, 'curl', ['-fsS', '-m', '3', `http://127.0.0.1:${ETCD_CLIENT_PORT}/health`], { allowFail: true, timeoutMs: 10_000 });
  return r.code === 0 && /"health"\s*:\s*"true"/.test(r.stdout);
}

export interface StoreConsulOptions {
  readonly netns: string;
  readonly ip: string;
  readonly nodeName: string;
  readonly dataDir: string;
  readonly logFile: string;
  readonly readyTimeoutMs?: number;
}

export async function startStoreConsul(o: StoreConsulOptions): Promise<Daemon> {
  const args = [
    'netns', 'exec', o.netns, 'consul', 'agent', '-server', '-bootstrap-expect', '1',
    '-node', o.nodeName,
    '-bind', o.ip,
    '-advertise', o.ip,
    '-client', `${o.ip} 127.0.0.1`,
    '-http-port', String(CONSUL_HTTP_PORT),
    '-dns-port', '-1',
    '-grpc-port', '-1',
    '-data-dir', o.dataDir,
    '-hcl', 'disable_update_check = true',
    // One server elects itself in ~1 s instead of ~7 s (also after a restart).
    '-hcl', 'performance { raft_multiplier = 1 }',
    // Sessions as short as netmaster's 4 s leader lease (a 2 s session, docs/store.md "Leases
    // and orphans"): the default minimum, 10 s, makes a failover take ~20 s instead of ~4 s.
    '-hcl', 'session_ttl_min = "1s"',
  ];
  const d = startDaemon('consul', 'ip', args, { logFile: o.logFile, detached: true });
  const deadline = Date.now() + (o.readyTimeoutMs ?? 30_000);
  for (;;) {
    const problem = await consulProblem(o.netns, o.nodeName);
    if (problem === undefined) return d;
    if (!d.isRunning() || Date.now() > deadline) {
      await d.kill();
      throw new Error(`consul in ${o.netns} did not become ready (${d.isRunning() ? problem : 'exited'}):\n${tailFile(o.logFile)}`);
    }
    await sleep(100);
  }
}

/**
 * Undefined when Consul has a leader that serves consistent reads and (given
 * its node name) the node is healthy: sessions, our leases, need that.
 */
async function consulProblem(netns: string, nodeName: string | undefined): Promise<string | undefined> {
  const base = `http://127.0.0.1:${CONSUL_HTTP_PORT}`;
  const curl = (url: string): ReturnType<typeof runInNetns> =>
    runInNetns(netns, 'curl', ['-sS', '-m', '3', '-w', '\n%{http_code}', url], { allowFail: true, timeoutMs: 10_000 });
  const probe = await curl(`${base}/v1/kv/contiv-cluster-probe?consistent`);
  if (!probe.stdout.trimEnd().endsWith('404')) return `no consistent reads yet: ${(probe.stdout.trim() || probe.stderr.trim()).slice(0, 200)}`;
  if (nodeName === undefined) return undefined;
  const checks = await curl(`${base}/v1/health/node/${nodeName}`);
  const body = checks.stdout.slice(0, checks.stdout.lastIndexOf('\n'));
  try {
    const list = JSON.parse(body) as { CheckID?: unknown; Status?: unknown }[];
    if (list.some((c) => c.CheckID === 'serfHealth' && c.Status === 'passing')) return undefined;
  } catch {
    // not JSON yet
  }
  return `node ${nodeName} not healthy yet`;
}

export async function startStoreEtcd(o: StoreEtcdOptions): Promise<Daemon> {
  const client = `http://${o.ip}:${ETCD_CLIENT_PORT}`;
  const peer = `http://127.0.0.1:${ETCD_PEER_PORT}`;
  const args = [
    'netns', 'exec', o.netns, 'etcd',
    '--name', o.memberName,
    '--data-dir', o.dataDir,
    '--listen-client-urls', `${client},http://127.0.0.1:${ETCD_CLIENT_PORT}`,
    '--advertise-client-urls', client,
    '--listen-peer-urls', peer,
    '--initial-advertise-peer-urls', peer,
    '--initial-cluster', `${o.memberName}=${peer}`,
    '--initial-cluster-token', o.memberName,
    '--enable-v2=true',
  ];
  const d = startDaemon('etcd', 'ip', args, { logFile: o.logFile, detached: true });
  const deadline = Date.now() + (o.readyTimeoutMs ?? 30_000);
  for (;;) {
    const r = await runInNetns(o.netns, 'curl', ['-fsS', '-m', '2', `http://127.0.0.1:${ETCD_CLIENT_PORT}/health`], { allowFail: true });
    if (r.code === 0 && /"health"\s*:\s*"true"/.test(r.stdout)) return d;
    if (!d.isRunning() || Date.now() > deadline) {
      await d.kill();
      throw new Error(`etcd in ${o.netns} did not become healthy (${d.isRunning() ? 'timeout' : 'exited'}):\n${tailFile(o.logFile)}`);
    }
    await sleep(100);
  }
}
