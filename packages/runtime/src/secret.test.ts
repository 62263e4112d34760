import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { inspect } from 'node:util';
import { readSecretFile, Secret } from './secret';

void test('a Secret prints as [redacted] however it is shown', () => {
  const s = new Secret('hunter2-hunter2-hunter2');
  const shown = [JSON.stringify({ token: s }), inspect({ token: s }), `${String(s)}`, `${s.toString()}`, inspect(s, { showHidden: true, depth: 5 })].join(' ');
  assert.equal(shown.includes('hunter2'), false, shown);
  assert.equal(s.reveal(), 'hunter2-hunter2-hunter2');
  assert.deepEqual(Object.keys(s), []);
});

void test('readSecretFile names the file, never the content, and warns about loose modes', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'secret-'));
  try {
    const file = path.join(dir, 'token');
    fs.writeFileSync(file, 'abc\n', { mode: 0o600 });
    const ok = readSecretFile(file, '--auth-token-file');
    assert.equal(ok.value.reveal().toString(), 'abc\n');
    assert.equal(ok.warning, undefined);
    fs.chmodSync(file, 0o640);
    assert.equal(readSecretFile(file, '--auth-token-file').warning, `--auth-token-file ${file} may be read by others than its owner (mode 0640); chmod 600 it`);
    assert.throws(() => readSecretFile(path.join(dir, 'nope'), '--auth-token-file'), /^Error: --auth-token-file .*nope: cannot read it \(ENOENT\)$/);
    assert.throws(() => readSecretFile(dir, '--auth-token-file'), /cannot read it \(EISDIR\)/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
