#!/usr/bin/env node
// The test runner behind `make test` and .ci/run. It starts nothing itself: each
// test starts the servers it needs (etcd, OVS, dockerd) through test/lib/harness.
//
//   node test/run-tests.mjs [all|unit|integration|e2e]... [--only <substring>]
//
// Phases run in order, every test file of a phase in one `node --test` run with
// concurrency 1 (e2e tests own whole namespaces and engines; running them one at
// a time keeps a 2-core CI machine predictable). Output is the spec reporter's;
// the runner adds a line per phase and a final `N passed, N failed[, N skipped]`.
// Exit status: non-zero if any test failed or if no test ran at all.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

// The agents forward names they do not know to the host's resolvers (docs/dns.md),
// and tests send traffic only to addresses they create. So the agents the tests
// start answer unknown names NXDOMAIN, unless a test names its own upstream
// (dns.e2e sets dns_upstream to its test server before `cluster up`).
process.env.dns_upstream ??= 'none';

/** Test files of each phase, found under the compiled output (lib/). */
const PHASES = {
  unit: () => [
    ...findUnder(['packages', 'services'], (rel) => /^[^/]+\/[^/]+\/lib\/.*\.test\.js$/.test(rel)),
    // Repository-wide checks (docs kept in step with code) that need no server.
    ...findUnder(['test/lib/unit'], (rel) => /\.test\.js$/.test(rel)),
  ],
  integration: () => findUnder(['test/lib/integration'], (rel) => /\.itest\.js$/.test(rel)),
  e2e: () => findUnder(['test/lib/e2e'], (rel) => /\.e2e\.js$/.test(rel)),
};

// A stuck test must not hold CI forever; each test file sets tighter limits itself.
const TEST_TIMEOUT_MS = { unit: 120_000, integration: 300_000, e2e: 600_000 };

function findUnder(dirs, match) {
  const out = [];
  const walk = (abs) => {
    let entries;
    try {
      entries = fs.readdirSync(abs, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      if (e.name === 'node_modules') continue;
      const p = path.join(abs, e.name);
      if (e.isDirectory()) walk(p);
      else if (match(path.relative(ROOT, p))) out.push(p);
    }
  };
  for (const d of dirs) walk(path.join(ROOT, d));
  return out.sort();
}

function parseArgs(argv) {
  const phases = [];
  let only;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--only') only = argv[++i];
    else if (a === 'all') phases.push('unit', 'integration', 'e2e');
    else if (a in PHASES) phases.push(a);
    else {
      console.error(`usage: node test/run-tests.mjs [all|unit|integration|e2e]... [--only <substring>]\nunknown argument: ${a}`);
      process.exit(2);
    }
  }
  return { phases: phases.length > 0 ? phases : ['unit', 'integration', 'e2e'], only };
}

/** Runs one phase; resolves with the counts read from the spec reporter's summary. */
function runPhase(phase, files) {
  return new Promise((resolve) => {
    const args = [
      '--test',
      '--test-concurrency=1',
      '--test-reporter=spec',
      `--test-timeout=${TEST_TIMEOUT_MS[phase]}`,
      ...files,
    ];
    const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
    // The summary (`ℹ pass N`, ...) comes before the list of failing tests, so
    // read every line and keep the last value of each counter.
    const counters = {};
    let partial = '';
    const scan = (text) => {
      for (const m of text.matchAll(/^ℹ (\w+) (\d+)$/gm)) counters[m[1]] = Number(m[2]);
    };
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk) => {
      process.stdout.write(chunk);
      const text = partial + chunk;
      const cut = text.lastIndexOf('\n') + 1;
      scan(text.slice(0, cut));
      partial = text.slice(cut);
    });
    child.on('close', (code, signal) => {
      scan(partial);
      const count = (name) => counters[name] ?? 0;
      const c = {
        passed: count('pass'),
        failed: count('fail') + count('cancelled'),
        skipped: count('skipped') + count('todo'),
      };
      // A crash without a summary is a failure even if nothing was counted.
      if ((code !== 0 || signal) && c.failed === 0) c.failed = 1;
      resolve(c);
    });
  });
}

function summary({ passed, failed, skipped }) {
  return `${passed} passed, ${failed} failed${skipped > 0 ? `, ${skipped} skipped` : ''}`;
}

const { phases, only } = parseArgs(process.argv.slice(2));
const total = { passed: 0, failed: 0, skipped: 0 };
const lines = [];
for (const phase of phases) {
  let files = PHASES[phase]();
  if (only) files = files.filter((f) => f.includes(only));
  if (files.length === 0) {
    console.log(`\n=== ${phase}: no test files`);
    lines.push(`${phase}: no test files`);
    continue;
  }
  console.log(`\n=== ${phase}: ${files.length} file(s)`);
  const started = Date.now();
  const c = await runPhase(phase, files);
  const secs = ((Date.now() - started) / 1000).toFixed(1);
  const line = `${phase}: ${summary(c)} (${secs} s)`;
  console.log(`=== ${line}`);
  lines.push(line);
  total.passed += c.passed;
  total.failed += c.failed;
  total.skipped += c.skipped;
}

console.log('\n' + lines.map((l) => `  ${l}`).join('\n'));
console.log(summary(total));
if (total.passed + total.failed === 0) {
  console.error('no tests ran');
  process.exit(1);
}
process.exit(total.failed > 0 ? 1 : 0);
