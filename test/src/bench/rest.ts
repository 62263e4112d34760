/**
 * REST throughput and latency of network create and list against a real
 * netmaster and etcd (no agent, so no Docker work behind each create),
 * sequential and with 8 concurrent clients. Contiv's Go netmaster did ~75-100
 * creates/s on this kind of machine (CONTIV-REST.md).
 */
import { createStore } from '@contiv/store';
import { etcdDisk, etcdDiskDelta } from './breakdown';
import { ms, percentile, table, timed } from './stats';

interface Result {
  op: string;
  mode: string;
  samples: number[];
  wallMs: number;
  /** etcd WAL fsyncs during the phase and their mean duration. */
  fsyncs?: number;
  fsyncMs?: number;
}

function body(i: number): string {
  const subnet = `10.${100 + (i >> 8)}.${i & 255}`;
  return JSON.stringify({
    networkName: `rb${i}`,
    tenantName: 'default',
    encap: 'vxlan',
    nwType: 'data',
    subnet: `${subnet}.0/24`,
    gateway: `${subnet}.1`,
    'link-sets': {},
    links: { Tenant: {} },
  });
}

async function request(base: string, method: string, path: string, payload?: string): Promise<void> {
  const res = await fetch(`${base}${path}`, { method, ...(payload !== undefined ? { body: payload } : {}) });
  const text = await res.text();
  if (res.status !== 200) throw new Error(`${method} ${path}: ${res.status} ${text}`);
}

async function measure(op: string, mode: string, count: number, workers: number, fn: (i: number) => Promise<void>): Promise<Result> {
  const samples: number[] = [];
  let next = 0;
  const t0 = Date.now();
  await Promise.all(
    Array.from({ length: workers }, async () => {
      for (;;) {
        const i = next++;
        if (i >= count) return;
        const [t] = await timed(() => fn(i));
        samples.push(t);
      }
    }),
  );
  return { op, mode, samples, wallMs: Date.now() - t0 };
}

/** Runs a phase and adds what etcd's disk did meanwhile. */
async function withDisk(etcdUrl: string | undefined, phase: () => Promise<Result>): Promise<Result> {
  const before = etcdUrl ? await etcdDisk(etcdUrl) : undefined;
  const r = await phase();
  const d = etcdDiskDelta(before, etcdUrl ? await etcdDisk(etcdUrl) : undefined);
  return d ? { ...r, fsyncs: d.fsyncs, fsyncMs: d.fsyncMs } : r;
}

export async function benchRest(base: string, count: number, etcdUrl?: string): Promise<void> {
  const results: Result[] = [];
  results.push(await withDisk(etcdUrl, () => measure('network create', 'sequential', count, 1, (i) => request(base, 'POST', `/api/v1/networks/default:rb${i}/`, body(i)))));
  results.push(await withDisk(etcdUrl, () => measure('network list', 'sequential', count, 1, () => request(base, 'GET', '/api/v1/networks/'))));
  results.push(
    await withDisk(etcdUrl, () =>
      measure('network create', '8 concurrent', count, 8, (i) => request(base, 'POST', `/api/v1/networks/default:rb${count + i}/`, body(count + i))),
    ),
  );
  results.push(await withDisk(etcdUrl, () => measure('network list', '8 concurrent', count, 8, () => request(base, 'GET', '/api/v1/networks/'))));
  console.log(`\nREST against netmaster + etcd (${count} requests each; lists return ${count}..${2 * count} networks; HTTP keep-alive on)`);
  console.log(
    table([
      ['operation', 'mode', 'ops/s', 'p50', 'p99', 'etcd fsyncs', 'mean fsync'],
      ...results.map((r) => [
        r.op,
        r.mode,
        (r.samples.length / (r.wallMs / 1000)).toFixed(0),
        ms(percentile(r.samples, 50)),
        ms(percentile(r.samples, 99)),
        r.fsyncs === undefined ? 'n/a' : String(r.fsyncs),
        r.fsyncMs === undefined ? 'n/a' : ms(r.fsyncMs),
      ]),
    ]),
  );
  const del = await measure('network delete', 'sequential', 2 * count, 1, (i) => request(base, 'DELETE', `/api/v1/networks/default:rb${i}/`));
  console.log(`(cleanup: ${2 * count} deletes at ${(del.samples.length / (del.wallMs / 1000)).toFixed(0)}/s, p50 ${ms(percentile(del.samples, 50))})`);
}

/**
 * The floor under a create: the same store transaction a network create makes
 * (4 keys written, each required absent), sequential and 8 at a time, straight
 * from this process to etcd. netmaster cannot be faster than this.
 */
export async function benchEtcdAlone(etcdUrl: string, storeUrl: string, count: number): Promise<void> {
  const store = createStore(storeUrl);
  try {
    const txn = async (i: number): Promise<void> => {
      const keys = ['a', 'b', 'c', 'd'].map((k) => `/bench/${i}/${k}`);
      const res = await store.transact(
        keys.map((key) => ({ key, modRevision: 0 })),
        keys.map((key) => ({ op: 'put' as const, key, value: JSON.stringify({ i, key, padding: 'x'.repeat(300) }) })),
      );
      if (!res.ok) throw new Error(`bench transaction ${i} failed`);
    };
    const seq = await withDisk(etcdUrl, () => measure('store transaction', 'sequential', count, 1, txn));
    const par = await withDisk(etcdUrl, () => measure('store transaction', '8 concurrent', count, 8, (i) => txn(count + i)));
    console.log(`\netcd alone: the transaction of one network create, from this process (${count} each)`);
    console.log(
      table([
        ['operation', 'mode', 'ops/s', 'p50', 'p99', 'etcd fsyncs', 'mean fsync'],
        ...[seq, par].map((r) => [
          r.op,
          r.mode,
          (r.samples.length / (r.wallMs / 1000)).toFixed(0),
          ms(percentile(r.samples, 50)),
          ms(percentile(r.samples, 99)),
          String(r.fsyncs ?? 'n/a'),
          r.fsyncMs === undefined ? 'n/a' : ms(r.fsyncMs),
        ]),
      ]),
    );
    await store.deletePrefix('/bench/');
  } finally {
    await store.close();
  }
}
