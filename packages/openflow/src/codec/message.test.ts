import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { decodeMessage, encodeMessage } from './message';
import type { OfMessage } from './message';
import { OFPP, ONF_VENDOR_ID, OFPMPF_MORE } from './constants';
import { describeError, errorName } from './error-msg';
import { flowStatsRequest } from './multipart';
import type { FlowStats } from './flow-mod';
import { flow } from '../builder/flow-builder';
import { flowModFor } from '../operations';
import { isOpenFlowError } from '../errors';

const hex = (m: OfMessage): string => encodeMessage(m).toString('hex');
const roundTrip = (m: OfMessage): OfMessage => decodeMessage(encodeMessage(m));

describe('message header and simple messages', () => {
  it('HELLO carries a version bitmap (same bytes as `ovs-ofctl encode-hello 0x10`)', () => {
    assert.equal(hex({ type: 'hello', xid: 1, versions: [4] }), '04000010000000010001000800000010');
    assert.deepEqual(roundTrip({ type: 'hello', xid: 1, versions: [4] }), { type: 'hello', xid: 1, versions: [4] });
  });

  it('decodes a HELLO of another version with a bitmap of 1.0..1.5', () => {
    const ovs = Buffer.from('0600001000000005000100080000007e', 'hex');
    assert.deepEqual(decodeMessage(ovs), { type: 'hello', xid: 5, versions: [1, 2, 3, 4, 5, 6] });
  });

  it('refuses non-1.3 messages other than HELLO and ERROR', () => {
    assert.throws(() => decodeMessage(Buffer.from('0114000800000001', 'hex')), (e) => isOpenFlowError(e, 'OF_PROTOCOL'));
  });

  it('refuses a length field that disagrees with the buffer', () => {
    assert.throws(() => decodeMessage(Buffer.from('0414000900000001', 'hex')), (e) => isOpenFlowError(e, 'OF_PROTOCOL'));
  });

  it('encodes ECHO, BARRIER, FEATURES_REQUEST and SET_CONFIG per the spec', () => {
    assert.equal(hex({ type: 'echo_request', xid: 2, data: Buffer.from('hi') }), '0402000a000000026869');
    assert.equal(hex({ type: 'echo_reply', xid: 2, data: Buffer.alloc(0) }), '0403000800000002');
    assert.equal(hex({ type: 'barrier_request', xid: 0xdeadbeef }), '04140008deadbeef');
    assert.equal(hex({ type: 'features_request', xid: 3 }), '0405000800000003');
    assert.equal(hex({ type: 'set_config', xid: 11, flags: 0, missSendLen: 0xffff }), '0409000c0000000b0000ffff');
  });

  it('decodes FEATURES_REPLY', () => {
    const buf = Buffer.from('0406002000000003000002c30000000b00000000fe0000000000004f00000000', 'hex');
    assert.deepEqual(decodeMessage(buf), { type: 'features_reply', xid: 3, datapathId: 0x2c30000000bn, nBuffers: 0, nTables: 254, auxiliaryId: 0, capabilities: 0x4f });
  });
});

