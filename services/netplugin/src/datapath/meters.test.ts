import assert from 'node:assert/strict';
import test from 'node:test';
import { dropMeterMod, meterToString } from '@contiv/openflow';
import { RecordingBridge } from '@contiv/openflow/testing';
import type { DesiredState } from '../pipeline/desired-state';
import { meterSpecs } from '../pipeline/features/egress-qos';
import { tableNames } from '../pipeline/framework';
import { PipelineReconciler } from '../pipeline/reconciler';
import { desiredState, localEndpoint, renderPipeline, vxlanNetwork } from '../pipeline/testing/fixtures';
import { MeterSync } from './meters';

const NET = 'default/net';
const state = (...eps: Parameters<typeof localEndpoint>[4][]): DesiredState =>
  desiredState({ networks: [vxlanNetwork(NET, 1, 1)], localEndpoints: eps.map((more, i) => localEndpoint(`ep${i}`, 3 + i, NET, `10.1.1.${1 + i}`, more)) });

/** One agent run as the controller does it; the bridge must then hold exactly the rendered flows. */
async function run(sync: MeterSync, reconciler: PipelineReconciler, bridge: RecordingBridge, s: DesiredState): Promise<void> {
  await sync.around(meterSpecs(s), () => reconciler.reconcile(s));
  assert.deepEqual(bridge.flowStrings({ tableNames: tableNames() }), renderPipeline(s, 1));
}

const meterLines = (b: RecordingBridge): string[] => b.meters().map(meterToString);

void test('meters follow the endpoints: added before their flows, changed in place, deleted after the flows stop using them', async () => {
  const bridge = new RecordingBridge();
  const sync = new MeterSync({ ops: bridge });
  const reconciler = new PipelineReconciler({ bridge, round: 1 });
  const flowCount = (): number => bridge.flows().length;

  // RecordingBridge refuses a flow whose meter is missing: this passes only if the meter came first.
  await run(sync, reconciler, bridge, state({ bandwidthKbps: 2000 }, { dscp: 46 }));
  assert.deepEqual(meterLines(bridge), ['meter=3 kbps burst stats bands=type=drop rate=2000 burst_size=1000']);
  const withMeter = flowCount();

  bridge.clearCalls();
  await run(sync, reconciler, bridge, state({ bandwidthKbps: 4000, burstKbits: 300 }, { dscp: 46 }));
  assert.deepEqual(
    bridge.calls.filter((c) => c.op === 'meterMods').map((c) => (c.op === 'meterMods' ? c.mods.map((m) => `${m.command} ${m.meterId}`) : [])),
    [['modify 3']],
    'a changed rate modifies the meter (its flows stay)',
  );
  assert.deepEqual(meterLines(bridge), ['meter=3 kbps burst stats bands=type=drop rate=4000 burst_size=300']);
  assert.equal(flowCount(), withMeter);

  // The profile goes: the flow bundle drops meter:3 first, then the meter goes. In the other order
  // deleting the meter would take the flows with it and the reconciler's cache would be wrong.
  await run(sync, reconciler, bridge, state({}, { dscp: 46 }));
  assert.deepEqual(meterLines(bridge), []);
  assert.equal(flowCount(), withMeter - 1, 'only the metered catch-all flow went');
  assert.ok(!bridge.flowStrings().some((l) => l.includes('meter:')));

  bridge.clearCalls();
  await run(sync, reconciler, bridge, state({}, { dscp: 46 }));
  assert.deepEqual(
    bridge.calls.map((c) => c.op),
    [],
    'the same state again sends nothing and reads nothing',
  );
});

void test('a restarted agent adopts the meters it left and deletes the ones nobody uses', async () => {
  const bridge = new RecordingBridge();
  await bridge.meterMods([dropMeterMod('add', 3, 2000, 1000), dropMeterMod('add', 9, 100, 100), dropMeterMod('add', 4, 1, 1)]);
  const sync = new MeterSync({ ops: bridge });
  bridge.clearCalls();
  await sync.around(meterSpecs(state({ bandwidthKbps: 2000 }, { bandwidthKbps: 500 })), async () => undefined);
  assert.deepEqual(
    bridge.calls.map((c) => (c.op === 'meterMods' ? c.mods.map((m) => `${m.command} ${m.meterId}`).join(',') : c.op)),
    ['dumpMeters', 'modify 4', 'delete 9'],
  );
  assert.deepEqual(meterLines(bridge), ['meter=3 kbps burst stats bands=type=drop rate=2000 burst_size=1000', 'meter=4 kbps burst stats bands=type=drop rate=500 burst_size=250']);
});

void test('replay after vswitchd lost its tables restores the meters so the flows can be replayed', async () => {
  const bridge = new RecordingBridge();
  const sync = new MeterSync({ ops: bridge });
  const reconciler = new PipelineReconciler({ bridge, round: 1 });
  const s = state({ bandwidthKbps: 2000, dscp: 10 });
  await run(sync, reconciler, bridge, s);
  const flows = bridge.flowStrings();
  bridge.wipe();
  await sync.replay();
  await reconciler.replay();
  assert.deepEqual(bridge.flowStrings(), flows);
  assert.deepEqual(meterLines(bridge), ['meter=3 kbps burst stats bands=type=drop rate=2000 burst_size=1000']);
});

void test('a failed METER_MOD makes the next run read the switch again, and the flows are not touched', async () => {
  const bridge = new RecordingBridge();
  const sync = new MeterSync({ ops: bridge });
  const reconciler = new PipelineReconciler({ bridge, round: 1 });
  const s = state({ bandwidthKbps: 2000 });
  bridge.failNext();
  await assert.rejects(sync.around(meterSpecs(s), () => reconciler.reconcile(s)), /told to reject/);
  assert.equal(bridge.flows().length, 0, 'no bundle after the meters failed');
  bridge.clearCalls();
  await run(sync, reconciler, bridge, s);
  assert.equal(bridge.calls[0]?.op, 'dumpMeters');
  assert.equal(bridge.meters().length, 1);
});
