import assert from 'node:assert/strict';
import test from 'node:test';
import { flow, type Flow } from '@contiv/openflow';
import { isAgentError } from '../errors';
import type { ObjectFlows } from './framework';
import { allFlows, diffFlowSets, toFlowSet, type FlowSet } from './flow-cache';

/** A flow whose identity is its priority (table 0, no match); `goto` changes only its instructions. */
const f = (priority: number, goto = 1): Flow => flow(0, priority).gotoTable(goto).build();

function obj(key: string, flows: readonly Flow[], signature?: string): ObjectFlows {
  return signature === undefined ? { key, flows } : { key, flows, signature };
}

const set = (objects: readonly ObjectFlows[], previous?: FlowSet): FlowSet => toFlowSet(new Map([['feat', objects]]), previous);

function assertDuplicate(run: () => unknown, owners: RegExp): void {
  assert.throws(run, (err: unknown) => isAgentError(err) && err.code === 'AGENT_INVALID_ARGUMENT' && owners.test(err.message));
}

void test('two objects wanting the same flow are refused, naming both', () => {
  assertDuplicate(() => set([obj('a', [f(10)]), obj('b', [f(10)])]), /feat\/a and feat\/b/);
});

void test('a new object wanting a flow that a reused object holds is refused', () => {
  const first = set([obj('a', [f(10)], 'sa')]);
  // `a` is reused (same signature): its flows are not rendered again, yet still owned.
  assertDuplicate(() => set([obj('a', [f(10)], 'sa'), obj('b', [f(10)])], first), /feat\/a and feat\/b/);
});

void test('an object rebuilt with the same flows, or one taking over a removed object\'s flow, is not a duplicate', () => {
  const first = set([obj('a', [f(10), f(11)], 'sa'), obj('b', [f(20)], 'sb')]);
  const second = set([obj('a', [f(10, 2), f(11)], 'sa2'), obj('c', [f(20)], 'sc')], first);
  assert.deepEqual(diffFlowSets(first, second), { adds: [], modifies: [f(10, 2)], deletes: [] });
  // And the owners carried into the next set are right: b's flow is c's now.
  assertDuplicate(() => set([obj('a', [f(10, 2), f(11)], 'sa2'), obj('c', [f(20)], 'sc'), obj('d', [f(20)])], second), /feat\/c and feat\/d/);
  const third = set([obj('a', [f(10, 2), f(11)], 'sa2'), obj('d', [f(20)])], second);
  assert.equal(allFlows(third).length, 3);
});

void test('an object listed twice is merged; the flows of a reused first listing stay owned', () => {
  const first = set([obj('a', [f(10)], 'sa')]);
  const merged = set([obj('a', [f(10)], 'sa'), obj('a', [f(11)])], first);
  assert.equal(merged.get('feat')?.get('a')?.flows.length, 2);
  // a's first listing is reused from `first`, and the merge must not lose that it owns flow 10.
  assertDuplicate(() => set([obj('a', [f(10)], 'sa'), obj('a', [f(11)]), obj('b', [f(10)])], first), /feat\/a and feat\/b/);
  assertDuplicate(() => set([obj('a', [f(10)], 'sa'), obj('a', [f(11)]), obj('b', [f(10)])], merged), /feat\/a and feat\/b/);
});

void test('flows moved between objects of different features are diffed as unchanged', () => {
  const first = toFlowSet(new Map([['x', [obj('a', [f(10)], 's')]], ['y', []]]));
  const second = toFlowSet(new Map([['x', []], ['y', [obj('b', [f(10)], 's')]]]), first);
  assert.deepEqual(diffFlowSets(first, second), { adds: [], modifies: [], deletes: [] });
});
