import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { FakeNetmaster } from './testing/fake-netmaster';

// Runs the built binary as a user would, to check the shebang, stdio and exit codes.
const MAIN = path.join(__dirname, 'main.js');

interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
}

function netctl(args: string[], env: Record<string, string>): Promise<Result> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [MAIN, ...args], { env: { PATH: process.env.PATH ?? '', ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

let nm: FakeNetmaster;
before(async () => {
  nm = await FakeNetmaster.start();
});
after(async () => {
  await nm.close();
});

void test('lib/main.js starts with a node shebang', () => {
  assert.equal(fs.readFileSync(MAIN, 'utf8').split('\n')[0], '#!/usr/bin/env node');
});

void test('success: exit 0 and Contiv\'s line on stdout', async () => {
  nm.on('POST', '/api/v1/networks/default:contiv-net/', { json: {} });
  const r = await netctl(['network', 'create', 'contiv-net', '-s', '100.1.1.1/24', '-g', '100.1.1.100'], { NETMASTER: nm.url });
  assert.deepEqual(r, { code: 0, stdout: 'Creating network default:contiv-net\n', stderr: '' });
});

void test('usage error: exit 1', async () => {
  const r = await netctl(['network', 'create', 'contiv-net'], { NETMASTER: nm.url });
  assert.equal(r.code, 1);
  assert.equal(r.stderr, "error: Subnet is required (-s, --subnet A.B.C.D/N)\n(run 'netctl network create --help' for usage)\n");
});

void test('request error: exit 3 with one line', async () => {
  nm.on('GET', '/api/v1/tenants/default/', { status: 500, text: 'boom\nframe 1\nframe 2\n' });
  const r = await netctl(['net', 'ls'], { NETMASTER: nm.url });
  assert.deepEqual(r, { code: 3, stdout: '', stderr: 'boom\n' });
});
