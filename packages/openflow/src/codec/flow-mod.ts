/**
 * OFPT_FLOW_MOD (ofp11_flow_mod: 48 bytes + match + instructions) and the
 * entries of an OFPMP_FLOW reply (ofp11_flow_stats), which share the match
 * and instruction encodings.
 */
import { OpenFlowError } from '../errors';
import type { Reader, Writer } from './bytes';
import type { FlowModCommand } from './constants';
import { FLOW_MOD_COMMANDS, OFPG, OFPP, OFP_DEFAULT_PRIORITY, OFP_NO_BUFFER } from './constants';
import type { Instruction } from './instructions';
import { readInstructions, writeInstructions } from './instructions';
import type { Match, UnknownOxm } from './oxm';
import { readMatch, writeMatch } from './oxm';

export interface FlowMod {
  readonly command: FlowModCommand;
  /** 0..254; 0xff (OFPTT_ALL) only for delete. */
  readonly table: number;
  readonly priority?: number;
  readonly cookie?: bigint;
  /** For modify/delete: which cookie bits must match (0 = any cookie). */
  readonly cookieMask?: bigint;
  readonly idleTimeout?: number;
  readonly hardTimeout?: number;
  readonly bufferId?: number;
  /** For delete: only flows that output to this port (default ANY). */
  readonly outPort?: number;
  /** For delete: only flows that output to this group (default ANY). */
  readonly outGroup?: number;
  /** OFPFF_* bits. */
  readonly flags?: number;
  readonly match: Match;
  readonly instructions: readonly Instruction[];
}

/** One entry of a flow-stats reply. */
export interface FlowStats {
  readonly table: number;
  readonly priority: number;
  readonly cookie: bigint;
  readonly idleTimeout: number;
  readonly hardTimeout: number;
  readonly flags: number;
  readonly importance: number;
  readonly durationSec: number;
  readonly durationNsec: number;
  readonly packetCount: bigint;
  readonly byteCount: bigint;
  readonly match: Match;
  /** Match entries we could not decode (only present when some exist). */
  readonly unknownMatch?: readonly UnknownOxm[];
  readonly instructions: readonly Instruction[];
}

function checkU(v: number, bits: number, what: string): number {
  if (!Number.isInteger(v) || v < 0 || v >= 2 ** bits) throw new OpenFlowError('OF_ENCODE', `${what} ${v} is not a ${bits}-bit unsigned integer`);
  return v;
}

export function writeFlowMod(w: Writer, fm: FlowMod): void {
  const command = FLOW_MOD_COMMANDS.indexOf(fm.command);
  if (command < 0) throw new OpenFlowError('OF_ENCODE', `Unknown flow_mod command ${String(fm.command)}`);
  w.u64(fm.cookie ?? 0n).u64(fm.cookieMask ?? 0n);
  w.u8(checkU(fm.table, 8, 'Table')).u8(command);
  w.u16(checkU(fm.idleTimeout ?? 0, 16, 'idle_timeout')).u16(checkU(fm.hardTimeout ?? 0, 16, 'hard_timeout'));
  w.u16(checkU(fm.priority ?? OFP_DEFAULT_PRIORITY, 16, 'Priority'));
  w.u32(fm.bufferId ?? OFP_NO_BUFFER).u32(fm.outPort ?? OFPP.ANY).u32(fm.outGroup ?? OFPG.ANY);
  w.u16(checkU(fm.flags ?? 0, 16, 'Flags')).zeros(2);
  writeMatch(w, fm.match);
  writeInstructions(w, fm.instructions);
}

export function readFlowMod(r: Reader): Required<FlowMod> {
  const cookie = r.u64();
  const cookieMask = r.u64();
  const table = r.u8();
  const command = FLOW_MOD_COMMANDS[r.u8()];
  if (command === undefined) throw new OpenFlowError('OF_PROTOCOL', 'Unknown flow_mod command');
  const idleTimeout = r.u16();
  const hardTimeout = r.u16();
  const priority = r.u16();
  const bufferId = r.u32();
  const outPort = r.u32();
  const outGroup = r.u32();
  const flags = r.u16();
  r.skip(2);
  const { match } = readMatch(r);
  const instructions = readInstructions(r);
  return { command, table, priority, cookie, cookieMask, idleTimeout, hardTimeout, bufferId, outPort, outGroup, flags, match, instructions };
}

export function writeFlowStats(w: Writer, s: FlowStats): void {
  const start = w.length;
  w.u16(0).u8(s.table).zeros(1).u32(s.durationSec).u32(s.durationNsec);
  w.u16(s.priority).u16(s.idleTimeout).u16(s.hardTimeout).u16(s.flags).u16(s.importance).zeros(2);
  w.u64(s.cookie).u64(s.packetCount).u64(s.byteCount);
  writeMatch(w, s.match);
  writeInstructions(w, s.instructions);
  w.setU16(start, w.length - start);
}

export function readFlowStats(r: Reader): FlowStats {
  const length = r.u16();
  if (length < 56) throw new OpenFlowError('OF_PROTOCOL', `Flow stats entry length ${length} is too short`);
  const e = r.sub(length - 2, 'flow stats entry');
  const table = e.u8();
  e.skip(1);
  const durationSec = e.u32();
  const durationNsec = e.u32();
  const priority = e.u16();
  const idleTimeout = e.u16();
  const hardTimeout = e.u16();
  const flags = e.u16();
  const importance = e.u16();
  e.skip(2);
  const cookie = e.u64();
  const packetCount = e.u64();
  const byteCount = e.u64();
  const m = readMatch(e);
  const instructions = readInstructions(e);
  return {
    table,
    priority,
    cookie,
    idleTimeout,
    hardTimeout,
    flags,
    importance,
    durationSec,
    durationNsec,
    packetCount,
    byteCount,
    match: m.match,
    ...(m.unknown !== undefined ? { unknownMatch: m.unknown } : {}),
    instructions,
  };
}
