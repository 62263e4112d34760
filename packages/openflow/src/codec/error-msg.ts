/**
 * OFPT_ERROR bodies: `type u16, code u16, data` or, for experimenter errors
 * in OpenFlow 1.2+, `0xffff, exp_type u16, experimenter u32, data` (OVS
 * ofp-errors.c ofperr_encode_msg__). `data` starts with the offending
 * request, so its header tells which message type failed.
 */
import type { OfErrorInfo } from '../errors';
import { OF13_ERRORS } from './error-names.gen';
import { OFPET_EXPERIMENTER } from './constants';

const TYPE_NAMES: Readonly<Record<number, string>> = {
  0: 'OFPET_HELLO_FAILED',
  1: 'OFPET_BAD_REQUEST',
  2: 'OFPET_BAD_ACTION',
  3: 'OFPET_BAD_INSTRUCTION',
  4: 'OFPET_BAD_MATCH',
  5: 'OFPET_FLOW_MOD_FAILED',
  6: 'OFPET_GROUP_MOD_FAILED',
  7: 'OFPET_PORT_MOD_FAILED',
  8: 'OFPET_TABLE_MOD_FAILED',
  9: 'OFPET_QUEUE_OP_FAILED',
  10: 'OFPET_SWITCH_CONFIG_FAILED',
  11: 'OFPET_ROLE_REQUEST_FAILED',
  12: 'OFPET_METER_MOD_FAILED',
  13: 'OFPET_TABLE_FEATURES_FAILED',
};

const BY_KEY: ReadonlyMap<string, { name: string; description: string }> = (() => {
  const m = new Map<string, { name: string; description: string }>();
  for (const row of OF13_ERRORS) {
    const key = row.length === 5 ? `x${row[0]}/${row[1]}` : `${row[0]}/${row[1]}`;
    if (!m.has(key)) m.set(key, { name: row[2], description: row[3] });
  }
  return m;
})();

export interface ErrorBody {
  readonly errType: number;
  readonly code: number;
  readonly experimenter?: number;
  readonly data: Buffer;
}

/** OVS's name and description for an error, or a generic one. */
export function errorName(e: Pick<ErrorBody, 'errType' | 'code' | 'experimenter'>): { name: string; description: string } {
  const key = e.errType === OFPET_EXPERIMENTER ? `x${e.experimenter ?? 0}/${e.code}` : `${e.errType}/${e.code}`;
  const known = BY_KEY.get(key);
  if (known !== undefined) return known;
  if (e.errType === OFPET_EXPERIMENTER) {
    return { name: `EXPERIMENTER(0x${(e.experimenter ?? 0).toString(16)},${e.code})`, description: 'Unknown experimenter error.' };
  }
  const typeName = TYPE_NAMES[e.errType];
  return { name: typeName === undefined ? `OFPET(${e.errType},${e.code})` : `${typeName}(${e.code})`, description: 'Unknown error code.' };
}

/** Decodes an error message body into the readable form errors carry. */
export function describeError(xid: number, e: ErrorBody): OfErrorInfo {
  const { name, description } = errorName(e);
  const requestType = e.data.length >= 2 ? e.data.readUInt8(1) : undefined;
  return {
    type: e.errType,
    code: e.code,
    ...(e.experimenter !== undefined ? { experimenter: e.experimenter } : {}),
    name,
    description,
    xid,
    ...(requestType !== undefined ? { requestType } : {}),
  };
}
