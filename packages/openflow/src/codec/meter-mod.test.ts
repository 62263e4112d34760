/**
 * Meter encodings checked against Open vSwitch 3.1. The METER_MOD and
 * METER_CONFIG request fixtures are what `ovs-ofctl -O OpenFlow13
 * add-meter|mod-meter|del-meters|dump-meters tcp:...` sent to a listener
 * that recorded the bytes; the flow fixtures come from `ovs-ofctl -O
 * OpenFlow13 -mmmmm parse-flow` (as in ovs-encodings.test.ts). The
 * METER_CONFIG reply was fed back to `ovs-ofctl dump-meters`, which printed
 * the two meters `meterToString` renders.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { flow } from '../builder/flow-builder';
import { flowModFor } from '../operations';
import { instructionsToString } from '../flow-string';
import { isOpenFlowError } from '../errors';
import { OFPM, OFPMF } from './constants';
import { decodeMessage, encodeMessage } from './message';
import type { OfMessage } from './message';
import { dropMeterMod, meterToString } from './meter-mod';

const METER_MODS: readonly { readonly input: string; readonly hex: string; readonly msg: OfMessage }[] = [
  {
    input: 'add-meter meter=1,kbps,burst,stats,band=type=drop,rate=2000,burst_size=1000',
    hex: '041d0020000000020000000d0000000100010010000007d0000003e800000000',
    msg: { type: 'meter_mod', xid: 2, ...dropMeterMod('add', 1, 2000, 1000) },
  },
  {
    input: 'mod-meter meter=7,kbps,burst,band=type=drop,rate=10000,burst_size=5000',
    hex: '041d002000000002000100050000000700010010000027100000138800000000',
    msg: { type: 'meter_mod', xid: 2, command: 'modify', meterId: 7, flags: OFPMF.KBPS | OFPMF.BURST, bands: [{ type: 'drop', rate: 10000, burstSize: 5000 }] },
  },
  {
    input: 'del-meters meter=7',
    hex: '041d0010000000020002000000000007',
    msg: { type: 'meter_mod', xid: 2, command: 'delete', meterId: 7, flags: 0, bands: [] },
  },
  {
    input: 'del-meters meter=all',
    hex: '041d00100000000200020000ffffffff',
    msg: { type: 'meter_mod', xid: 2, command: 'delete', meterId: OFPM.ALL, flags: 0, bands: [] },
  },
  {
    input: 'dump-meters meter=all',
    hex: '0412001800000002000a000000000000ffffffff00000000',
    msg: { type: 'multipart_request', xid: 2, flags: 0, body: { mpType: 'meter_config', meterId: OFPM.ALL } },
  },
  {
    input: 'dump-meters meter=5',
    hex: '0412001800000002000a0000000000000000000500000000',
    msg: { type: 'multipart_request', xid: 2, flags: 0, body: { mpType: 'meter_config', meterId: 5 } },
  },
];

describe('METER_MOD and METER_CONFIG requests match ovs-ofctl byte for byte', () => {
  for (const fx of METER_MODS) {
    it(fx.input, () => {
      assert.equal(encodeMessage(fx.msg).toString('hex'), fx.hex);
      assert.deepEqual(decodeMessage(Buffer.from(fx.hex, 'hex')), fx.msg);
    });
  }
});

describe('METER_CONFIG reply', () => {
  const hex = '0413004000000002000a000000000000001800050000000700010010000027100000138800000000001800050000000800010010000003e8000001f400000000';
  it('decodes every meter and re-encodes identically', () => {
    const msg = decodeMessage(Buffer.from(hex, 'hex'));
    assert.equal(msg.type, 'multipart_reply');
    if (msg.type !== 'multipart_reply' || msg.body.mpType !== 'meter_config') throw new Error('not a meter-config reply');
    assert.deepEqual(msg.body.meters.map(meterToString), [
      'meter=7 kbps burst bands=type=drop rate=10000 burst_size=5000',
      'meter=8 kbps burst bands=type=drop rate=1000 burst_size=500',
    ]);
    assert.equal(encodeMessage(msg).toString('hex'), hex);
  });

  it('keeps a dscp_remark band and a band type it does not model', () => {
    const msg: OfMessage = {
      type: 'multipart_reply',
      xid: 9,
      flags: 0,
      body: {
        mpType: 'meter_config',
        meters: [
          {
            meterId: 3,
            flags: OFPMF.PKTPS | OFPMF.BURST,
            bands: [
              { type: 'dscp_remark', rate: 10, burstSize: 20, precLevel: 1 },
              { type: 'other', bandType: 0xffff, rate: 5, burstSize: 6, data: Buffer.from('00002320', 'hex') },
            ],
          },
        ],
      },
    };
    assert.deepEqual(decodeMessage(encodeMessage(msg)), msg);
  });
});

describe('METER_MOD validation', () => {
  const encode = (m: Omit<Extract<OfMessage, { type: 'meter_mod' }>, 'xid' | 'type'>): Buffer => encodeMessage({ type: 'meter_mod', xid: 1, ...m });
  const refuses = (fn: () => unknown, re: RegExp): void => {
    assert.throws(fn, (e: unknown) => isOpenFlowError(e) && e.code === 'OF_ENCODE' && re.test(e.message));
  };
  it('refuses meter id 0, ids above OFPM_MAX, and OFPM_ALL except for delete', () => {
    refuses(() => encode(dropMeterMod('add', 0, 1, 1)), /Meter id 0 is not 1\.\./);
    refuses(() => encode(dropMeterMod('add', OFPM.MAX + 1, 1, 1)), /is not 1\.\./);
    refuses(() => encode(dropMeterMod('modify', OFPM.ALL, 1, 1)), /is not 1\.\./);
    assert.equal(encode({ command: 'delete', meterId: OFPM.ALL, flags: 0, bands: [] }).length, 16);
  });
  it('refuses add and modify without a band, and rates beyond 32 bits', () => {
    refuses(() => encode({ command: 'add', meterId: 1, flags: OFPMF.KBPS, bands: [] }), /needs at least one band/);
    refuses(() => encode(dropMeterMod('add', 1, 2 ** 32, 1)), /rate 4294967296 is not a 32-bit/);
    refuses(() => encode(dropMeterMod('add', 1, 1, -1)), /burst_size -1/);
  });
});

describe('the meter instruction', () => {
  const encodeAdd = (f: ReturnType<ReturnType<typeof flow>['build']>): string => encodeMessage({ type: 'flow_mod', xid: 1, ...flowModFor('add', f) } as OfMessage).toString('hex');
  const cases: [string, string, () => ReturnType<ReturnType<typeof flow>['build']>][] = [
    [
      'table=1,priority=200,in_port=3,actions=meter:3,goto_table:2',
      '040e0050000000010000000000000000000000000000000001000000000000c8ffffffffffffffffffffffff000000000001000c80000004000000030000000000060008000000030001000802000000',
      () => flow(1, 200).match((m) => m.inPort(3)).meter(3).gotoTable(2).build(),
    ],
    [
      'table=1,priority=200,ip,in_port=3,actions=meter:3,set_field:46->ip_dscp,goto_table:2',
      '040e0070000000010000000000000000000000000000000001000000000000c8ffffffffffffffffffffffff0000000000010012800000040000000380000a0208000000000000000006000800000003000400180000000000190010800010012e000000000000000001000802000000',
      // Builder calls in any order: instructions are written in OVS's order (meter first).
      () => flow(1, 200).match((m) => m.inPort(3).ip()).gotoTable(2).actions((a) => a.setField('ip_dscp', 46)).meter(3).build(),
    ],
    [
      'table=1,priority=200,ipv6,in_port=3,actions=set_field:46->ip_dscp,goto_table:2',
      '040e0068000000010000000000000000000000000000000001000000000000c8ffffffffffffffffffffffff0000000000010012800000040000000380000a0286dd000000000000000400180000000000190010800010012e000000000000000001000802000000',
      () => flow(1, 200).match((m) => m.inPort(3).ipv6()).actions((a) => a.setField('ip_dscp', 46)).gotoTable(2).build(),
    ],
  ];
  for (const [input, hex, build] of cases) {
    it(input, () => {
      const built = build();
      assert.equal(encodeAdd(built), hex);
      assert.equal(instructionsToString(built.instructions), input.slice(input.indexOf('actions=') + 'actions='.length));
    });
  }
  it('refuses meter ids outside 1..OFPM_MAX', () => {
    assert.throws(() => flow(0, 1).meter(0), /Meter id 0 is not/);
    assert.throws(() => flow(0, 1).meter(OFPM.ALL), /is not 1\.\./);
  });
});
