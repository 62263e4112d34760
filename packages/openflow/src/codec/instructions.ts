/**
 * OpenFlow 1.3 instructions. They are written in OVS's order (ofp-actions.c
 * ovs_instruction_type: meter, apply_actions, clear_actions, write_actions,
 * write_metadata, goto_table), which is also the order OVS returns them in,
 * so an encoded flow is byte-identical to what ovs-ofctl would send.
 */
import { OpenFlowError } from '../errors';
import type { Reader } from './bytes';
import type { Writer } from './bytes';
import { OFPIT } from './constants';
import type { Action } from './actions';
import { readActions, writeActions } from './actions';

export type Instruction =
  | { readonly type: 'meter'; readonly meterId: number }
  | { readonly type: 'apply_actions'; readonly actions: readonly Action[] }
  | { readonly type: 'clear_actions' }
  | { readonly type: 'write_actions'; readonly actions: readonly Action[] }
  | { readonly type: 'write_metadata'; readonly metadata: bigint; readonly mask: bigint }
  | { readonly type: 'goto_table'; readonly table: number };

export type InstructionType = Instruction['type'];

export const INSTRUCTION_ORDER: readonly InstructionType[] = ['meter', 'apply_actions', 'clear_actions', 'write_actions', 'write_metadata', 'goto_table'];

/** Instructions in OVS's order; an instruction type given twice is OF_ENCODE. */
export function sortInstructions(instructions: readonly Instruction[]): Instruction[] {
  const seen = new Set<InstructionType>();
  for (const i of instructions) {
    if (seen.has(i.type)) throw new OpenFlowError('OF_ENCODE', `Instruction ${i.type} appears twice`);
    seen.add(i.type);
  }
  return [...instructions].sort((a, b) => INSTRUCTION_ORDER.indexOf(a.type) - INSTRUCTION_ORDER.indexOf(b.type));
}

export function writeInstructions(w: Writer, instructions: readonly Instruction[]): void {
  for (const ins of sortInstructions(instructions)) {
    const start = w.length;
    switch (ins.type) {
      case 'goto_table':
        if (!Number.isInteger(ins.table) || ins.table < 0 || ins.table > 254) throw new OpenFlowError('OF_ENCODE', `goto_table ${ins.table} is not a table (0..254)`);
        w.u16(OFPIT.GOTO_TABLE).u16(8).u8(ins.table).zeros(3);
        break;
      case 'write_metadata':
        w.u16(OFPIT.WRITE_METADATA).u16(24).zeros(4).u64(ins.metadata).u64(ins.mask);
        break;
      case 'apply_actions':
      case 'write_actions':
        w.u16(ins.type === 'apply_actions' ? OFPIT.APPLY_ACTIONS : OFPIT.WRITE_ACTIONS).u16(0).zeros(4);
        writeActions(w, ins.actions);
        w.setU16(start + 2, w.length - start);
        break;
      case 'clear_actions':
        w.u16(OFPIT.CLEAR_ACTIONS).u16(8).zeros(4);
        break;
      case 'meter':
        w.u16(OFPIT.METER).u16(8).u32(ins.meterId);
        break;
    }
  }
}

/** Reads instructions until the reader is exhausted. */
export function readInstructions(r: Reader): Instruction[] {
  const out: Instruction[] = [];
  while (r.remaining > 0) {
    const type = r.u16();
    const len = r.u16();
    if (len < 8 || len % 8 !== 0) throw new OpenFlowError('OF_PROTOCOL', `Instruction of type ${type} has bad length ${len}`);
    const body = r.sub(len - 4, 'instruction');
    switch (type) {
      case OFPIT.GOTO_TABLE:
        out.push({ type: 'goto_table', table: body.u8() });
        break;
      case OFPIT.WRITE_METADATA: {
        body.skip(4);
        const metadata = body.u64();
        out.push({ type: 'write_metadata', metadata, mask: body.u64() });
        break;
      }
      case OFPIT.APPLY_ACTIONS:
      case OFPIT.WRITE_ACTIONS: {
        body.skip(4);
        const actions = readActions(body);
        out.push({ type: type === OFPIT.APPLY_ACTIONS ? 'apply_actions' : 'write_actions', actions });
        break;
      }
      case OFPIT.CLEAR_ACTIONS:
        out.push({ type: 'clear_actions' });
        break;
      case OFPIT.METER:
        out.push({ type: 'meter', meterId: body.u32() });
        break;
      default:
        throw new OpenFlowError('OF_PROTOCOL', `Unknown instruction type ${type}`);
    }
  }
  return out;
}
