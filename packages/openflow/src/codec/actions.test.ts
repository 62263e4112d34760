import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { decodeActions, encodeActions } from './actions';
import type { Action } from './actions';
import { OFPP } from './constants';
import { isOpenFlowError } from '../errors';

const roundTrip = (a: readonly Action[]): Action[] => decodeActions(encodeActions(a));

describe('actions', () => {
  const every: Action[] = [
    { type: 'output', port: 4 },
    { type: 'output', port: 4, maxLen: 128 },
    { type: 'output', port: OFPP.CONTROLLER },
    { type: 'output', port: OFPP.IN_PORT },
    { type: 'group', groupId: 7 },
    { type: 'push_vlan', ethertype: 0x8100 },
    { type: 'pop_vlan' },
    { type: 'set_queue', queueId: 2 },
    { type: 'dec_ttl' },
    { type: 'set_field', field: 'tunnel_id', value: 5000n },
    { type: 'set_field', field: 'eth_dst', value: 0x112233445566n },
    { type: 'set_field', field: 'reg1', value: 5n, mask: 0xffn },
    { type: 'set_field', field: 'ipv6_dst', value: 1n },
    { type: 'load', dst: { field: 'reg2', ofs: 0, nBits: 16 }, value: 7n },
    { type: 'load', dst: { field: 'metadata', ofs: 32, nBits: 8 }, value: 0xffn },
    { type: 'move', src: { field: 'eth_src', ofs: 0, nBits: 48 }, dst: { field: 'eth_dst', ofs: 0, nBits: 48 } },
    { type: 'move', src: { field: 'reg0', ofs: 0, nBits: 32 }, dst: { field: 'tunnel_id', ofs: 0, nBits: 32 } },
    { type: 'resubmit', table: 5 },
    { type: 'resubmit', inPort: 3 },
    { type: 'resubmit', table: 2, inPort: OFPP.LOCAL },
    { type: 'ct', commit: true, zone: 5, table: 4 },
    { type: 'ct', zoneSrc: { field: 'reg6', ofs: 0, nBits: 16 }, table: 4, alg: 21 },
    { type: 'ct', commit: true, force: true, actions: [{ type: 'set_field', field: 'ct_mark', value: 1n }] },
    { type: 'ct_clear' },
    { type: 'conjunction', id: 7, clause: 2, nClauses: 3 },
  ];

  for (const a of every) {
    it(`round-trips ${JSON.stringify(a, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v))}`, () => {
      const bytes = encodeActions([a]);
      assert.equal(bytes.length % 8, 0, 'padded to 8');
      assert.equal(bytes.readUInt16BE(2), bytes.length, 'length field');
      assert.deepEqual(roundTrip([a]), [a]);
    });
  }

  it('encodes NXAST_RESUBMIT_TABLE as OVS does', () => {
    assert.equal(encodeActions([{ type: 'resubmit', table: 5 }]).toString('hex'), 'ffff001000002320000efff805000000');
  });

  it('keeps a note with its padding, as OVS does', () => {
    assert.deepEqual(roundTrip([{ type: 'note', data: Buffer.from('abc') }]), [{ type: 'note', data: Buffer.from('616263000000', 'hex') }]);
  });

  it('keeps actions it does not know as bytes, in place', () => {
    // NXAST_EXIT (17) and OFPAT_SET_NW_TTL (23).
    const raw = Buffer.from('ffff0010000023200011000000000000' + '0017000840000000', 'hex');
    const decoded = decodeActions(Buffer.concat([raw, encodeActions([{ type: 'output', port: 1 }])]));
    assert.equal(decoded.length, 3);
    assert.deepEqual(decoded[0], { type: 'unknown', actionType: 0xffff, experimenter: 0x2320, subtype: 17, raw: raw.subarray(0, 16) });
    assert.deepEqual(decoded[1], { type: 'unknown', actionType: 23, raw: raw.subarray(16) });
    assert.deepEqual(decoded[2], { type: 'output', port: 1 });
    assert.deepEqual(encodeActions(decoded).subarray(0, 24), raw);
  });

  it('refuses what OVS would refuse', () => {
    const bad: Action[] = [
      { type: 'conjunction', id: 1, clause: 3, nClauses: 2 },
      { type: 'conjunction', id: 1, clause: 1, nClauses: 1 },
      { type: 'load', dst: { field: 'reg0', ofs: 0, nBits: 4 }, value: 16n },
      { type: 'load', dst: { field: 'reg0', ofs: 30, nBits: 4 }, value: 1n },
      { type: 'move', src: { field: 'reg0', ofs: 0, nBits: 8 }, dst: { field: 'reg1', ofs: 0, nBits: 16 } },
      { type: 'set_field', field: 'in_port', value: 1n },
      { type: 'set_field', field: 'ip_proto', value: 300n },
      { type: 'ct', zone: 1, zoneSrc: { field: 'reg0', ofs: 0, nBits: 16 } },
      { type: 'output', port: -1 },
    ];
    for (const a of bad) assert.throws(() => encodeActions([a]), (e) => isOpenFlowError(e, 'OF_ENCODE'), JSON.stringify(a, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}` : v)));
  });

  it('refuses a truncated or misaligned action list', () => {
    assert.throws(() => decodeActions(Buffer.from('0000001000000001', 'hex')), (e) => isOpenFlowError(e, 'OF_PROTOCOL'));
    assert.throws(() => decodeActions(Buffer.from('0000000c0000000100000000', 'hex')), (e) => isOpenFlowError(e, 'OF_PROTOCOL'));
  });
});
