import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { noopLogger } from '@contiv/runtime';
import { EP1, FakeControl } from '../testing/fakes';
import { TeardownQueue } from './teardown-queue';

const addr = { tenantName: 'default', networkName: 'net1', ip: '10.1.1.3' };
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

void describe('TeardownQueue', () => {
  void test("DeleteEndpoint then Docker's ReleaseAddress of its address: one call with release_address", async () => {
    const control = new FakeControl();
    const q = new TeardownQueue({ control, log: noopLogger, mergeWaitMs: 5_000 });
    q.deleteEndpoint(EP1, addr, 'r1');
    assert.equal(control.calls.length, 0, 'waits for the release');
    q.releaseAddress(addr, 'r2');
    await q.idle();
    assert.deepEqual(control.calls, [{ method: 'DeleteEndpoint', req: { endpointId: EP1, releaseAddress: true } }]);
  });

  void test('no ReleaseAddress within the wait: the record alone, then the address on its own', async () => {
    const control = new FakeControl();
    const q = new TeardownQueue({ control, log: noopLogger, mergeWaitMs: 10 });
    q.deleteEndpoint(EP1, addr);
    await q.idle();
    q.releaseAddress(addr);
    await q.idle();
    assert.deepEqual(control.calls, [
      { method: 'DeleteEndpoint', req: { endpointId: EP1, releaseAddress: false } },
      { method: 'ReleaseAddress', req: { tenantName: 'default', networkName: 'net1', address: '10.1.1.3' } },
    ]);
  });

  void test('a record delete already sent is never widened: a retry could find no record and free nothing', async () => {
    const control = new FakeControl();
    control.fail('DeleteEndpoint', 'NETMASTER_UNAVAILABLE', 'netmaster is unreachable');
    const q = new TeardownQueue({ control, log: noopLogger, mergeWaitMs: 0, retryFirstMs: 20 });
    q.deleteEndpoint(EP1, addr);
    await sleep(5);
    q.releaseAddress(addr);
    control.failures.clear();
    await q.idle();
    const last = control.calls.filter((c) => c.method === 'DeleteEndpoint').at(-1);
    assert.deepEqual(last?.req, { endpointId: EP1, releaseAddress: false });
    assert.ok(control.calls.some((c) => c.method === 'ReleaseAddress'));
  });

  void test('a guarded release waits for the record delete of its address, and carries its guard', async () => {
    const control = new FakeControl();
    control.fail('DeleteEndpoint', 'NETMASTER_UNAVAILABLE', 'netmaster is unreachable');
    const q = new TeardownQueue({ control, log: noopLogger, mergeWaitMs: 0, retryFirstMs: 20 });
    q.deleteEndpoint(EP1, addr);
    await sleep(5);
    q.releaseAddress(addr, 'r2', { host: 'h1', owner: '' });
    await sleep(50);
    assert.equal(control.calls.filter((c) => c.method === 'ReleaseAddress').length, 0, 'netmaster would keep an address whose record still exists');
    control.failures.clear();
    await q.idle();
    const methods = control.calls.map((c) => c.method);
    assert.ok(methods.lastIndexOf('DeleteEndpoint') < methods.indexOf('ReleaseAddress'), methods.join(','));
    assert.deepEqual(control.calls.at(-1)?.req, { tenantName: 'default', networkName: 'net1', address: '10.1.1.3', host: 'h1', owner: '' });
  });

  void test('retries while netmaster is away; NOT_FOUND counts as done; outstanding work is visible', async () => {
    const control = new FakeControl();
    control.fail('ReleaseAddress', 'NETMASTER_UNAVAILABLE', 'netmaster is unreachable');
    const q = new TeardownQueue({ control, log: noopLogger, retryFirstMs: 5 });
    q.releaseAddress(addr);
    await sleep(30);
    assert.ok(q.hasAddress(addr));
    assert.ok(control.calls.length >= 2, `retried: ${control.calls.length}`);
    control.fail('ReleaseAddress', 'NOT_FOUND', 'gone');
    await q.idle();
    assert.equal(q.hasAddress(addr), false);
    assert.equal(q.size, 0);
  });

  void test('drain at shutdown sends what waits for a merge and reports what could not be done', async () => {
    const control = new FakeControl();
    const q = new TeardownQueue({ control, log: noopLogger, mergeWaitMs: 60_000 });
    q.deleteEndpoint(EP1, addr);
    assert.equal(await q.drain(1_000), 0);
    assert.deepEqual(control.calls, [{ method: 'DeleteEndpoint', req: { endpointId: EP1, releaseAddress: false } }]);

    const down = new FakeControl();
    down.fail('DeleteEndpoint', 'NETMASTER_UNAVAILABLE', 'netmaster is unreachable');
    const q2 = new TeardownQueue({ control: down, log: noopLogger, retryFirstMs: 5 });
    q2.deleteEndpoint(EP1, undefined);
    assert.equal(await q2.drain(50), 1);
  });
});
