import assert from 'node:assert/strict';
import { test } from 'node:test';
import { renderTable } from './table';

void test('renderTable aligns columns with two spaces and a dash row, like Go tabwriter', () => {
  const out = renderTable(
    ['Tenant', 'Network', 'Subnet'],
    [
      ['default', 'contiv-net', '100.1.1.0/24'],
      ['blue', 'n', ''],
    ],
  );
  assert.equal(
    out,
    [
      'Tenant   Network     Subnet',
      '------   -------     ------',
      'default  contiv-net  100.1.1.0/24',
      'blue     n',
      '',
    ].join('\n'),
  );
});

void test('renderTable prints only the header rows for an empty list', () => {
  assert.equal(renderTable(['Name'], []), 'Name\n----\n');
});

void test('renderTable keeps a value with a tab or newline on its row', () => {
  assert.equal(renderTable(['A', 'B'], [['x\ty', 'z\nw']]), 'A    B\n-    -\nx y  z w\n');
});
