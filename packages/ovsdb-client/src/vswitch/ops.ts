import { datumEquals, namedUuid, ovsMap, ovsSet, toStringMap, uuid } from '../schema/datum';
import type { Atom, Datum } from '../schema/datum';
import type { Row } from '../idl/table-cache';
import type { Condition, Mutation, Operation } from '../txn/operations';
import type { BridgeOptions, PortSpec } from './types';

const byUuid = (u: string): Condition[] => [['_uuid', '==', uuid(u)]];
const byName = (name: string): Condition[] => [['name', '==', name]];

/** A precondition "no row of this table has this name": fails (try-again) if one appeared meanwhile. */
export function nameAbsent(table: string, name: string): Operation {
  return { op: 'wait', table, where: byName(name), columns: ['name'], until: '==', rows: [], timeout: 0 };
}

const optionalSet = (v: Atom | undefined): Datum => ovsSet(v === undefined ? [] : [v]);

/**
 * Mutations that make `desired` pairs present in a map column, keeping other
 * keys: delete the keys whose value differs, then insert (a map `insert`
 * never overwrites an existing key).
 */
export function mapMergeMutations(column: string, current: Datum | undefined, desired: Record<string, string>): Mutation[] {
  const cur = toStringMap(current);
  const changed = Object.entries(desired).filter(([k, v]) => cur[k] !== v);
  if (changed.length === 0) return [];
  const stale = changed.filter(([k]) => k in cur).map(([k]) => k);
  const muts: Mutation[] = [];
  if (stale.length > 0) muts.push([column, 'delete', ovsSet(stale)]);
  muts.push([column, 'insert', ovsMap(changed)]);
  return muts;
}

export function createBridgeOps(name: string, opts: BridgeOptions): Operation[] {
  const row: Record<string, Datum> = { name, ports: ovsSet([namedUuid('localport')]) };
  if (opts.datapathType !== undefined) row.datapath_type = opts.datapathType;
  if (opts.failMode !== undefined) row.fail_mode = optionalSet(opts.failMode);
  if (opts.protocols !== undefined) row.protocols = ovsSet(opts.protocols);
  if (opts.externalIds !== undefined) row.external_ids = ovsMap(opts.externalIds);
  if (opts.otherConfig !== undefined) row.other_config = ovsMap(opts.otherConfig);
  return [
    nameAbsent('Bridge', name),
    // Like ovs-vsctl add-br: the bridge's local internal port of the same name.
    { op: 'insert', table: 'Interface', row: { name, type: 'internal' }, uuidName: 'localiface' },
    { op: 'insert', table: 'Port', row: { name, interfaces: ovsSet([namedUuid('localiface')]) }, uuidName: 'localport' },
    { op: 'insert', table: 'Bridge', row, uuidName: 'bridge' },
    { op: 'mutate', table: 'Open_vSwitch', where: [], mutations: [['bridges', 'insert', ovsSet([namedUuid('bridge')])]] },
  ];
}

export function updateBridgeOps(bridge: Row, opts: BridgeOptions): Operation[] {
  const v = bridge.values;
  const row: Record<string, Datum> = {};
  if (opts.datapathType !== undefined && !same(v.datapath_type, opts.datapathType)) row.datapath_type = opts.datapathType;
  if (opts.failMode !== undefined && !same(v.fail_mode, optionalSet(opts.failMode))) row.fail_mode = optionalSet(opts.failMode);
  if (opts.protocols !== undefined && !same(v.protocols, ovsSet(opts.protocols))) row.protocols = ovsSet(opts.protocols);
  const mutations = [
    ...(opts.externalIds === undefined ? [] : mapMergeMutations('external_ids', v.external_ids, opts.externalIds)),
    ...(opts.otherConfig === undefined ? [] : mapMergeMutations('other_config', v.other_config, opts.otherConfig)),
  ];
  const ops: Operation[] = [];
  if (Object.keys(row).length > 0) ops.push({ op: 'update', table: 'Bridge', where: byUuid(bridge.uuid), row });
  if (mutations.length > 0) ops.push({ op: 'mutate', table: 'Bridge', where: byUuid(bridge.uuid), mutations });
  return ops;
}

