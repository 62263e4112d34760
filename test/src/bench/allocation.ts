/**
 * Address allocation under contention: three hosts' gRPC clients ask the
 * real netmaster for addresses at the same time, on etcd and on Consul (a
 * one-node server with its data on disk, like etcd). Two shapes: every request
 * at once (a burst: 1,000 containers starting across the cluster), and each
 * host keeping 8 requests in flight (steady load). Then every address is
 * released the way agents do (guarded ReleaseAddress). Figures only; the
 * correctness checks (no duplicate, no leak) run in
 * test/src/integration/allocation-concurrency.itest.ts and are repeated here.
 */
import { startAllocationRig, runConcurrently, type Backend } from '../integration/allocation-rig';
import { ms, percentile, table, timed } from './stats';

export interface AllocationBenchOptions {
  /** Allocations per round (default 1000). */
  readonly count: number;
  readonly backends?: readonly Backend[];
}

interface Row {
  readonly backend: Backend;
  readonly shape: string;
  readonly count: number;
  readonly wallMs: number;
  readonly samples: number[];
}

const NET = { tenantName: 'default', networkName: 'bench' };

export async function benchAllocation(opts: AllocationBenchOptions): Promise<void> {
  const rows: Row[] = [];
  for (const backend of opts.backends ?? (['etcd', 'consul'] as Backend[])) {
    const rig = await startAllocationRig(backend, { persistentConsul: true });
    try {
      // A /20: 4,093 assignable addresses, room for any --allocations up to that.
      const r = await rig.rest('POST', '/api/v1/networks/default:bench/', { encap: 'vxlan', subnet: '10.80.0.0/20', gateway: '10.80.0.1' });
      if (r.status !== 200) throw new Error(`network create: ${r.status} ${r.text}`);
      let round = 0;
      const phase = async (shape: string, inFlight: number): Promise<void> => {
        round++;
        const samples: number[] = [];
        const t0 = performance.now();
        const got = await runConcurrently(opts.count, inFlight, async (k) => {
          const h = k % rig.hosts.length;
          const host = rig.hosts[h] ?? '';
          const requestId = `b${round}-${k}`;
          const [t, a] = await timed(() => rig.controls[h]!.AllocateAddress({ ...NET, host, requestId }));
          samples.push(t);
          return { host, h, owner: `pending:${host}:${requestId}`, address: a.address };
        });
        rows.push({ backend, shape, count: opts.count, wallMs: performance.now() - t0, samples });
        const distinct = new Set(got.map((g) => g.address)).size;
        const keys = (await rig.ipamEntries()).length;
        if (distinct !== opts.count || keys !== opts.count) throw new Error(`${backend} ${shape}: ${distinct} distinct addresses and ${keys} keys for ${opts.count} allocations`);

        const rel: number[] = [];
        const r0 = performance.now();
        await runConcurrently(got.length, inFlight, async (i) => {
          const g = got[i]!;
          const [t] = await timed(() => rig.controls[g.h]!.ReleaseAddress({ ...NET, address: g.address, host: g.host, owner: g.owner }));
          rel.push(t);
        });
        rows.push({ backend, shape: `${shape}, release`, count: got.length, wallMs: performance.now() - r0, samples: rel });
        const left = (await rig.ipamEntries()).length;
        if (left !== 0) throw new Error(`${backend} ${shape}: ${left} addresses left after releasing all`);
      };
      await phase('burst (all at once)', opts.count);
      await phase('steady (8 per host)', 8 * rig.hosts.length);
    } finally {
      await rig.stop();
    }
  }
  console.log(`\nAddress allocation under contention: 3 hosts' gRPC clients, one netmaster (0 duplicates, 0 left after release, checked)`);
  console.log(
    table([
      ['store', 'shape', 'calls', 'per s', 'p50', 'p99', 'wall'],
      ...rows.map((r) => [r.backend, r.shape, String(r.count), (r.count / (r.wallMs / 1000)).toFixed(0), ms(percentile(r.samples, 50)), ms(percentile(r.samples, 99)), ms(r.wallMs)]),
    ]),
  );
}
