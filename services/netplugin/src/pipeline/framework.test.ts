import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import test from 'node:test';
import { isAgentError } from '../errors';
import { COOKIE_CATEGORY_MASK, COOKIE_ROUND_MASK, CookieCategory, Stage, allTables, defineTable, makeCookie, tableNames } from './framework';
import { PIPELINE_FEATURES } from './features/index';
import './tables';

const DOC = path.resolve(__dirname, '../../../../docs/ovs-pipeline.md');

void test('tables get ids in declaration order and stages never go back', () => {
  assert.deepEqual([...tableNames()], [
    [0, 'Classifier'],
    [1, 'EgressQos'],
    [2, 'ArpResponder'],
    [3, 'ConntrackZone'],
    [4, 'ConntrackState'],
    [5, 'ServiceLB'],
    [6, 'ServiceDnat'],
    [7, 'ServiceDstMac'],
    [8, 'SrcGroup'],
    [9, 'DstGroup'],
    [10, 'EgressRule'],
    [11, 'IngressRule'],
    [12, 'ConntrackCommit'],
    [13, 'L2Forwarding'],
    [14, 'Flood'],
  ]);
  const tables = allTables();
  for (let i = 1; i < tables.length; i++) assert.ok((tables[i]?.stage ?? 0) >= (tables[i - 1]?.stage ?? 0));
  assert.throws(() => defineTable('Classifier', Stage.Output), (err: unknown) => isAgentError(err, 'AGENT_INVALID_ARGUMENT'));
  assert.throws(() => defineTable('TooEarly', Stage.Classifier), (err: unknown) => isAgentError(err, 'AGENT_INVALID_ARGUMENT'));
  assert.equal(allTables().length, 15);
});

void test('every table is required by some feature', () => {
  const required = new Set(PIPELINE_FEATURES.flatMap((f) => f.requiredTables.map((t) => t.name)));
  assert.deepEqual([...required].sort(), allTables().map((t) => t.name).sort());
});

void test('cookie layout: round(16) | category(8) | reserved(8) | objectId(32)', () => {
  const cookie = makeCookie(0x1234, CookieCategory.RemoteEndpoint, 0xdeadbeef);
  assert.equal(cookie, 0x1234_04_00_deadbeefn);
  assert.equal((cookie & COOKIE_ROUND_MASK) >> 48n, 0x1234n);
  assert.equal((cookie & COOKIE_CATEGORY_MASK) >> 40n, 4n);
  assert.throws(() => makeCookie(0x10000, CookieCategory.Pipeline, 0));
  assert.throws(() => makeCookie(0, CookieCategory.Pipeline, 2 ** 32));
});

void test('docs/ovs-pipeline.md has a section for every table, and only for tables', () => {
  const doc = fs.readFileSync(DOC, 'utf8');
  const documented = [...doc.matchAll(/^### (\w+)\s*$/gm)].map((m) => m[1]);
  assert.deepEqual(documented, allTables().map((t) => t.name));
});