describe('ERROR', () => {
  it('decodes an experimenter error exactly as `ovs-ofctl encode-error-reply OFPBFC_MSG_FAILED` writes it', () => {
    const msg = decodeMessage(Buffer.from('0401002800000009ffff09094f4e4600' + '04040018000000094f4e4600000008fc0000000100040003', 'hex'));
    assert.equal(msg.type, 'error');
    if (msg.type !== 'error') return;
    assert.equal(msg.errType, 0xffff);
    assert.equal(msg.code, 2313);
    assert.equal(msg.experimenter, ONF_VENDOR_ID);
    const info = describeError(msg.xid, msg);
    assert.equal(info.name, 'OFPBFC_MSG_FAILED');
    assert.equal(info.xid, 9);
    assert.equal(info.requestType, 4);
  });

  it('names standard errors and says so when it does not know one', () => {
    assert.equal(errorName({ errType: 2, code: 9 }).name, 'OFPBAC_BAD_OUT_GROUP');
    assert.equal(errorName({ errType: 4, code: 9 }).name, 'OFPBMC_BAD_PREREQ');
    assert.equal(errorName({ errType: 5, code: 6 }).name, 'OFPFMFC_BAD_COMMAND');
    assert.equal(errorName({ errType: 4, code: 250 }).name, 'OFPET_BAD_MATCH(250)');
    assert.equal(errorName({ errType: 0xffff, code: 1, experimenter: 7 }).name, 'EXPERIMENTER(0x7,1)');
  });

  it('round-trips standard and experimenter errors', () => {
    const std: OfMessage = { type: 'error', xid: 4, errType: 2, code: 9, data: Buffer.from('0414000800000004', 'hex') };
    assert.deepEqual(roundTrip(std), std);
    const exp: OfMessage = { type: 'error', xid: 4, errType: 0xffff, code: 2313, experimenter: ONF_VENDOR_ID, data: Buffer.alloc(0) };
    assert.deepEqual(roundTrip(exp), exp);
  });
});

describe('bundles (ONF EXT-230 on OpenFlow 1.3)', () => {
  // Bytes checked with `ovs-ofctl ofp-print`: "ONFT_BUNDLE_CONTROL (OF1.3) (xid=0x7): bundle_id=0x1 type=OPEN_REQUEST flags=atomic ordered".
  it('encodes BUNDLE_CONTROL as an ONF experimenter message', () => {
    assert.equal(hex({ type: 'bundle_control', xid: 7, bundleId: 1, control: 'open_request', flags: 3 }), '0404001800000007' + '4f4e4600000008fc' + '0000000100000003');
  });

  // "ONFT_BUNDLE_ADD_MESSAGE (OF1.3) (xid=0x8): bundle_id=0x1 flags=atomic ordered / OFPT_FLOW_MOD (OF1.3) (xid=0x8): ADD priority=5 actions=output:1"
  it('embeds the message with the outer xid', () => {
    const inner = { type: 'flow_mod', xid: 0, ...flowModFor('add', flow(0, 5).actions((a) => a.output(1)).build()) } as OfMessage;
    const bytes = encodeMessage({ type: 'bundle_add', xid: 8, bundleId: 1, flags: 3, message: inner });
    assert.equal(bytes.subarray(0, 24).toString('hex'), '0404006800000008' + '4f4e4600000008fd' + '0000000100000003');
    assert.equal(bytes.readUInt32BE(24 + 4), 8, 'inner xid = outer xid');
    const back = decodeMessage(bytes);
    assert.equal(back.type, 'bundle_add');
    if (back.type === 'bundle_add') assert.deepEqual(back.message, { ...decodeMessage(encodeMessage({ ...inner, xid: 8 })) });
  });

  it('round-trips every control type', () => {
    for (const control of ['open_request', 'open_reply', 'close_request', 'close_reply', 'commit_request', 'commit_reply', 'discard_request', 'discard_reply'] as const) {
      const m: OfMessage = { type: 'bundle_control', xid: 9, bundleId: 77, control, flags: 1 };
      assert.deepEqual(roundTrip(m), m);
    }
  });
});

