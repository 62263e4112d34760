import assert from 'node:assert/strict';
import fs from 'node:fs';
import { test } from 'node:test';
import { DOC_PATH } from './gen-reference';
import { BEGIN_MARKER, END_MARKER, renderReference } from './reference';

void test('docs/netctl.md carries the current --help of every command (regenerate: pnpm --filter netctl docs)', async () => {
  const doc = fs.readFileSync(DOC_PATH, 'utf8');
  const begin = doc.indexOf(BEGIN_MARKER);
  const end = doc.indexOf(END_MARKER);
  assert.ok(begin >= 0 && end > begin, 'generated block markers missing');
  assert.equal(doc.slice(begin, end + END_MARKER.length), await renderReference());
});
