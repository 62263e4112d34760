import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { RecordingBridge } from './recording-bridge';
import { flow } from '../builder/flow-builder';
import { isOpenFlowError } from '../errors';

describe('RecordingBridge', () => {
  const a = flow(0, 10).cookie(0x0100n).match((m) => m.inPort(1)).actions((x) => x.output(2)).build();
  const b = flow(1, 10).cookie(0x0200n).match((m) => m.inPort(2)).actions((x) => x.output(1)).build();

  it('records bundles and keeps the table they leave', async () => {
    const br = new RecordingBridge();
    await br.addAll([a, b]);
    await br.bundle({ modifies: [{ ...a, cookie: 9n, instructions: [] }], deletes: [b] });
    assert.equal(br.bundles.length, 2);
    assert.equal(br.messageCount, 4);
    assert.deepEqual(br.flowStrings(), ['cookie=0x100, priority=10,in_port=1 actions=drop']);
  });

  it('deletes by cookie mask and dumps by filter', async () => {
    const br = new RecordingBridge();
    await br.addAll([a, b]);
    assert.equal((await br.dumpFlows({ cookie: 0x0200n, cookieMask: 0xff00n })).length, 1);
    await br.deleteAll({ cookie: 0x0100n, cookieMask: 0xff00n });
    assert.deepEqual(br.flowStrings(), ['cookie=0x200, table=1, priority=10,in_port=2 actions=output:1']);
  });

  it('failNext rejects the next change and applies nothing', async () => {
    const br = new RecordingBridge();
    br.failNext();
    await assert.rejects(br.addAll([a]), (e) => isOpenFlowError(e, 'OF_BUNDLE_REJECTED'));
    assert.deepEqual(br.flows(), []);
    await br.addAll([a]);
    assert.equal(br.flows().length, 1);
  });

  it('rejects a bundle adding an existing group, atomically', async () => {
    const br = new RecordingBridge();
    await br.bundle({ groups: [{ command: 'add', groupType: 'all', groupId: 1, buckets: [] }] });
    await assert.rejects(br.bundle({ adds: [a], groups: [{ command: 'add', groupType: 'all', groupId: 1, buckets: [] }] }), (e) => isOpenFlowError(e, 'OF_BUNDLE_REJECTED'));
    assert.deepEqual(br.flows(), []);
    assert.equal(br.groups().length, 1);
  });
});
