import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Reader } from './bytes';
import { encodeMatch, normalizeMatch, readMatch } from './oxm';
import type { MatchField } from './oxm';
import { FIELDS, fieldByHeader } from './fields';
import { isOpenFlowError } from '../errors';

const decode = (buf: Buffer): ReturnType<typeof readMatch> => readMatch(new Reader(buf));

describe('match normal form', () => {
  it('orders fields as OVS does, masks values, drops all-ones and zero masks', () => {
    const m = normalizeMatch([
      { field: 'ipv4_dst', value: 0x0a0001ffn, mask: 0xffffff00n },
      { field: 'eth_type', value: 0x0800n },
      { field: 'reg3', value: 5n, mask: 0xffffffffn },
      { field: 'in_port', value: 3n },
      { field: 'metadata', value: 1n, mask: 0n },
    ]);
    assert.deepEqual(m, [
      { field: 'in_port', value: 3n },
      { field: 'eth_type', value: 0x0800n },
      { field: 'ipv4_dst', value: 0x0a000100n, mask: 0xffffff00n },
      { field: 'reg3', value: 5n },
    ]);
  });

  it('refuses duplicates, out-of-range values and masks on unmaskable fields', () => {
    assert.throws(() => normalizeMatch([{ field: 'in_port', value: 1n }, { field: 'in_port', value: 2n }]), (e) => isOpenFlowError(e, 'OF_ENCODE'));
    assert.throws(() => normalizeMatch([{ field: 'ip_proto', value: 256n }]), (e) => isOpenFlowError(e, 'OF_ENCODE'));
    assert.throws(() => normalizeMatch([{ field: 'eth_type', value: 0x800n, mask: 0xff00n }]), (e) => isOpenFlowError(e, 'OF_ENCODE'));
  });

  it('every field round-trips, exact and (when maskable) masked', () => {
    for (const def of FIELDS.values()) {
      const value = def.name === 'vlan_vid' ? 0x1064n : (1n << BigInt(Math.min(def.bits, def.bytes * 8) - 1)) | 1n;
      const exact: MatchField[] = [{ field: def.name, value }];
      assert.deepEqual(decode(encodeMatch(exact)).match, exact, def.name);
      if (def.maskable) {
        const masked: MatchField[] = [{ field: def.name, value: value & 1n, mask: 1n }];
        assert.deepEqual(decode(encodeMatch(masked)).match, masked, `${def.name} masked`);
      }
    }
  });

  it('pads ofp_match to 8 bytes and sets its length without the padding', () => {
    const buf = encodeMatch([{ field: 'in_port', value: 3n }]);
    assert.equal(buf.toString('hex'), '0001000c' + '80000004' + '00000003' + '00000000');
  });

  it('reads NXM aliases (NXM_NX_TUN_ID for tunnel_id) and keeps unknown entries apart', () => {
    // class 1 field 16 (NXM_NX_TUN_ID), then an unknown class-1 field 99 (4 bytes).
    const body = Buffer.from('00012008' + '0000000000001388' + '0001c604' + 'deadbeef', 'hex');
    const match = Buffer.concat([Buffer.from([0, 1, 0, 4 + body.length]), body, Buffer.alloc((8 - ((4 + body.length) % 8)) % 8)]);
    const d = decode(match);
    assert.deepEqual(d.match, [{ field: 'tunnel_id', value: 0x1388n }]);
    assert.equal(d.unknown?.length, 1);
    assert.equal(d.unknown?.[0]?.field, 99);
    assert.equal(d.unknown?.[0]?.payload.toString('hex'), 'deadbeef');
  });

  it('maps headers back to fields', () => {
    assert.equal(fieldByHeader(0x8000, 38)?.name, 'tunnel_id');
    assert.equal(fieldByHeader(0x0001, 16)?.name, 'tunnel_id');
    assert.equal(fieldByHeader(0x0001, 32)?.name, 'tun_dst');
    assert.equal(fieldByHeader(0x0001, 105)?.name, 'ct_state');
    assert.equal(fieldByHeader(0x0001, 7)?.name, 'reg7');
  });
});
