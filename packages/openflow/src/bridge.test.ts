import { afterEach, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { OpenFlowBridge } from './bridge';
import { FakeSwitch, BUNDLE_MSG_FAILED } from './testing/fake-switch';
import { flow } from './builder/flow-builder';
import { isOpenFlowError } from './errors';
import type { OfMessage } from './codec/message';

describe('OpenFlowBridge bundles', () => {
  let sw: FakeSwitch;
  let br: OpenFlowBridge;
  beforeEach(async () => {
    sw = await FakeSwitch.start();
    br = await OpenFlowBridge.connect({ endpoint: sw.endpoint, probeIntervalMs: 0 });
    sw.received.length = 0;
  });
  afterEach(async () => {
    br.close();
    await sw.stop();
  });

  const types = (msgs: readonly OfMessage[]): string[] => msgs.map((m) => (m.type === 'bundle_control' ? m.control : m.type === 'bundle_add' ? `add:${m.message.type}` : m.type));
  const f1 = flow(0, 1).actions((a) => a.output(1)).build();
  const f2 = flow(0, 2).actions((a) => a.output(2)).build();
  const f3 = flow(0, 3).build();

  it('opens, adds, checks with a barrier, then commits; applied in order', async () => {
    await br.bundle({ adds: [f1], deletes: [f3], modifies: [f2], groups: [{ command: 'add', groupType: 'all', groupId: 1, buckets: [] }, { command: 'delete', groupType: 'all', groupId: 2, buckets: [] }] });
    assert.deepEqual(types(sw.received), ['open_request', 'add:group_mod', 'add:flow_mod', 'add:flow_mod', 'add:flow_mod', 'add:group_mod', 'barrier_request', 'commit_request', 'barrier_request']);
    const cmds = sw.applied.map((m) => (m.type === 'flow_mod' ? m.command : m.type === 'group_mod' ? `group_${m.command}` : m.type));
    assert.deepEqual(cmds, ['group_add', 'delete_strict', 'modify_strict', 'add', 'group_delete']);
    const flags = sw.received.map((m) => (m.type === 'bundle_control' || m.type === 'bundle_add' ? m.flags : 3));
    assert.ok(flags.every((fl) => fl === 3), 'atomic + ordered');
    assert.deepEqual(br.stats, { bundlesCommitted: 1, bundlesRejected: 0, bundledMessages: 5 });
  });

  it('sends nothing for an empty bundle', async () => {
    await br.bundle({});
    assert.equal(sw.received.length, 0);
  });

  it('discards the bundle when an add is refused, and reports which flow', async () => {
    sw.failWhen = (m) => (m.type === 'flow_mod' && m.priority === 2 ? { errType: 4, code: 9 } : undefined);
    await assert.rejects(br.addAll([f1, f2]), (e) => {
      assert.ok(isOpenFlowError(e, 'OF_BUNDLE_REJECTED'));
      assert.equal(e.failures.length, 1);
      assert.equal(e.failures[0]?.index, 1);
      assert.equal(e.failures[0]?.operation, 'add priority=2 actions=output:2');
      assert.equal(e.failures[0]?.error.name, 'OFPBMC_BAD_PREREQ');
      return true;
    });
    assert.deepEqual(types(sw.received), ['open_request', 'add:flow_mod', 'add:flow_mod', 'barrier_request', 'discard_request', 'barrier_request']);
    assert.equal(sw.applied.length, 0);
    assert.equal(br.stats.bundlesRejected, 1);
  });

  it('maps a failed commit back to the message that failed', async () => {
    sw.failWhen = (m) => (m.type === 'flow_mod' && m.priority === 1 ? { errType: 2, code: 9, atCommit: true } : undefined);
    await assert.rejects(br.addAll([f2, f1]), (e) => {
      assert.ok(isOpenFlowError(e, 'OF_BUNDLE_REJECTED'));
      assert.equal(e.failures[0]?.index, 1);
      assert.equal(e.failures[0]?.error.name, 'OFPBAC_BAD_OUT_GROUP');
      assert.match(e.message, /nothing applied/);
      return true;
    });
    assert.equal(sw.applied.length, 0);
    assert.equal(BUNDLE_MSG_FAILED.code, 2313);
  });

  it('deleteAll sends one non-strict delete over all tables with the cookie mask', async () => {
    await br.deleteAll({ cookie: 0x10000n, cookieMask: 0xff0000n });
    const del = sw.applied[0];
    assert.ok(del?.type === 'flow_mod');
    assert.equal(del.command, 'delete');
    assert.equal(del.table, 0xff);
    assert.equal(del.cookie, 0x10000n);
    assert.equal(del.cookieMask, 0xff0000n);
  });

  it('dumpFlows passes the cookie filter and returns the entries', async () => {
    sw.flows = [{ ...f1, idleTimeout: 0, hardTimeout: 0, flags: 0, importance: 0, durationSec: 0, durationNsec: 0, packetCount: 0n, byteCount: 0n }];
    const flows = await br.dumpFlows({ cookie: 5n, cookieMask: 0xffn, table: 2 });
    assert.equal(flows.length, 1);
    const req = sw.received.find((m) => m.type === 'multipart_request');
    assert.ok(req?.type === 'multipart_request' && req.body.mpType === 'flow');
    assert.equal(req.body.table, 2);
    assert.equal(req.body.cookieMask, 0xffn);
  });
});
