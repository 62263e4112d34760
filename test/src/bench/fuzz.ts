/**
 * `make bench --only fuzz`: the fuzz properties of the three edges, many runs
 * long, against the real processes (../integration/fuzz-rig.ts), plus netctl
 * against a netmaster that answers garbage (in-process). Prints the inputs
 * tried per property and in all, and each failure with its seed and path:
 * replay with `--fuzz-seed S --fuzz-path P --fuzz-only <property>` (or the
 * unit tests' FUZZ_SEED/FUZZ_PATH/FUZZ_ONLY, docs/testing.md).
 */
import { formatReports as formatCli, runCliFuzz, ScriptedNetmaster } from '../../../services/netctl/lib/testing/cli-fuzz';
import { runCli } from '../../../services/netctl/lib/testing/run-cli';
import { fuzzNetmaster, fuzzPluginSocket, type FuzzReport } from '../integration/fuzz-rig';

export interface FuzzBenchOptions {
  readonly runs: number;
  readonly seed: number;
  /** Properties to run (`rest.bodies`, `plugin.http`, `netctl.responses`...); empty: all. */
  readonly only: readonly string[];
  readonly path?: string;
}

const wanted = (only: readonly string[], prefix: string): boolean => only.length === 0 || only.some((o) => o.startsWith(`${prefix}.`));

export async function benchFuzz(o: FuzzBenchOptions): Promise<void> {
  console.log(`\n== Fuzzing: ${o.runs} runs per property, seed ${o.seed}${o.only.length > 0 ? `, only ${o.only.join(',')}` : ''}`);
  const started = Date.now();
  const reports: FuzzReport[] = [];
  const common = { seed: o.seed, runs: o.runs, ...(o.path !== undefined ? { path: o.path } : {}), ...(o.only.length > 0 ? { only: o.only } : {}) };
  if (wanted(o.only, 'rest') || o.only.length === 0 || o.only.includes('netctl.argv')) {
    // netctl's argv property spawns the binary per run (~0.2 s): a fifth of the runs.
    const r = await fuzzNetmaster({ ...common, cliRuns: Math.max(1, Math.ceil(o.runs / 5)) });
    console.log(r.text);
    reports.push(...r.reports);
  }
  if (wanted(o.only, 'netctl') && (o.only.length === 0 || o.only.includes('netctl.responses'))) {
    const server = new ScriptedNetmaster();
    await server.listen();
    try {
      const r = await runCliFuzz(
        { server, run: (args) => runCli(args, { NETMASTER: server.url }, 3_000), requests: () => server.count },
        { seed: o.seed, numRuns: o.runs, only: ['responses'], ...(o.path !== undefined ? { path: o.path } : {}) },
      );
      console.log(formatCli(r));
      reports.push(...r);
    } finally {
      await server.close();
    }
  }
  if (wanted(o.only, 'plugin')) {
    const r = await fuzzPluginSocket(common);
    console.log(r.text);
    reports.push(...r.reports);
  }
  const inputs = reports.reduce((n, r) => n + r.runs, 0);
  const requests = reports.reduce((n, r) => n + r.requests, 0);
  const failed = reports.filter((r) => r.failure);
  console.log(
    `fuzz inputs tried: ${inputs} (${requests} requests or runs of netctl, ${reports.length} properties) in ${Math.round((Date.now() - started) / 1000)} s; ` +
      `${failed.length} failed${failed.length > 0 ? `: ${failed.map((r) => `${r.property} (seed ${r.seed}, path "${r.failure?.path ?? ''}")`).join(', ')}` : ''}`,
  );
}
