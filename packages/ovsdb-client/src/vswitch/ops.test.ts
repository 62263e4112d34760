import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createPortOps, deletePortOps, mapMergeMutations, updateBridgeOps, updatePortOps } from './ops';
import { encodeOperation } from '../txn/operations';
import { ovsMap, ovsSet, uuid } from '../schema/datum';
import type { Row } from '../idl/table-cache';

const BR = '11111111-1111-1111-1111-111111111111';
const P = '22222222-2222-2222-2222-222222222222';
const I = '33333333-3333-3333-3333-333333333333';

const portRow: Row = {
  uuid: P,
  values: { name: 'p1', interfaces: ovsSet([uuid(I)]), tag: ovsSet([10]), trunks: ovsSet([]), vlan_mode: ovsSet([]), external_ids: ovsMap({ a: '1' }) },
};
const ifaceRow: Row = {
  uuid: I,
  values: { name: 'p1', type: '', options: ovsMap({}), external_ids: ovsMap({ a: '1' }), mtu_request: ovsSet([]), ofport_request: ovsSet([]) },
};

void describe('vswitch transaction builders', () => {
  void it('addPort is one transaction: preconditions, Interface, Port, mutate of Bridge.ports', () => {
    const ops = createPortOps(BR, { name: 'p1', tag: 10, externalIds: { a: '1' }, options: { peer: 'x' }, type: 'patch' }).map(encodeOperation);
    assert.deepEqual(
      ops.map((o) => `${String(o.op)}:${String(o.table)}`),
      ['wait:Port', 'wait:Interface', 'insert:Interface', 'insert:Port', 'mutate:Bridge'],
    );
    assert.deepEqual(ops[3]?.row, { name: 'p1', interfaces: ['set', [['named-uuid', 'iface']]], tag: ['set', [10]], external_ids: ['map', [['a', '1']]] });
    assert.deepEqual(ops[4]?.mutations, [['ports', 'insert', ['set', [['named-uuid', 'port']]]]], 'mutate, never a rewrite of the set');
    assert.deepEqual(ops[4]?.where, [['_uuid', '==', ['uuid', BR]]]);
  });

  void it('re-adding an identical port produces no operation', () => {
    assert.deepEqual(updatePortOps(portRow, ifaceRow, { name: 'p1', tag: 10, externalIds: { a: '1' }, type: '' }), []);
  });

  void it('a changed spec updates only the differing columns', () => {
    const ops = updatePortOps(portRow, ifaceRow, { name: 'p1', tag: 11, externalIds: { a: '1' } }).map(encodeOperation);
    assert.deepEqual(ops, [{ op: 'update', table: 'Port', where: [['_uuid', '==', ['uuid', P]]], row: { tag: ['set', [11]] } }]);
  });

  void it('deletePort mutates Bridge.ports', () => {
    assert.deepEqual(deletePortOps(BR, P).map(encodeOperation), [
      { op: 'mutate', table: 'Bridge', where: [['_uuid', '==', ['uuid', BR]]], mutations: [['ports', 'delete', ['set', [['uuid', P]]]]] },
    ]);
  });

  void it('map merge deletes changed keys before inserting (insert never overwrites)', () => {
    assert.deepEqual(mapMergeMutations('external_ids', ovsMap({ a: '1', b: '2' }), { a: '1', b: '3', c: '4' }), [
      ['external_ids', 'delete', ovsSet(['b'])],
      ['external_ids', 'insert', ovsMap([['b', '3'], ['c', '4']])],
    ]);
    assert.deepEqual(mapMergeMutations('external_ids', ovsMap({ a: '1' }), { a: '1' }), []);
  });

  void it('ensureBridge on an up-to-date bridge produces no operation', () => {
    const bridge: Row = {
      uuid: BR,
      values: { name: 'br0', datapath_type: 'netdev', fail_mode: ovsSet(['secure']), protocols: ovsSet(['OpenFlow13', 'OpenFlow10']), external_ids: ovsMap({ k: 'v' }), other_config: ovsMap({}) },
    };
    assert.deepEqual(updateBridgeOps(bridge, { datapathType: 'netdev', failMode: 'secure', protocols: ['OpenFlow10', 'OpenFlow13'], externalIds: { k: 'v' } }), []);
    const ops = updateBridgeOps(bridge, { failMode: 'standalone' }).map(encodeOperation);
    assert.deepEqual(ops, [{ op: 'update', table: 'Bridge', where: [['_uuid', '==', ['uuid', BR]]], row: { fail_mode: ['set', ['standalone']] } }]);
  });
});
