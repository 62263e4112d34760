/**
 * OpenFlow 1.3 matches (`ofp_match` of type OXM) and single OXM entries
 * (also used by set_field). A Match is kept in one normal form, the one OVS
 * itself produces (nx-match.c nx_put_raw): fields in OVS's order, values
 * AND-ed with their mask, all-ones masks dropped, zero masks meaning "not
 * matched". So two equal matches encode to the same bytes, and a match
 * decoded from a flow-stats reply compares equal to the one we sent.
 */
import { OpenFlowError } from '../errors';
import type { Reader } from './bytes';
import { Writer } from './bytes';
import type { FieldDef, FieldName, OxmHeader } from './fields';
import { FIELDS, checkWidth, fieldByHeader, fieldDef, fullMask } from './fields';

export interface MatchField {
  readonly field: FieldName;
  readonly value: bigint;
  /** Absent = exact match. Only for maskable fields. */
  readonly mask?: bigint;
}

export type Match = readonly MatchField[];

/** An OXM entry we could not map to a field (kept so a dump never fails). */
export interface UnknownOxm {
  readonly oxmClass: number;
  readonly field: number;
  readonly hasMask: boolean;
  /** Experimenter id for class 0xffff. */
  readonly experimenter?: number;
  readonly payload: Buffer;
}

const OFPMT_OXM = 1;
const OXM_CLASS_EXPERIMENTER = 0xffff;

/** OVS's order of fields in a match (nx-match.c nx_put_raw). */
const ORDER: readonly FieldName[] = [
  'conj_id',
  'in_port',
  'eth_src',
  'eth_dst',
  'eth_type',
  'vlan_vid',
  'vlan_pcp',
  'ipv4_src',
  'ipv4_dst',
  'ipv6_src',
  'ipv6_dst',
  'ip_dscp',
  'ip_proto',
  'tcp_src',
  'tcp_dst',
  'udp_src',
  'udp_dst',
  'icmpv4_type',
  'icmpv4_code',
  'icmpv6_type',
  'icmpv6_code',
  'arp_op',
  'arp_spa',
  'arp_tpa',
  'arp_sha',
  'arp_tha',
  'tunnel_id',
  'tun_src',
  'tun_dst',
  ...Array.from({ length: 16 }, (_, i) => `reg${i}` as FieldName),
  'pkt_mark',
  'ct_state',
  'ct_zone',
  'ct_mark',
  'metadata',
];
const RANK: ReadonlyMap<FieldName, number> = new Map(ORDER.map((f, i) => [f, i]));
if (ORDER.length !== FIELDS.size) throw new Error('oxm ORDER does not list every field');

/** One entry in normal form, or undefined if its mask is zero (matches anything). */
export function normalizeField(f: MatchField): MatchField | undefined {
  const def = fieldDef(f.field);
  checkWidth(def, f.value);
  if (f.mask === undefined) return { field: f.field, value: f.value };
  checkWidth(def, f.mask, 'mask');
  if (f.mask === fullMask(def)) return { field: f.field, value: f.value };
  if (f.mask === 0n) return undefined;
  if (!def.maskable) throw new OpenFlowError('OF_ENCODE', `Field ${f.field} cannot be masked`);
  return { field: f.field, value: f.value & f.mask, mask: f.mask };
}

/** Normal form of a whole match; a field given twice is OF_ENCODE. */
export function normalizeMatch(fields: Iterable<MatchField>): Match {
  const out: MatchField[] = [];
  const seen = new Set<FieldName>();
  for (const f of fields) {
    if (seen.has(f.field)) throw new OpenFlowError('OF_ENCODE', `Field ${f.field} appears twice in one match`);
    seen.add(f.field);
    const n = normalizeField(f);
    if (n !== undefined) out.push(n);
  }
  return out.sort((a, b) => (RANK.get(a.field) ?? 0) - (RANK.get(b.field) ?? 0));
}

function headerWord(h: OxmHeader, hasMask: boolean, payloadLen: number): number {
  return ((h.oxmClass << 16) | (h.field << 9) | (hasMask ? 0x100 : 0) | payloadLen) >>> 0;
}

