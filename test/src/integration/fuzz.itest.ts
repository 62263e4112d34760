/**
 * Hostile input at the three edges of the real processes (fuzz-rig.ts):
 * netmaster's REST API on etcd, the netctl binary, and the plugin socket of
 * the driver shim in front of the real netplugin. Fixed seed and a modest
 * number of runs here; `make bench` runs many more (docs/testing.md, "Fuzzing").
 * FUZZ_SEED and FUZZ_RUNS override both.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fuzzNetmaster, fuzzPluginSocket } from './fuzz-rig';

const SEED = Number(process.env.FUZZ_SEED ?? 6006);
const RUNS = Number(process.env.FUZZ_RUNS ?? 60);

void describe('fuzz: hostile input at the real processes', { timeout: 600_000 }, () => {
  void it('netmaster on etcd: REST answers clearly and changes nothing it refused; netctl exits 1/3 with one line', async (t) => {
    const r = await fuzzNetmaster({ seed: SEED, runs: RUNS, cliRuns: Math.ceil(RUNS / 2) });
    t.diagnostic(r.text);
    for (const p of r.reports) assert.equal(p.failure, undefined, r.text);
  });

  void it('plugin socket with the real agent: every failure a Docker error, nothing refused changes etcd or OVS', async (t) => {
    const r = await fuzzPluginSocket({ seed: SEED, runs: RUNS });
    t.diagnostic(r.text);
    for (const p of r.reports) assert.equal(p.failure, undefined, r.text);
  });
});
