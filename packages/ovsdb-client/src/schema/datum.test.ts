import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  NamedUuid,
  OvsMap,
  OvsSet,
  Uuid,
  applyDiff,
  datumEquals,
  decodeDatum,
  decodeDatumAs,
  defaultDatum,
  encodeDatum,
  namedUuid,
  optionalAtom,
  ovsMap,
  ovsSet,
  toAtoms,
  toStringMap,
  toUuids,
  uuid,
} from './datum';
import type { ColumnType } from './types';
import { isOvsdbError } from '../errors';

const U1 = '11111111-1111-1111-1111-111111111111';
const U2 = '22222222-2222-2222-2222-222222222222';
const uuidSet: ColumnType = { key: { type: 'uuid', refTable: 'Port', refType: 'strong' }, min: 0, max: Infinity };
const optionalInt: ColumnType = { key: { type: 'integer' }, min: 0, max: 1 };
const intSet: ColumnType = { key: { type: 'integer' }, min: 0, max: 4096 };
const stringMap: ColumnType = { key: { type: 'string' }, value: { type: 'string' }, min: 0, max: Infinity };
const scalarString: ColumnType = { key: { type: 'string' }, min: 1, max: 1 };

void describe('datum decoding', () => {
  void it('decodes atoms, uuids and named uuids', () => {
    assert.equal(decodeDatum('x'), 'x');
    assert.equal(decodeDatum(5), 5);
    assert.equal(decodeDatum(true), true);
    assert.deepEqual(decodeDatum(['uuid', U1]), new Uuid(U1));
    assert.deepEqual(decodeDatum(['named-uuid', 'p']), new NamedUuid('p'));
  });

  void it('set of one: the bare atom is normalised to a set for set columns', () => {
    assert.deepEqual(decodeDatum(['uuid', U1]), uuid(U1), 'schemaless keeps the atom');
    assert.deepEqual(decodeDatumAs(['uuid', U1], uuidSet), ovsSet([uuid(U1)]));
    assert.deepEqual(decodeDatumAs(['set', [['uuid', U1], ['uuid', U2]]], uuidSet), ovsSet([uuid(U1), uuid(U2)]));
    assert.deepEqual(toUuids(decodeDatum(['uuid', U1])), [U1]);
    assert.deepEqual(toAtoms(decodeDatum(['set', []])), []);
  });

  void it('optional scalars are sets: unset is the empty set, set is a bare value', () => {
    assert.deepEqual(decodeDatumAs(['set', []], optionalInt), ovsSet([]));
    assert.deepEqual(decodeDatumAs(100, optionalInt), ovsSet([100]));
    assert.equal(optionalAtom(decodeDatumAs(['set', []], optionalInt)), undefined);
    assert.equal(optionalAtom(decodeDatumAs(100, optionalInt)), 100);
  });

  void it('maps are always explicit, including the empty map', () => {
    assert.deepEqual(decodeDatumAs(['map', []], stringMap), ovsMap([]));
    assert.deepEqual(toStringMap(decodeDatumAs(['map', [['a', 'b']]], stringMap)), { a: 'b' });
    assert.throws(() => decodeDatumAs('x', stringMap), (e) => isOvsdbError(e, 'OVSDB_PROTOCOL'));
  });

  void it('scalar columns unwrap a one-element set', () => {
    assert.equal(decodeDatumAs(['set', ['br0']], scalarString), 'br0');
  });

  void it('keeps 64-bit integers that arrived as bigint', () => {
    assert.deepEqual(decodeDatumAs(['map', [['rx_bytes', 18446744073709551615n]]], { key: { type: 'string' }, value: { type: 'integer' }, min: 0, max: Infinity }), ovsMap([['rx_bytes', 18446744073709551615n]]));
  });

  void it('rejects malformed values', () => {
    for (const bad of [['uuid'], ['set', 'x'], ['map', [['k']]], { a: 1 }, null]) {
      assert.throws(() => decodeDatum(bad as never), (e) => isOvsdbError(e, 'OVSDB_PROTOCOL'));
    }
  });
});

void describe('datum encoding', () => {
  void it('always writes sets and maps explicitly (never the bare-atom shorthand)', () => {
    assert.deepEqual(encodeDatum(ovsSet([namedUuid('p')])), ['set', [['named-uuid', 'p']]]);
    assert.deepEqual(encodeDatum(ovsSet([])), ['set', []]);
    assert.deepEqual(encodeDatum(ovsMap({ a: 'b' })), ['map', [['a', 'b']]]);
    assert.deepEqual(encodeDatum(uuid(U1)), ['uuid', U1]);
    assert.equal(encodeDatum(7), 7);
    assert.equal(encodeDatum(2n ** 64n - 1n), 18446744073709551615n);
  });
});

void describe('datum equality and defaults', () => {
  void it('compares sets and maps regardless of order; a bare atom equals its set of one', () => {
    assert.equal(datumEquals(ovsSet([1, 2]), ovsSet([2, 1])), true);
    assert.equal(datumEquals(ovsSet([1]), 1), true);
    assert.equal(datumEquals(ovsSet([1]), ovsSet([1, 2])), false);
    assert.equal(datumEquals(ovsMap({ a: '1', b: '2' }), ovsMap([['b', '2'], ['a', '1']])), true);
    assert.equal(datumEquals(ovsMap({ a: '1' }), ovsMap({ a: '2' })), false);
    assert.equal(datumEquals(uuid(U1), uuid(U1)), true);
    assert.equal(datumEquals('1', 1), false);
  });

  void it('defaults match the column type', () => {
    assert.deepEqual(defaultDatum(stringMap), new OvsMap([]));
    assert.deepEqual(defaultDatum(optionalInt), new OvsSet([]));
    assert.equal(defaultDatum(scalarString), '');
    assert.equal(defaultDatum({ key: { type: 'integer' }, min: 1, max: 1 }), 0);
  });
});

void describe('applyDiff (update2 modify)', () => {
  void it('sets: toggles the symmetric difference', () => {
    assert.deepEqual(applyDiff(ovsSet([1, 2]), ['set', [1, 3]], intSet), ovsSet([2, 3]));
    assert.deepEqual(applyDiff(ovsSet([]), 5, intSet), ovsSet([5]), 'a one-element diff may be a bare atom');
  });

  void it('optional (0..1) columns: the diff is the new value', () => {
    assert.deepEqual(applyDiff(ovsSet([5]), 7, optionalInt), ovsSet([7]));
    assert.deepEqual(applyDiff(ovsSet([5]), ['set', []], optionalInt), ovsSet([]));
  });

  void it('maps: adds new keys, removes identical pairs, replaces changed values', () => {
    const old = ovsMap({ keep: '1', drop: '2', change: '3' });
    const next = applyDiff(old, ['map', [['drop', '2'], ['change', '4'], ['add', '5']]], stringMap);
    assert.deepEqual(toStringMap(next), { keep: '1', change: '4', add: '5' });
  });

  void it('scalars: the diff is the new value', () => {
    assert.equal(applyDiff('a', 'b', scalarString), 'b');
  });
});
