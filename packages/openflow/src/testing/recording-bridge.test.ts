import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { RecordingBridge } from './recording-bridge';
import { flow } from '../builder/flow-builder';
import { isOpenFlowError } from '../errors';
import { dropMeterMod } from '../codec/meter-mod';

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

  it('keeps meters with OVS rules: flows need their meter, deleting a meter deletes its flows', async () => {
    const br = new RecordingBridge();
    const metered = flow(0, 20).match((m) => m.inPort(3)).meter(3).gotoTable(1).build();
    await assert.rejects(br.addAll([metered]), /meter 3, which does not exist/);
    await br.meterMods([dropMeterMod('add', 3, 1000, 500)]);
    await assert.rejects(br.meterMods([dropMeterMod('add', 3, 1000, 500)]), /exists/);
    await assert.rejects(br.meterMods([dropMeterMod('modify', 4, 1000, 500)]), /does not exist/);
    await br.addAll([metered, a]);
    await br.meterMods([dropMeterMod('modify', 3, 2000, 1000)]);
    assert.deepEqual(
      (await br.dumpMeters()).map((m) => [m.meterId, m.bands[0]?.rate]),
      [[3, 2000]],
    );
    await br.meterMods([{ command: 'delete', meterId: 3, flags: 0, bands: [] }]);
    assert.deepEqual(br.meters(), []);
    assert.deepEqual(br.flowStrings(), ['cookie=0x100, priority=10,in_port=1 actions=output:2']);
  });
});