describe('PACKET_OUT, PACKET_IN, GROUP_MOD and multipart', () => {
  const arp = Buffer.from('ffffffffffff00000000000108060001080006040001000000000001c0a80001000000000000c0a80002', 'hex');

  // `ovs-ofctl ofp-print` of these bytes: "OFPT_PACKET_OUT (OF1.3) (xid=0x9): in_port=CONTROLLER actions=TABLE data_len=42".
  it('encodes PACKET_OUT with its actions length and the frame', () => {
    const m: OfMessage = { type: 'packet_out', xid: 9, inPort: OFPP.CONTROLLER, actions: [{ type: 'output', port: OFPP.TABLE }], data: arp };
    const action = '00000010fffffff90000000000000000';
    assert.equal(hex(m), `040d005200000009ffffffff` + `fffffffd0010000000000000` + action + arp.toString('hex'));
    assert.deepEqual(roundTrip(m), { ...m, bufferId: 0xffffffff });
  });

  it('decodes PACKET_IN', () => {
    const m: OfMessage = { type: 'packet_in', xid: 0, bufferId: 0xffffffff, totalLen: 42, reason: 1, table: 3, cookie: 0x55n, match: [{ field: 'in_port', value: 2n }], data: arp };
    assert.deepEqual(roundTrip(m), m);
  });

  it('round-trips GROUP_MOD with defaults left out', () => {
    const m: OfMessage = {
      type: 'group_mod',
      xid: 3,
      command: 'add',
      groupType: 'ff',
      groupId: 8,
      buckets: [
        { watchPort: 3, actions: [{ type: 'output', port: 3 }] },
        { weight: 5, watchPort: 4, watchGroup: 9, actions: [] },
      ],
    };
    assert.deepEqual(roundTrip(m), m);
  });

  it('encodes a flow-stats request with cookie filter and table', () => {
    const m: OfMessage = { type: 'multipart_request', xid: 10, flags: 0, body: flowStatsRequest({ table: 3, cookie: 0x10n, cookieMask: 0xffn }) };
    const bytes = encodeMessage(m);
    assert.equal(bytes.length, 56);
    assert.equal(bytes.readUInt16BE(8), 1, 'OFPMP_FLOW');
    assert.equal(bytes.readUInt8(16), 3, 'table');
    assert.equal(bytes.readUInt32BE(20), 0xffffffff, 'out_port ANY');
    assert.equal(bytes.readBigUInt64BE(32), 0x10n);
    assert.equal(bytes.readBigUInt64BE(40), 0xffn);
    assert.deepEqual(roundTrip(m), m);
  });

  it('round-trips a flow-stats reply with statistics, match and instructions', () => {
    const f = flow(2, 300).cookie(0xabn).match((mm) => mm.ip().ipv4Src('10.0.0.0/8')).actions((a) => a.output(1)).gotoTable(4).build();
    const entry: FlowStats = { ...f, idleTimeout: 0, hardTimeout: 0, flags: 1, importance: 0, durationSec: 5, durationNsec: 7, packetCount: 1n << 40n, byteCount: 99n };
    const m: OfMessage = { type: 'multipart_reply', xid: 11, flags: OFPMPF_MORE, body: { mpType: 'flow', flows: [entry, { ...entry, table: 3 }] } };
    assert.deepEqual(roundTrip(m), m);
  });

  it('keeps unknown multipart types and unknown messages as bytes', () => {
    const mp: OfMessage = { type: 'multipart_request', xid: 1, flags: 0, body: { mpType: 'other', code: 4, body: Buffer.from('00000001', 'hex') } };
    assert.deepEqual(roundTrip(mp), mp);
    const unk: OfMessage = { type: 'unknown', xid: 1, msgType: 24, body: Buffer.from('0102', 'hex') };
    assert.deepEqual(roundTrip(unk), unk);
  });

  it('refuses a message over 64 KiB', () => {
    assert.throws(() => encodeMessage({ type: 'echo_request', xid: 1, data: Buffer.alloc(70000) }), (e) => isOpenFlowError(e, 'OF_ENCODE'));
  });
});