function interfaceColumns(spec: PortSpec): Record<string, Datum> {
  const row: Record<string, Datum> = {};
  if (spec.type !== undefined) row.type = spec.type;
  if (spec.options !== undefined) row.options = ovsMap(spec.options);
  if (spec.externalIds !== undefined) row.external_ids = ovsMap(spec.externalIds);
  if (spec.mtuRequest !== undefined) row.mtu_request = optionalSet(spec.mtuRequest);
  if (spec.ofportRequest !== undefined) row.ofport_request = optionalSet(spec.ofportRequest);
  return row;
}

function portColumns(spec: PortSpec): Record<string, Datum> {
  const row: Record<string, Datum> = {};
  if (spec.tag !== undefined) row.tag = optionalSet(spec.tag);
  if (spec.trunks !== undefined) row.trunks = ovsSet(spec.trunks);
  if (spec.vlanMode !== undefined) row.vlan_mode = optionalSet(spec.vlanMode);
  if (spec.externalIds !== undefined) row.external_ids = ovsMap(spec.externalIds);
  return row;
}

/**
 * One transaction: Interface + Port + a `mutate` of Bridge.ports (never a
 * rewrite of the whole set). Preconditions make a concurrent creator of the
 * same name turn this into try-again instead of a constraint violation.
 */
export function createPortOps(bridgeUuid: string, spec: PortSpec): Operation[] {
  return [
    nameAbsent('Port', spec.name),
    nameAbsent('Interface', spec.name),
    { op: 'insert', table: 'Interface', row: { name: spec.name, ...interfaceColumns(spec) }, uuidName: 'iface' },
    { op: 'insert', table: 'Port', row: { name: spec.name, interfaces: ovsSet([namedUuid('iface')]), ...portColumns(spec) }, uuidName: 'port' },
    { op: 'mutate', table: 'Bridge', where: byUuid(bridgeUuid), mutations: [['ports', 'insert', ovsSet([namedUuid('port')])]] },
  ];
}

/** Updates of only the columns that differ from the spec (empty when the port already matches). */
export function updatePortOps(port: Row, iface: Row | undefined, spec: PortSpec): Operation[] {
  const ops: Operation[] = [];
  const portDiff = differing(port, portColumns(spec));
  if (Object.keys(portDiff).length > 0) ops.push({ op: 'update', table: 'Port', where: byUuid(port.uuid), row: portDiff });
  if (iface !== undefined) {
    const ifaceDiff = differing(iface, interfaceColumns(spec));
    if (Object.keys(ifaceDiff).length > 0) ops.push({ op: 'update', table: 'Interface', where: byUuid(iface.uuid), row: ifaceDiff });
  }
  return ops;
}

export function deletePortOps(bridgeUuid: string, portUuid: string): Operation[] {
  return [{ op: 'mutate', table: 'Bridge', where: byUuid(bridgeUuid), mutations: [['ports', 'delete', ovsSet([uuid(portUuid)])]] }];
}

export function deleteBridgeOps(bridgeUuid: string): Operation[] {
  return [{ op: 'mutate', table: 'Open_vSwitch', where: [], mutations: [['bridges', 'delete', ovsSet([uuid(bridgeUuid)])]] }];
}

export function setExternalIdsOps(table: string, row: Row, ids: Record<string, string>): Operation[] {
  const mutations = mapMergeMutations('external_ids', row.values.external_ids, ids);
  return mutations.length === 0 ? [] : [{ op: 'mutate', table, where: byUuid(row.uuid), mutations }];
}

function differing(row: Row, desired: Record<string, Datum>): Record<string, Datum> {
  const out: Record<string, Datum> = {};
  for (const [k, v] of Object.entries(desired)) if (!same(row.values[k], v)) out[k] = v;
  return out;
}

function same(current: Datum | undefined, desired: Datum): boolean {
  return current !== undefined && datumEquals(current, desired);
}
