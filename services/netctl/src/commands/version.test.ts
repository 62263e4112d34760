import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cliSuite } from '../testing/cli-suite';
import { runCli } from '../testing/run-cli';

const { nm, run } = cliSuite();

const CLIENT = 'Client Version:\nVersion: 9.9.9-test\nGitCommit: abc123\nBuildTime: 2026-01-01T00:00:00Z\n\n';

void test('version prints the client block, then the server\'s (our field names)', async () => {
  nm.on('GET', '/version', { json: { version: '1.0.0', gitCommit: 'def456', buildTime: 'today' } });
  const r = await run('version');
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, `${CLIENT}Server Version:\nVersion: 1.0.0\nGitCommit: def456\nBuildTime: today\n`);
});

void test('version understands Contiv\'s capitalised fields', async () => {
  nm.on('GET', '/version', { json: { Version: '1.2.0', GitCommit: 'x', BuildTime: 'y' } });
  const r = await run('version');
  assert.match(r.stdout, /Server Version:\nVersion: 1\.2\.0\nGitCommit: x\nBuildTime: y\n$/);
});

void test('version without a netmaster: client block, one error line, exit 3', async () => {
  const r = await runCli(['version'], { NETMASTER: 'http://127.0.0.1:1' });
  assert.equal(r.code, 3);
  assert.equal(r.stdout, CLIENT);
  assert.match(r.stderr, /^cannot reach netmaster at http:\/\/127\.0\.0\.1:1: [^\n]+\n$/);
});

void test('--version prints the client version only', async () => {
  const r = await run('--version');
  assert.equal(r.code, 0);
  assert.equal(r.stdout, 'netctl\nVersion: 9.9.9-test\nGitCommit: abc123\nBuildTime: 2026-01-01T00:00:00Z\n');
  assert.deepEqual(nm.calls(), []);
});
