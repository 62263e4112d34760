/**
 * A real netmaster process on a real etcd or Consul, with one gRPC client per
 * simulated host (each its own channel, so its own connection, as agents on
 * three machines would have), for the allocation tests and the allocation
 * bench. Only one netmaster runs: the leader serves every write.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ipamPrefix, ipAllocationCodec, type IpAllocation } from '@contiv/model';
import { createControlClient, type ControlClient } from '@contiv/rpc';
import { createStore, type Store } from '@contiv/store';
import { startConsul } from '../harness/consul';
import { startEtcd } from '../harness/etcd';
import { eventually } from '../harness/eventually';
import { startDaemon, tailFile, type Daemon } from '../harness/exec';
import { freePort } from '../harness/ports';

export type Backend = 'etcd' | 'consul';

const NETMASTER = path.resolve(__dirname, '../../../services/netmaster/lib/main.js');

export interface Reply {
  readonly status: number;
  readonly text: string;
  readonly json: unknown;
}

export interface AllocationRig {
  readonly backend: Backend;
  /** A client of the same store (for checking keys). */
  readonly store: Store;
  readonly port: number;
  /** One Control client per host, `hosts[i]` is its name. */
  readonly controls: readonly ControlClient[];
  readonly hosts: readonly string[];
  rest(method: string, pathname: string, body?: unknown): Promise<Reply>;
  /** The allocation keys under ipam/, decoded. */
  ipamEntries(): Promise<Array<{ key: string; alloc: IpAllocation }>>;
  logTail(): string;
  stop(): Promise<void>;
}

export interface AllocationRigOptions {
  readonly hosts?: number;
  /** Consul with its data on disk (a server) instead of a dev agent; for figures comparable with etcd. */
  readonly persistentConsul?: boolean;
}

export async function startAllocationRig(backend: Backend, opts: AllocationRigOptions = {}): Promise<AllocationRig> {
  if (!fs.existsSync(NETMASTER)) throw new Error(`netmaster is not built: ${NETMASTER} is missing (run make build)`);
  const cleanups: Array<() => Promise<unknown>> = [];
  const stop = async (): Promise<void> => {
    for (const c of cleanups.reverse()) await c().catch(() => undefined);
    cleanups.length = 0;
  };
  try {
    const server = backend === 'etcd' ? await startEtcd() : await startConsul({ persistent: opts.persistentConsul === true });
    cleanups.push(() => server.stop());
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'contiv-alloc-'));
    cleanups.push(async () => fs.rmSync(dir, { recursive: true, force: true }));
    const port = await freePort();
    const logFile = path.join(dir, 'netmaster.out');
    const nm: Daemon = startDaemon('netmaster', process.execPath, [NETMASTER, '--cluster-store', server.url, '--listen-url', `127.0.0.1:${port}`, '--plugin-mode', 'docker', '--log-dir', dir], { logFile });
    cleanups.push(() => nm.stop());
    const rest = async (method: string, pathname: string, body?: unknown): Promise<Reply> => {
      const res = await fetch(`http://127.0.0.1:${port}${pathname}`, { method, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
      const text = await res.text();
      let json: unknown;
      try {
        json = JSON.parse(text) as unknown;
      } catch {
        json = undefined;
      }
      return { status: res.status, text, json };
    };
    await eventually(
      async () => {
        if (!nm.isRunning()) throw new Error(`netmaster exited:\n${tailFile(logFile)}`);
        const info = await rest('GET', '/info');
        if ((info.json as Record<string, string> | undefined)?.['current-state'] !== 'leader') throw new Error(`not leading yet: ${info.text}`);
      },
      { timeoutMs: 40_000, what: 'netmaster to lead' },
    );
    const store = createStore(server.url);
    cleanups.push(() => store.close());
    const hosts = Array.from({ length: opts.hosts ?? 3 }, (_, i) => `host${i + 1}`);
    const controls = hosts.map(() => createControlClient(`127.0.0.1:${port}`));
    cleanups.push(async () => controls.forEach((c) => c.close()));
    return {
      backend,
      store,
      port,
      controls,
      hosts,
      rest,
      async ipamEntries() {
        const res = await store.list(ipamPrefix());
        return res.entries.map((e) => ({ key: e.key, alloc: ipAllocationCodec.decode(e.value, e.key) }));
      },
      logTail: () => tailFile(logFile, 30),
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}

/** Runs `count` calls with at most `inFlight` at a time per worker list; returns results in call order. */
export async function runConcurrently<T>(count: number, inFlight: number, fn: (i: number) => Promise<T>): Promise<T[]> {
  const out = new Array<T>(count);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(inFlight, count) }, async () => {
      for (;;) {
        const i = next++;
        if (i >= count) return;
        out[i] = await fn(i);
      }
    }),
  );
  return out;
}
