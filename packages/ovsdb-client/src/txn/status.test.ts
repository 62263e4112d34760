import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { interpretTransactResult } from './status';
import type { Operation } from './operations';
import { encodeOperation } from './operations';
import { Uuid, namedUuid, ovsMap, ovsSet, uuid } from '../schema/datum';

const U1 = '11111111-1111-1111-1111-111111111111';
const ops: Operation[] = [
  { op: 'wait', table: 'Port', where: [['name', '==', 'p1']], columns: ['name'], until: '==', rows: [], timeout: 0 },
  { op: 'insert', table: 'Interface', row: { name: 'p1' }, uuidName: 'i' },
  { op: 'insert', table: 'Port', row: { name: 'p1', interfaces: ovsSet([namedUuid('i')]) }, uuidName: 'p' },
  { op: 'mutate', table: 'Bridge', where: [['_uuid', '==', uuid(U1)]], mutations: [['ports', 'insert', ovsSet([namedUuid('p')])]] },
];

void describe('encodeOperation', () => {
  void it('encodes the RFC 7047 operation objects', () => {
    assert.deepEqual(encodeOperation(ops[0] as Operation), { op: 'wait', table: 'Port', where: [['name', '==', 'p1']], columns: ['name'], until: '==', rows: [], timeout: 0 });
    assert.deepEqual(encodeOperation(ops[2] as Operation), {
      op: 'insert',
      table: 'Port',
      row: { name: 'p1', interfaces: ['set', [['named-uuid', 'i']]] },
      'uuid-name': 'p',
    });
    assert.deepEqual(encodeOperation(ops[3] as Operation), {
      op: 'mutate',
      table: 'Bridge',
      where: [['_uuid', '==', ['uuid', U1]]],
      mutations: [['ports', 'insert', ['set', [['named-uuid', 'p']]]]],
    });
    assert.deepEqual(encodeOperation({ op: 'select', table: 'Port', where: [['external_ids', 'includes', ovsMap({ a: 'b' })]], columns: ['name'] }), {
      op: 'select',
      table: 'Port',
      where: [['external_ids', 'includes', ['map', [['a', 'b']]]]],
      columns: ['name'],
    });
  });
});

void describe('interpretTransactResult', () => {
  void it('success: one result per op, uuids/rows/counts decoded', () => {
    const out = interpretTransactResult(ops, [{}, { uuid: ['uuid', U1] }, { uuid: ['uuid', U1] }, { count: 1 }]);
    assert.equal(out.status, 'success');
    assert.ok(out.status === 'success');
    assert.deepEqual(out.results[1]?.uuid, new Uuid(U1));
    assert.equal(out.results[3]?.count, 1);
  });

  void it('a failed op: later ops get null; one error with per-op details', () => {
    const out = interpretTransactResult(ops, [{}, { error: 'constraint violation', details: 'name too long' }, null, null]);
    assert.ok(out.status === 'error');
    assert.equal(out.error.code, 'OVSDB_TXN_FAILED');
    assert.deepEqual(out.error.details, [{ index: 1, op: 'insert', error: 'constraint violation', details: 'name too long' }]);
    assert.match(out.error.message, /op 1 \(insert\): constraint violation - name too long/);
  });

  void it('a commit-time failure is the extra element after the ops', () => {
    const out = interpretTransactResult(ops, [{}, { uuid: ['uuid', U1] }, { uuid: ['uuid', U1] }, { count: 1 }, { error: 'referential integrity violation', details: 'x' }]);
    assert.ok(out.status === 'error');
    assert.deepEqual(out.error.details, [{ index: 4, op: 'commit', error: 'referential integrity violation', details: 'x' }]);
  });

  void it('a failed wait precondition is try-again', () => {
    const out = interpretTransactResult(ops, [{ error: 'timed out' }, null, null, null]);
    assert.ok(out.status === 'try-again');
    assert.equal(out.error.code, 'OVSDB_TXN_TRY_AGAIN');
  });

  void it('a failed assert is not-locked', () => {
    const out = interpretTransactResult([{ op: 'assert', lock: 'l' }], [{ error: 'not owner' }]);
    assert.ok(out.status === 'not-locked');
    assert.equal(out.error.code, 'OVSDB_TXN_NOT_LOCKED');
  });

  void it('a reply with fewer results than ops is a protocol error', () => {
    const out = interpretTransactResult(ops, [{}]);
    assert.ok(out.status === 'error');
    assert.equal(out.error.code, 'OVSDB_PROTOCOL');
  });
});
