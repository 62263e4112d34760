/**
 * OpenFlow 1.3 meters with @contiv/openflow against a real ovs-vswitchd
 * (userspace datapath): METER_MODs read back by `ovs-ofctl dump-meters`,
 * meters made by `ovs-ofctl add-meter` decoded by dumpMeters, the meter
 * instruction in flows, and the OVS rules MeterSync is built on: a flow
 * cannot use a missing meter, deleting a meter deletes its flows, and a
 * METER_MOD cannot go in a bundle.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { OFPBF_ATOMIC, OFPBF_ORDERED, OFPM, OpenFlowBridge, bridgeMgmtEndpoint, dropMeterMod, flow, flowsToStrings, isOpenFlowError, meterToString, normalizeDumpFlows } from '@contiv/openflow';
import { startOvs } from '../harness/ovs';
import type { Ovs } from '../harness/ovs';

const rand = (): string => Math.random().toString(36).slice(2, 6);

/** `ovs-ofctl dump-meters` output (in hash order) as one line per meter, like meterToString, by meter id. */
function normalizeDumpMeters(text: string): string[] {
  const out: string[] = [];
  for (const line of text.split('\n').map((l) => l.trim())) {
    if (line === '' || line.startsWith('OFPST_')) continue;
    if (line.startsWith('meter=')) out.push(line);
    else if (out.length > 0) out[out.length - 1] += line;
  }
  const id = (l: string): number => Number(/^meter=(\d+)/.exec(l)?.[1]);
  return out.sort((a, b) => id(a) - id(b));
}

let ovs: Ovs;
before(async () => {
  ovs = await startOvs({ ownNetns: true });
});
after(async () => {
  await ovs?.stop();
});

describe('OpenFlow meters against ovs-vswitchd', { timeout: 120_000 }, () => {
  const br = `bme${rand()}`;
  let bridge: OpenFlowBridge;
  const ofctlMeters = async (): Promise<string[]> => normalizeDumpMeters(await ovs.ofctl('-O', 'OpenFlow13', 'dump-meters', br));
  const dumpFlows = async (): Promise<string[]> => normalizeDumpFlows(await ovs.ofctl('-O', 'OpenFlow13', 'dump-flows', br, '--no-stats'));
  const del = (meterId: number): Parameters<OpenFlowBridge['meterMods']>[0][number] => ({ command: 'delete', meterId, flags: 0, bands: [] });

  before(async () => {
    await ovs.vsctl('add-br', br, '--', 'set', 'bridge', br, 'datapath_type=netdev', 'protocols=OpenFlow13', 'fail_mode=secure');
    bridge = await OpenFlowBridge.connect({ endpoint: bridgeMgmtEndpoint(ovs.dir, br), timeoutMs: 20_000 });
  });
  after(async () => {
    bridge?.close();
    await ovs.vsctl('--if-exists', 'del-br', br).catch(() => undefined);
  });

  it('adds, modifies and deletes meters as ovs-ofctl dump-meters shows them', async () => {
    await bridge.meterMods([dropMeterMod('add', 3, 2000, 1000), dropMeterMod('add', 40000, 64, 96)]);
    assert.deepEqual(await ofctlMeters(), [
      'meter=3 kbps burst stats bands=type=drop rate=2000 burst_size=1000',
      'meter=40000 kbps burst stats bands=type=drop rate=64 burst_size=96',
    ]);
    assert.deepEqual((await bridge.dumpMeters()).map(meterToString), await ofctlMeters());
    await bridge.meterMods([dropMeterMod('modify', 3, 5000, 2500)]);
    assert.deepEqual((await bridge.dumpMeters(3)).map(meterToString), ['meter=3 kbps burst stats bands=type=drop rate=5000 burst_size=2500']);
    await bridge.meterMods([del(40000)]);
    assert.deepEqual(await ofctlMeters(), ['meter=3 kbps burst stats bands=type=drop rate=5000 burst_size=2500']);
    await bridge.meterMods([del(OFPM.ALL)]);
    assert.deepEqual(await bridge.dumpMeters(), []);
  });

  it('decodes meters ovs-ofctl made', async () => {
    await ovs.ofctl('-O', 'OpenFlow13', 'add-meter', br, 'meter=7,kbps,burst,band=type=drop,rate=10000,burst_size=5000');
    await ovs.ofctl('-O', 'OpenFlow13', 'add-meter', br, 'meter=8,pktps,band=type=drop,rate=100');
    const meters = await bridge.dumpMeters();
    assert.deepEqual(meters.map(meterToString), await ofctlMeters());
    assert.deepEqual(meters.map(meterToString), ['meter=7 kbps burst bands=type=drop rate=10000 burst_size=5000', 'meter=8 pktps bands=type=drop rate=100']);
    await bridge.meterMods([del(OFPM.ALL)]);
  });

  it('names the failed METER_MOD: adding an existing meter, modifying a missing one', async () => {
    await bridge.meterMods([dropMeterMod('add', 5, 1000, 500)]);
    await assert.rejects(bridge.meterMods([dropMeterMod('add', 5, 1000, 500)]), (e: unknown) => isOpenFlowError(e) && e.code === 'OF_ERROR_REPLY' && /meter add meter_id=5: OFPMMFC_METER_EXISTS/.test(e.message));
    await assert.rejects(bridge.meterMods([dropMeterMod('modify', 6, 1000, 500)]), /meter modify meter_id=6: OFPMMFC_UNKNOWN_METER/);
    await bridge.meterMods([del(OFPM.ALL)]);
  });

  it('a flow uses a meter only once it exists, and deleting the meter deletes the flow', async () => {
    const metered = flow(0, 100).cookie(0x7n).match((m) => m.inPort(1).ip()).meter(9).actions((a) => a.setField('ip_dscp', 46)).gotoTable(1).build();
    await assert.rejects(bridge.addAll([metered]), (e: unknown) => isOpenFlowError(e) && e.code === 'OF_BUNDLE_REJECTED' && /OFPMMFC_INVALID_METER/.test(e.message));
    await bridge.meterMods([dropMeterMod('add', 9, 1000, 500)]);
    await bridge.addAll([metered]);
    assert.deepEqual(await dumpFlows(), flowsToStrings([metered]));
    assert.deepEqual(await dumpFlows(), ['cookie=0x7, priority=100,ip,in_port=1 actions=meter:9,set_field:46->ip_dscp,goto_table:1']);
    await bridge.meterMods([del(9)]);
    assert.deepEqual(await dumpFlows(), []);
  });

  it('refuses a METER_MOD inside a bundle (why MeterSync orders meters around the flow bundle)', async () => {
    const flags = OFPBF_ATOMIC | OFPBF_ORDERED;
    const [opened, added] = await bridge.client.transact([
      { type: 'bundle_control', bundleId: 99, control: 'open_request', flags },
      { type: 'bundle_add', bundleId: 99, flags, message: { type: 'meter_mod', xid: 0, ...dropMeterMod('add', 1, 1000, 500) } },
    ]);
    await bridge.client.transact([{ type: 'bundle_control', bundleId: 99, control: 'discard_request', flags }]);
    assert.equal(opened?.error, undefined);
    assert.equal(added?.error?.name, 'OFPBFC_MSG_UNSUP');
  });
});
