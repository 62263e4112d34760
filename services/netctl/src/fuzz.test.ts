/**
 * The command-line fuzz (testing/cli-fuzz.ts) in-process: hostile arguments
 * and flag values against a netmaster that refuses everything, and real
 * commands against one that answers garbage. Fixed seed; FUZZ_SEED, FUZZ_RUNS,
 * FUZZ_PATH, FUZZ_ONLY replay or run longer (docs/testing.md).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CLI_PROPERTIES, formatReports, runCliFuzz, ScriptedNetmaster, type CliFuzzTarget, type CliProperty } from './testing/cli-fuzz';
import { runCli } from './testing/run-cli';

const SEED = Number(process.env.FUZZ_SEED ?? 6006);
const RUNS = Number(process.env.FUZZ_RUNS ?? 200);
const ONLY = (process.env.FUZZ_ONLY ?? '').split(',').filter((x): x is CliProperty => (CLI_PROPERTIES as readonly string[]).includes(x));

void describe('netctl fuzz (in-process, scripted netmaster)', { timeout: Math.max(300_000, RUNS * 2_000) }, () => {
  const server = new ScriptedNetmaster();
  let target: CliFuzzTarget;
  const escaped: unknown[] = [];
  const onEscape = (err: unknown): void => {
    escaped.push(err);
  };

  // A process warning is a line on the real binary's stderr too (a redirect loop added one).
  const onWarning = (w: Error): void => {
    if (w.name !== 'ExperimentalWarning') escaped.push(`${w.name}: ${w.message}`);
  };

  before(async () => {
    process.on('unhandledRejection', onEscape);
    process.on('uncaughtException', onEscape);
    process.on('warning', onWarning);
    await server.listen();
    target = { server, run: (args) => runCli(args, { NETMASTER: server.url }, 3_000), requests: () => server.count };
  });
  after(async () => {
    await server.close();
    process.off('unhandledRejection', onEscape);
    process.off('uncaughtException', onEscape);
    process.off('warning', onWarning);
  });

  for (const name of ONLY.length > 0 ? ONLY : CLI_PROPERTIES) {
    it(`${name}: exit 0/1/3, one clean line on stderr, nothing sent on a usage error`, async (t) => {
      const [report] = await runCliFuzz(target, { seed: SEED, numRuns: RUNS, only: [name], ...(process.env.FUZZ_PATH ? { path: process.env.FUZZ_PATH } : {}) });
      assert.ok(report);
      t.diagnostic(formatReports([report]));
      assert.equal(report.failure, undefined, formatReports([report]));
      assert.deepEqual(escaped, []);
    });
  }
});
