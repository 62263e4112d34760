/**
 * OFPT_GROUP_MOD (ofp11_group_mod + ofp11_bucket[]) and OFPMP_GROUP_DESC
 * entries, which carry the same buckets.
 */
import { OpenFlowError } from '../errors';
import type { Reader, Writer } from './bytes';
import type { GroupModCommand, GroupType } from './constants';
import { GROUP_MOD_COMMANDS, GROUP_TYPES, OFPG, OFPP } from './constants';
import type { Action } from './actions';
import { readActions, writeActions } from './actions';

export interface Bucket {
  /** Select groups: relative weight (ovs-ofctl's default is 1); others: 0. */
  readonly weight?: number;
  /** Fast-failover groups: the port whose liveness enables this bucket (default ANY). */
  readonly watchPort?: number;
  readonly watchGroup?: number;
  readonly actions: readonly Action[];
}

export interface GroupMod {
  readonly command: GroupModCommand;
  readonly groupType: GroupType;
  readonly groupId: number;
  readonly buckets: readonly Bucket[];
}

export interface GroupDesc {
  readonly groupType: GroupType;
  readonly groupId: number;
  readonly buckets: readonly Bucket[];
}

function writeBuckets(w: Writer, groupType: GroupType, buckets: readonly Bucket[]): void {
  for (const b of buckets) {
    const start = w.length;
    w.u16(0).u16(b.weight ?? (groupType === 'select' ? 1 : 0)).u32(b.watchPort ?? OFPP.ANY).u32(b.watchGroup ?? OFPG.ANY).zeros(4);
    writeActions(w, b.actions);
    w.setU16(start, w.length - start);
  }
}

function readBuckets(r: Reader, groupType: GroupType): Bucket[] {
  const out: Bucket[] = [];
  while (r.remaining > 0) {
    const len = r.u16();
    if (len < 16) throw new OpenFlowError('OF_PROTOCOL', `Bucket length ${len} is too short`);
    const b = r.sub(len - 2, 'bucket');
    const weight = b.u16();
    const watchPort = b.u32();
    const watchGroup = b.u32();
    b.skip(4);
    const actions = readActions(b);
    // Leave out defaults so a decoded bucket equals the one built.
    out.push({
      ...(weight !== (groupType === 'select' ? 1 : 0) ? { weight } : {}),
      ...(watchPort !== OFPP.ANY ? { watchPort } : {}),
      ...(watchGroup !== OFPG.ANY ? { watchGroup } : {}),
      actions,
    });
  }
  return out;
}

export function writeGroupMod(w: Writer, g: GroupMod): void {
  const command = GROUP_MOD_COMMANDS.indexOf(g.command);
  const type = GROUP_TYPES.indexOf(g.groupType);
  if (command < 0 || type < 0) throw new OpenFlowError('OF_ENCODE', `Bad group_mod command ${String(g.command)} or type ${String(g.groupType)}`);
  if (!Number.isInteger(g.groupId) || g.groupId < 0 || g.groupId > 0xffffffff) throw new OpenFlowError('OF_ENCODE', `Group id ${g.groupId} is not a 32-bit number`);
  w.u16(command).u8(type).zeros(1).u32(g.groupId);
  writeBuckets(w, g.groupType, g.buckets);
}

export function readGroupMod(r: Reader): GroupMod {
  const command = GROUP_MOD_COMMANDS[r.u16()];
  const groupType = GROUP_TYPES[r.u8()];
  r.skip(1);
  const groupId = r.u32();
  if (command === undefined || groupType === undefined) throw new OpenFlowError('OF_PROTOCOL', 'Unknown group_mod command or group type');
  return { command, groupType, groupId, buckets: readBuckets(r, groupType) };
}

export function writeGroupDesc(w: Writer, g: GroupDesc): void {
  const start = w.length;
  w.u16(0).u8(GROUP_TYPES.indexOf(g.groupType)).zeros(1).u32(g.groupId);
  writeBuckets(w, g.groupType, g.buckets);
  w.setU16(start, w.length - start);
}

export function readGroupDesc(r: Reader): GroupDesc {
  const length = r.u16();
  if (length < 8) throw new OpenFlowError('OF_PROTOCOL', `Group desc length ${length} is too short`);
  const e = r.sub(length - 2, 'group desc');
  const groupType = GROUP_TYPES[e.u8()];
  e.skip(1);
  const groupId = e.u32();
  if (groupType === undefined) throw new OpenFlowError('OF_PROTOCOL', 'Unknown group type');
  return { groupType, groupId, buckets: readBuckets(e, groupType) };
}
