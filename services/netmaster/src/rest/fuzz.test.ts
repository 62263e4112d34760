/**
 * The REST fuzz (testing/rest-fuzz.ts) in-process, on a MemoryStore: hostile
 * bodies, paths, raw HTTP, conflicting and racing requests. Fixed seed; replay
 * or run longer with FUZZ_SEED, FUZZ_RUNS, FUZZ_PATH, FUZZ_ONLY (docs/testing.md).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startFixture, type Fixture } from '../testing/fixture';
import { formatReports, REST_PROPERTIES, runRestFuzz, seedRestState, type RestFuzzTarget, type RestProperty } from '../testing/rest-fuzz';

const SEED = Number(process.env.FUZZ_SEED ?? 6006);
const RUNS = Number(process.env.FUZZ_RUNS ?? 120);
const ONLY = (process.env.FUZZ_ONLY ?? '').split(',').filter((x): x is RestProperty => (REST_PROPERTIES as readonly string[]).includes(x));

void describe('REST fuzz (in-process, MemoryStore)', { timeout: Math.max(300_000, RUNS * 2_000) }, () => {
  let f: Fixture;
  let target: RestFuzzTarget;
  const escaped: unknown[] = [];
  const onEscape = (err: unknown): void => {
    escaped.push(err);
  };

  before(async () => {
    process.on('unhandledRejection', onEscape);
    process.on('uncaughtException', onEscape);
    f = await startFixture();
    target = {
      raw: { host: '127.0.0.1', port: f.port },
      async snapshot() {
        const l = await f.store.list('');
        return { revision: l.revision, entries: new Map(l.entries.map((e) => [e.key, e.value])) };
      },
      health: () => Promise.resolve(escaped.length > 0 ? `unhandled: ${String(escaped[0])}` : undefined),
    };
    await seedRestState(target.raw);
  });
  after(async () => {
    await f.close();
    process.off('unhandledRejection', onEscape);
    process.off('uncaughtException', onEscape);
  });

  for (const name of ONLY.length > 0 ? ONLY : REST_PROPERTIES) {
    it(`${name}: answered, 4xx with a message and nothing changed, or done as answered`, async (t) => {
      const [report] = await runRestFuzz(target, { seed: SEED, numRuns: RUNS, only: [name], ...(process.env.FUZZ_PATH ? { path: process.env.FUZZ_PATH } : {}) });
      assert.ok(report);
      t.diagnostic(formatReports([report]));
      assert.equal(report.failure, undefined, formatReports([report]));
      assert.deepEqual(escaped, []);
    });
  }
});
