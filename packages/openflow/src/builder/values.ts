/** Turns builder inputs (numbers, bigints, address strings) into field values. */
import { OpenFlowError } from '../errors';
import type { FieldName } from '../codec/fields';
import { checkWidth, fieldDef } from '../codec/fields';
import { parseIpv4Prefix, parseIpv6Prefix, parseMac } from '../text/addr';

/** A field value: a number/bigint, or for address fields a string (`aa:bb:..`, `10.0.0.1`, `10.0.0.0/24`, `fe80::/64`). */
export type FieldInput = bigint | number | string;

function toBig(v: bigint | number, what: string): bigint {
  if (typeof v === 'bigint') return v;
  if (!Number.isSafeInteger(v) || v < 0) throw new OpenFlowError('OF_INVALID_ARGUMENT', `${what} ${v} is not a non-negative integer`);
  return BigInt(v);
}

/** Value and mask of a field from builder input; a prefix string yields its mask. */
export function fieldValue(field: FieldName, input: FieldInput, mask?: FieldInput): { value: bigint; mask?: bigint } {
  const def = fieldDef(field);
  let value: bigint;
  let m: bigint | undefined;
  if (typeof input === 'string') {
    switch (def.format) {
      case 'mac':
        value = parseMac(input);
        break;
      case 'ipv4': {
        const p = parseIpv4Prefix(input);
        value = p.value;
        m = p.mask;
        break;
      }
      case 'ipv6': {
        const p = parseIpv6Prefix(input);
        value = p.value;
        m = p.mask;
        break;
      }
      default:
        if (!/^(0x[0-9a-f]+|\d+)$/i.test(input)) throw new OpenFlowError('OF_INVALID_ARGUMENT', `${JSON.stringify(input)} is not a value for ${field}`);
        value = BigInt(input);
    }
  } else {
    value = toBig(input, field);
  }
  if (mask !== undefined) {
    if (m !== undefined) throw new OpenFlowError('OF_INVALID_ARGUMENT', `${field}: give a prefix or a mask, not both`);
    m = typeof mask === 'string' ? fieldValue(field, mask).value : toBig(mask, `${field} mask`);
  }
  try {
    checkWidth(def, value);
    if (m !== undefined) checkWidth(def, m, 'mask');
  } catch (err) {
    throw new OpenFlowError('OF_INVALID_ARGUMENT', (err as Error).message);
  }
  return m === undefined ? { value } : { value, mask: m };
}
