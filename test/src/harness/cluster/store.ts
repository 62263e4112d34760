/**
 * The cluster store: one etcd member inside the first host's namespace,
 * serving clients on the host's underlay address (what every host and every
 * dockerd's --cluster-store use, and what etcd advertises: libkv syncs to the
 * advertised URL) and on the namespace's loopback. The v2 API is on because
 * Docker's --cluster-store speaks only v2 (ENVIRONMENT.md §4.5).
 */
import type { Daemon } from '../exec';
import { runInNetns, sleep, startDaemon, tailFile } from '../exec';

export const ETCD_CLIENT_PORT = 2379;
const ETCD_PEER_PORT = 2380;

export interface StoreEtcdOptions {
  readonly netns: string;
  readonly ip: string;
  readonly memberName: string;
  readonly dataDir: string;
  readonly logFile: string;
  readonly readyTimeoutMs?: number;
}

export function storeUrl(ip: string): string {
  return `etcd://${ip}:${ETCD_CLIENT_PORT}`;
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