/** Writes one OXM TLV with the given header. */
export function writeOxm(w: Writer, def: FieldDef, header: OxmHeader, value: bigint, mask?: bigint): void {
  checkWidth(def, value);
  const hasMask = mask !== undefined;
  w.u32(headerWord(header, hasMask, def.bytes * (hasMask ? 2 : 1)));
  w.uint(value, def.bytes);
  if (hasMask) {
    checkWidth(def, mask, 'mask');
    w.uint(mask, def.bytes);
  }
}

/** A 32-bit NXM header word (no mask) for NXAST_REG_MOVE / NXAST_REG_LOAD. */
export function nxmHeaderWord(def: FieldDef): number {
  return headerWord(def.nxmHeader, false, def.bytes);
}

export function fieldByNxmHeaderWord(word: number): FieldDef | undefined {
  return fieldByHeader(word >>> 16, (word >>> 9) & 0x7f);
}

/** Appends `ofp_match` (type OXM, padded to 8 bytes). */
export function writeMatch(w: Writer, match: Match): void {
  const start = w.length;
  w.u16(OFPMT_OXM).u16(0);
  for (const f of normalizeMatch(match)) {
    const def = fieldDef(f.field);
    writeOxm(w, def, def.header, f.value, f.mask);
  }
  w.setU16(start + 2, w.length - start);
  w.padTo(8, start);
}

export function encodeMatch(match: Match): Buffer {
  const w = new Writer(64);
  writeMatch(w, match);
  return w.finish();
}

export interface DecodedOxm {
  readonly def: FieldDef | undefined;
  readonly value: bigint;
  readonly mask: bigint | undefined;
  readonly unknown?: UnknownOxm;
}

/** Reads one OXM TLV. */
export function readOxm(r: Reader): DecodedOxm {
  const word = r.u32();
  const oxmClass = word >>> 16;
  const field = (word >>> 9) & 0x7f;
  const hasMask = (word & 0x100) !== 0;
  let len = word & 0xff;
  let experimenter: number | undefined;
  if (oxmClass === OXM_CLASS_EXPERIMENTER) {
    experimenter = r.u32();
    len -= 4;
  }
  if (len < 0) throw new OpenFlowError('OF_PROTOCOL', `OXM header 0x${word.toString(16)} has a bad length`);
  const payload = r.bytes(len);
  const def = experimenter === undefined ? fieldByHeader(oxmClass, field) : undefined;
  if (def === undefined || len !== def.bytes * (hasMask ? 2 : 1)) {
    return { def: undefined, value: 0n, mask: undefined, unknown: { oxmClass, field, hasMask, experimenter, payload } };
  }
  const num = (b: Buffer): bigint => (b.length === 0 ? 0n : BigInt(`0x${b.toString('hex')}`));
  return { def, value: num(payload.subarray(0, def.bytes)), mask: hasMask ? num(payload.subarray(def.bytes)) : undefined };
}

export interface DecodedMatch {
  readonly match: Match;
  /** Entries we do not know (present only when non-empty). */
  readonly unknown?: readonly UnknownOxm[];
}

/** Reads `ofp_match` including its padding. */
export function readMatch(r: Reader): DecodedMatch {
  const type = r.u16();
  const length = r.u16();
  if (type !== OFPMT_OXM) throw new OpenFlowError('OF_PROTOCOL', `Match type ${type} is not OXM (1)`);
  if (length < 4) throw new OpenFlowError('OF_PROTOCOL', `Match length ${length} is too short`);
  const body = r.sub(length - 4, 'match');
  r.skip((8 - (length % 8)) % 8);
  const fields: MatchField[] = [];
  const unknown: UnknownOxm[] = [];
  while (body.remaining > 0) {
    const e = readOxm(body);
    if (e.def === undefined) {
      if (e.unknown !== undefined) unknown.push(e.unknown);
      continue;
    }
    fields.push(e.mask === undefined ? { field: e.def.name, value: e.value } : { field: e.def.name, value: e.value, mask: e.mask });
  }
  const match = normalizeMatch(fields);
  return unknown.length > 0 ? { match, unknown } : { match };
}