describe('every message type round-trips', () => {
  const f = flow(3, 10).cookie(5n).match((m) => m.ip().ipv4Src('10.0.0.0/8')).actions((a) => a.output(1)).build();
  const messages: OfMessage[] = [
    { type: 'hello', xid: 1, versions: [4] },
    { type: 'error', xid: 2, errType: 1, code: 6, data: Buffer.from('0414000800000002', 'hex') },
    { type: 'echo_request', xid: 3, data: Buffer.from('abc') },
    { type: 'echo_reply', xid: 3, data: Buffer.from('abc') },
    { type: 'experimenter', xid: 4, experimenter: 0x2320, expType: 7, data: Buffer.from('0001', 'hex') },
    { type: 'features_request', xid: 5 },
    { type: 'features_reply', xid: 5, datapathId: 1n, nBuffers: 0, nTables: 254, auxiliaryId: 0, capabilities: 0x4f },
    { type: 'get_config_request', xid: 6 },
    { type: 'get_config_reply', xid: 6, flags: 0, missSendLen: 128 },
    { type: 'set_config', xid: 7, flags: 0, missSendLen: 0xffff },
    { type: 'packet_in', xid: 0, bufferId: 0xffffffff, totalLen: 3, reason: 0, table: 1, cookie: 9n, match: [{ field: 'in_port', value: 1n }], data: Buffer.from('abc') },
    { type: 'packet_out', xid: 8, bufferId: 0xffffffff, inPort: 1, actions: [{ type: 'output', port: 2 }], data: Buffer.from('abc') },
    { type: 'flow_mod', xid: 9, ...flowModFor('add', f), idleTimeout: 0, hardTimeout: 0, flags: 0 },
    { type: 'group_mod', xid: 10, command: 'delete', groupType: 'all', groupId: 5, buckets: [] },
    { type: 'multipart_request', xid: 11, flags: 0, body: flowStatsRequest() },
    { type: 'multipart_request', xid: 12, flags: 0, body: { mpType: 'group_desc' } },
    { type: 'multipart_request', xid: 13, flags: 0, body: { mpType: 'desc' } },
    { type: 'multipart_request', xid: 14, flags: 0, body: { mpType: 'port_desc' } },
    {
      type: 'multipart_request',
      xid: 15,
      flags: OFPMPF_MORE,
      body: { mpType: 'table_features', features: [{ table: 0, name: 'Classifier', metadataMatch: 0n, metadataWrite: 0n, config: 3, maxEntries: 1000000, properties: Buffer.from('0000000400000000', 'hex') }] },
    },
    { type: 'multipart_reply', xid: 16, flags: 0, body: { mpType: 'group_desc', groups: [{ groupType: 'select', groupId: 2, buckets: [{ weight: 3, actions: [{ type: 'output', port: 1 }] }] }] } },
    { type: 'multipart_reply', xid: 17, flags: 0, body: { mpType: 'desc', desc: { manufacturer: 'Nicira, Inc.', hardware: 'Open vSwitch', software: '3.1.0', serial: 'None', datapath: 'None' } } },
    {
      type: 'multipart_reply',
      xid: 18,
      flags: 0,
      body: { mpType: 'port_desc', ports: [{ portNo: 1, hwAddr: 'aa:bb:cc:dd:ee:01', name: 'vethA', config: 0, state: 4, currSpeed: 10000000, maxSpeed: 0 }] },
    },
    { type: 'multipart_reply', xid: 19, flags: 0, body: { mpType: 'table_features', features: [] } },
    { type: 'barrier_request', xid: 20 },
    { type: 'barrier_reply', xid: 20 },
    { type: 'bundle_control', xid: 21, bundleId: 1, control: 'open_reply', flags: 1 },
    { type: 'bundle_add', xid: 22, bundleId: 1, flags: 1, message: { type: 'group_mod', xid: 22, command: 'add', groupType: 'indirect', groupId: 1, buckets: [] } },
    { type: 'unknown', xid: 23, msgType: 12, body: Buffer.alloc(64) },
  ];
  for (const m of messages) {
    it(m.type === 'multipart_request' || m.type === 'multipart_reply' ? `${m.type} ${m.body.mpType}` : m.type, () => {
      const bytes = encodeMessage(m);
      assert.equal(bytes.readUInt16BE(2), bytes.length);
      assert.deepEqual(decodeMessage(bytes), m);
      assert.deepEqual(encodeMessage(decodeMessage(bytes)), bytes);
    });
  }
});
