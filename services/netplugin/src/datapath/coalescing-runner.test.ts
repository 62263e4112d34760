import assert from 'node:assert/strict';
import test from 'node:test';
import { CoalescingRunner } from './coalescing-runner';

void test('requests during a run fold into one next run, which every one of them waits for', async () => {
  let runs = 0;
  const gates: Array<() => void> = [];
  const runner = new CoalescingRunner(async () => {
    runs++;
    await new Promise<void>((r) => gates.push(r));
  });
  const first = runner.run();
  const second = runner.run();
  const third = runner.run();
  assert.equal(second, third);
  assert.equal(runs, 1);
  gates.shift()?.();
  await first;
  await new Promise((r) => setImmediate(r));
  assert.equal(runs, 2);
  gates.shift()?.();
  await Promise.all([second, third]);
  assert.equal(runs, 2);
});

void test('a failed run rejects its callers and does not stop the next one', async () => {
  let fail = true;
  const runner = new CoalescingRunner(() => (fail ? Promise.reject(new Error('boom')) : Promise.resolve()));
  const first = runner.run();
  fail = false;
  const second = runner.run();
  await assert.rejects(first, /boom/);
  await second;
});
