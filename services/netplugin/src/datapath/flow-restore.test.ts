import assert from 'node:assert/strict';
import test from 'node:test';
import { encodeDatum } from '@contiv/ovsdb-client';
import { noopLogger } from '@contiv/runtime';
import type { LogMeta, Logger } from '@contiv/runtime';
import { clearFlowRestoreWaitOps, FlowRestoreWait, type FlowRestoreWaitOps } from './flow-restore';

/** A logger that keeps "level message" lines. */
function recordingLogger(lines: string[]): Logger {
  const at =
    (level: string) =>
    (msg: string, _meta?: LogMeta): void => {
      lines.push(`${level} ${msg}`);
    };
  const log: Logger = { ...noopLogger, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error'), child: () => log };
  return log;
}

/** other_config:flow-restore-wait as OVS would hold it; `failures` clears fail first. */
class FakeOvs implements FlowRestoreWaitOps {
  flowRestoreWait: string | undefined;
  clears = 0;
  failures = 0;
  clear(): Promise<boolean> {
    this.clears++;
    if (this.failures > 0) {
      this.failures--;
      return Promise.reject(new Error('OVSDB connection lost'));
    }
    const was = this.flowRestoreWait === 'true';
    this.flowRestoreWait = undefined;
    return Promise.resolve(was);
  }
}

const tick = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

void test('the transaction reads other_config and deletes only the flow-restore-wait key', () => {
  const [select, mutate] = clearFlowRestoreWaitOps();
  assert.deepEqual(select, { op: 'select', table: 'Open_vSwitch', where: [], columns: ['other_config'] });
  assert.ok(mutate?.op === 'mutate' && mutate.table === 'Open_vSwitch');
  const [column, mutator, value] = mutate.mutations[0] ?? [];
  assert.deepEqual([column, mutator, value === undefined ? undefined : encodeDatum(value)], ['other_config', 'delete', ['set', ['flow-restore-wait']]]);
  assert.equal(mutate.mutations.length, 1);
});

void test('cleared once the flows are back after a (re)connect, not before; says so when it was set', async () => {
  const ovs = new FakeOvs();
  ovs.flowRestoreWait = 'true';
  const lines: string[] = [];
  const w = new FlowRestoreWait({ ops: ovs, log: recordingLogger(lines), giveUpMs: 60_000 });
  await w.restored('nothing pending');
  assert.equal(ovs.clears, 0, 'nothing happens without a (re)connect');
  w.begin('OpenFlow reconnect');
  assert.equal(w.pending, true);
  assert.equal(ovs.flowRestoreWait, 'true', 'vswitchd keeps waiting until the flows are back');
  await w.restored('12 flows replayed');
  assert.equal(ovs.flowRestoreWait, undefined);
  assert.equal(w.pending, false);
  assert.deepEqual(lines, ['info Flows restored; cleared flow-restore-wait: ovs-vswitchd forwards again']);
  await w.restored('again');
  assert.equal(ovs.clears, 1, 'one clear per (re)connect');
  w.stop();
});

void test('not set: cleared quietly (a running vswitchd ignores the key anyway)', async () => {
  const ovs = new FakeOvs();
  const lines: string[] = [];
  const w = new FlowRestoreWait({ ops: ovs, log: recordingLogger(lines), giveUpMs: 60_000 });
  w.begin('agent start');
  await w.restored('reconcile');
  assert.equal(ovs.clears, 1);
  assert.deepEqual(lines, []);
  w.stop();
});

void test('no flows to restore in time (store away at agent start): cleared anyway, with a warning', async () => {
  const ovs = new FakeOvs();
  ovs.flowRestoreWait = 'true';
  const lines: string[] = [];
  const w = new FlowRestoreWait({ ops: ovs, log: recordingLogger(lines), giveUpMs: 20 });
  w.begin('agent start');
  for (let i = 0; i < 100 && w.pending; i++) await tick(5);
  assert.equal(w.pending, false);
  assert.equal(ovs.flowRestoreWait, undefined);
  assert.deepEqual(lines, ['warn Cleared flow-restore-wait without our flows: ovs-vswitchd forwards again']);
  w.stop();
});

void test('OVSDB away: the clear is retried until it goes through', async () => {
  const ovs = new FakeOvs();
  ovs.flowRestoreWait = 'true';
  ovs.failures = 2;
  const lines: string[] = [];
  const w = new FlowRestoreWait({ ops: ovs, log: recordingLogger(lines), giveUpMs: 60_000, retryMs: 5 });
  w.begin('OpenFlow reconnect');
  await w.restored('replay');
  for (let i = 0; i < 100 && w.pending; i++) await tick(5);
  assert.equal(ovs.clears, 3);
  assert.equal(ovs.flowRestoreWait, undefined);
  assert.deepEqual(lines, [
    'warn Could not clear flow-restore-wait; retrying',
    'warn Could not clear flow-restore-wait; retrying',
    'info Flows restored; cleared flow-restore-wait: ovs-vswitchd forwards again',
  ]);
  w.stop();
});

void test('stopped: nothing more is cleared', async () => {
  const ovs = new FakeOvs();
  ovs.flowRestoreWait = 'true';
  const w = new FlowRestoreWait({ ops: ovs, log: noopLogger, giveUpMs: 10 });
  w.begin('agent start');
  w.stop();
  await tick(30);
  await w.restored('late');
  assert.equal(ovs.clears, 0);
  assert.equal(ovs.flowRestoreWait, 'true');
});
