/**
 * Where the time of one attach goes, from what the services already log
 * (debug level): the shim's served plugin calls (start = timestamp - ms), the
 * agent's endpoint steps, netmaster's control calls, and etcd's own disk
 * latency from its /metrics. Figures only.
 */
import fs from 'node:fs';

/** One JSON log line of ours (winston: timestamp, level, message, metadata). */
export interface LogRecord {
  readonly ts: number;
  readonly message: string;
  readonly [k: string]: unknown;
}

export function readLog(file: string): LogRecord[] {
  if (!fs.existsSync(file)) return [];
  const out: LogRecord[] = [];
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
    if (!line.startsWith('{')) continue;
    try {
      const rec = JSON.parse(line) as Record<string, unknown>;
      const ts = typeof rec.timestamp === 'string' ? Date.parse(rec.timestamp) : NaN;
      if (typeof rec.message === 'string' && Number.isFinite(ts)) out.push({ ...rec, ts, message: rec.message });
    } catch {
      // a line cut by a crash or a non-JSON console line
    }
  }
  return out;
}

/** A driver call as Docker saw it: [start, end] in epoch ms. */
export interface PluginCall {
  readonly method: string;
  readonly start: number;
  readonly end: number;
  readonly ms: number;
}

export function pluginCalls(shimLog: readonly LogRecord[]): PluginCall[] {
  return shimLog
    .filter((r) => r.message === 'Served plugin call' && typeof r.method === 'string' && typeof r.ms === 'number')
    .map((r) => ({ method: String(r.method).replace(/^\//, ''), start: r.ts - Number(r.ms), end: r.ts, ms: Number(r.ms) }));
}

/** Calls Docker makes while a container starts (its endpoint) and while it goes away. */
export const ATTACH_CALLS = new Set([
  'IpamDriver.RequestAddress',
  'NetworkDriver.CreateEndpoint',
  'NetworkDriver.EndpointOperInfo',
  'NetworkDriver.Join',
  'NetworkDriver.ProgramExternalConnectivity',
]);
export const TEARDOWN_CALLS = new Set([
  'NetworkDriver.RevokeExternalConnectivity',
  'NetworkDriver.Leave',
  'NetworkDriver.DeleteEndpoint',
  'IpamDriver.ReleaseAddress',
]);

/** Numeric fields of the messages `message` in a log, as lists per field (e.g. the agent's per-step ms). */
export function fieldSamples(log: readonly LogRecord[], message: string, pick: (r: LogRecord) => Record<string, unknown> | undefined): Map<string, number[]> {
  const out = new Map<string, number[]>();
  for (const r of log) {
    if (r.message !== message) continue;
    for (const [k, v] of Object.entries(pick(r) ?? {})) {
      if (typeof v !== 'number') continue;
      const list = out.get(k) ?? [];
      list.push(v);
      out.set(k, list);
    }
  }
  return out;
}

/** Cumulative histogram sums and counts etcd reports for its disk (seconds). */
export interface EtcdDisk {
  readonly walFsyncSum: number;
  readonly walFsyncCount: number;
  readonly commitSum: number;
  readonly commitCount: number;
}

export async function etcdDisk(clientUrl: string): Promise<EtcdDisk | undefined> {
  try {
    const text = await (await fetch(`${clientUrl}/metrics`)).text();
    const metric = (name: string): number => {
      const m = new RegExp(`^${name} ([0-9.e+-]+)$`, 'm').exec(text);
      return m ? Number(m[1]) : NaN;
    };
    return {
      walFsyncSum: metric('etcd_disk_wal_fsync_duration_seconds_sum'),
      walFsyncCount: metric('etcd_disk_wal_fsync_duration_seconds_count'),
      commitSum: metric('etcd_disk_backend_commit_duration_seconds_sum'),
      commitCount: metric('etcd_disk_backend_commit_duration_seconds_count'),
    };
  } catch {
    return undefined;
  }
}

/** Mean WAL fsync and backend commit (ms) between two readings, with the number of fsyncs. */
export function etcdDiskDelta(a: EtcdDisk | undefined, b: EtcdDisk | undefined): { fsyncMs: number; fsyncs: number; commitMs: number } | undefined {
  if (!a || !b) return undefined;
  const fsyncs = b.walFsyncCount - a.walFsyncCount;
  const commits = b.commitCount - a.commitCount;
  return {
    fsyncMs: fsyncs > 0 ? ((b.walFsyncSum - a.walFsyncSum) / fsyncs) * 1000 : NaN,
    fsyncs,
    commitMs: commits > 0 ? ((b.commitSum - a.commitSum) / commits) * 1000 : NaN,
  };
}
