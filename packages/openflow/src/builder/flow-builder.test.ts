import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { flow } from './flow-builder';
import { match } from './match-builder';
import { actions } from './action-builder';
import { regField, regMark } from './reg-field';
import { isOpenFlowError } from '../errors';

describe('flow builder', () => {
  it('builds the flow of the README example', () => {
    const f = flow(1, 100)
      .cookie(0x5n)
      .match((m) => m.inPort(3).ethType(0x0800).ipv4Dst('10.1.1.2'))
      .actions((a) => a.setField('tunnel_id', 5000n).output(4))
      .build();
    assert.deepEqual(f, {
      table: 1,
      priority: 100,
      cookie: 5n,
      match: [
        { field: 'in_port', value: 3n },
        { field: 'eth_type', value: 0x800n },
        { field: 'ipv4_dst', value: 0x0a010102n },
      ],
      instructions: [
        {
          type: 'apply_actions',
          actions: [
            { type: 'set_field', field: 'tunnel_id', value: 5000n },
            { type: 'output', port: 4 },
          ],
        },
      ],
    });
  });

  it('orders instructions as OVS does whatever the call order', () => {
    const f = flow(0, 1).gotoTable(3).writeMetadata(1n, 1n).actions((a) => a.output(1)).clearActions().build();
    assert.deepEqual(
      f.instructions.map((i) => i.type),
      ['apply_actions', 'clear_actions', 'write_metadata', 'goto_table'],
    );
  });

  it('refuses a backwards goto, a bad table or priority, and a 65-bit cookie', () => {
    assert.throws(() => flow(3, 1).gotoTable(3), (e) => isOpenFlowError(e, 'OF_INVALID_ARGUMENT'));
    assert.throws(() => flow(255, 1), (e) => isOpenFlowError(e, 'OF_INVALID_ARGUMENT'));
    assert.throws(() => flow(0, 70000), (e) => isOpenFlowError(e, 'OF_INVALID_ARGUMENT'));
    assert.throws(() => flow(0, 1).cookie(1n << 64n), (e) => isOpenFlowError(e, 'OF_INVALID_ARGUMENT'));
  });

  it('adds protocol prerequisites once and refuses contradictions', () => {
    const m = match((x) => x.tcp().tcpDst(80).ip());
    assert.deepEqual(
      m.map((f) => f.field),
      ['eth_type', 'ip_proto', 'tcp_dst'],
    );
    assert.throws(() => match((x) => x.ip().arp()), (e) => isOpenFlowError(e, 'OF_INVALID_ARGUMENT'));
    assert.throws(() => match((x) => x.inPort(1).inPort(2)), (e) => isOpenFlowError(e, 'OF_INVALID_ARGUMENT'));
  });

  it('combines RegFields of one register into one masked match, and loads them', () => {
    const source = regField(0, 0, 3, 'PktSource');
    const dest = regField(0, 16, 31, 'Dest');
    const m = match((x) => x.regField(source, 2).regMark(regMark(dest, 0x10)));
    assert.deepEqual(m, [{ field: 'reg0', value: 0x100002n, mask: 0xffff000fn }]);
    assert.throws(() => match((x) => x.regField(source, 1).regField(regField(0, 2, 5), 1)), (e) => isOpenFlowError(e, 'OF_INVALID_ARGUMENT'));
    assert.deepEqual(actions((a) => a.loadRegMark(regMark(dest, 7))), [{ type: 'load', dst: { field: 'reg0', ofs: 16, nBits: 16 }, value: 7n }]);
    assert.throws(() => regMark(source, 16), (e) => isOpenFlowError(e, 'OF_INVALID_ARGUMENT'));
  });

  it('parses ct_state both ways', () => {
    assert.deepEqual(match((x) => x.ctState('+trk-new')), [{ field: 'ct_state', value: 0x20n, mask: 0x21n }]);
    assert.deepEqual(match((x) => x.ctState({ trk: true, est: true })), [{ field: 'ct_state', value: 0x22n, mask: 0x22n }]);
    assert.throws(() => match((x) => x.ctState('trk')), (e) => isOpenFlowError(e, 'OF_INVALID_ARGUMENT'));
    assert.throws(() => match((x) => x.ctState('+bogus')), (e) => isOpenFlowError(e, 'OF_INVALID_ARGUMENT'));
  });

  it('takes addresses as strings and masks the host bits of prefixes', () => {
    assert.deepEqual(match((x) => x.ip().ipv4Src('10.1.2.3/16')), [
      { field: 'eth_type', value: 0x800n },
      { field: 'ipv4_src', value: 0x0a010000n, mask: 0xffff0000n },
    ]);
    assert.throws(() => match((x) => x.ethSrc('not-a-mac')), (e) => isOpenFlowError(e, 'OF_INVALID_ARGUMENT'));
    assert.throws(() => match((x) => x.ip().ipv4Src('10.0.0.0/8', 0xff)), (e) => isOpenFlowError(e, 'OF_INVALID_ARGUMENT'));
  });

  it('matches icmpv6 type on IPv6 flows', () => {
    assert.deepEqual(
      match((x) => x.icmp6().icmpType(135)).map((f) => f.field),
      ['eth_type', 'ip_proto', 'icmpv6_type'],
    );
  });
});
