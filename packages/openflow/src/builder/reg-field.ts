/**
 * Named bit ranges of the NXM registers (Antrea's RegField / RegMark): a
 * pipeline declares `const PktSourceField = regField(0, 0, 3, 'PktSource')`
 * once and matches or loads it by name everywhere.
 */
import { OpenFlowError } from '../errors';
import type { Subfield } from '../codec/actions';
import type { RegName } from '../codec/fields';

export interface RegField {
  /** Register number 0..15. */
  readonly reg: number;
  /** First bit (0 = least significant). */
  readonly ofs: number;
  readonly nBits: number;
  readonly name?: string;
}

export interface RegMark {
  readonly field: RegField;
  readonly value: bigint;
}

/** Bits `start..end` (inclusive) of register `reg`. */
export function regField(reg: number, start: number, end: number, name?: string): RegField {
  if (!Number.isInteger(reg) || reg < 0 || reg > 15) throw new OpenFlowError('OF_INVALID_ARGUMENT', `Register ${reg} is not 0..15`);
  if (!Number.isInteger(start) || !Number.isInteger(end) || start < 0 || end > 31 || end < start) {
    throw new OpenFlowError('OF_INVALID_ARGUMENT', `Bit range ${start}..${end} is not within a 32-bit register`);
  }
  return { reg, ofs: start, nBits: end - start + 1, ...(name !== undefined ? { name } : {}) };
}

export function regMark(field: RegField, value: bigint | number): RegMark {
  const v = BigInt(value);
  if (v < 0n || v >= 1n << BigInt(field.nBits)) throw new OpenFlowError('OF_INVALID_ARGUMENT', `Value ${v} does not fit in ${field.nBits} bits of reg${field.reg}`);
  return { field, value: v };
}

export function regName(reg: number): RegName {
  return `reg${reg}` as RegName;
}

/** The register bits as a mask and the value shifted into place. */
export function regFieldMask(field: RegField, value: bigint): { value: bigint; mask: bigint } {
  const mask = ((1n << BigInt(field.nBits)) - 1n) << BigInt(field.ofs);
  return { value: (value << BigInt(field.ofs)) & mask, mask };
}

export function regSubfield(field: RegField): Subfield {
  return { field: regName(field.reg), ofs: field.ofs, nBits: field.nBits };
}

/** Is this a RegField (as opposed to a field name or a Subfield)? */
export function isRegField(x: unknown): x is RegField {
  return typeof x === 'object' && x !== null && 'reg' in x && 'ofs' in x && 'nBits' in x;
}
