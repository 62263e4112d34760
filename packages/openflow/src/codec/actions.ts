/**
 * OpenFlow 1.3 actions and the Nicira extension actions an OVS pipeline
 * needs. Wire layouts are OVS 3.1 lib/ofp-actions.c (ofp11_action_output,
 * nx_action_resubmit, nx_action_reg_move, nx_action_reg_load,
 * nx_action_conntrack, nx_action_nat, nx_action_conjunction). Anything else decodes to
 * `{ type: 'unknown' }` with its bytes, so a flow dump never fails.
 */
import { OpenFlowError } from '../errors';
import { Reader, Writer } from './bytes';
import { NXAST, NX_CT_F_COMMIT, NX_CT_F_FORCE, NX_CT_RECIRC_NONE, NX_NAT_F_DST, NX_NAT_F_SRC, NX_NAT_RANGE, NX_VENDOR_ID, OFPAT, OFPCML_NO_BUFFER, OFPP } from './constants';
import type { FieldName } from './fields';
import { checkWidth, fieldDef, fullMask } from './fields';
import { fieldByNxmHeaderWord, nxmHeaderWord, readOxm, writeOxm } from './oxm';

/** A bit range of a field: `NXM_NX_REG0[0..15]` is `{ field: 'reg0', ofs: 0, nBits: 16 }`. */
export interface Subfield {
  readonly field: FieldName;
  readonly ofs: number;
  readonly nBits: number;
}

export type Action =
  /** OFPAT_OUTPUT. `maxLen` defaults to 0xffff (whole packet) for CONTROLLER and 0 otherwise, as ovs-ofctl does. */
  | { readonly type: 'output'; readonly port: number; readonly maxLen?: number }
  | { readonly type: 'group'; readonly groupId: number }
  | { readonly type: 'push_vlan'; readonly ethertype: number }
  | { readonly type: 'pop_vlan' }
  | { readonly type: 'set_queue'; readonly queueId: number }
  | { readonly type: 'dec_ttl' }
  /** OFPAT_SET_FIELD; with a mask it is sent as NXAST_REG_LOAD2 (1.3's set_field has no mask). */
  | { readonly type: 'set_field'; readonly field: FieldName; readonly value: bigint; readonly mask?: bigint }
  /** NXAST_REG_LOAD: writes `value` into `dst` (ovs-ofctl `load:`). */
  | { readonly type: 'load'; readonly dst: Subfield; readonly value: bigint }
  /** NXAST_REG_MOVE (ovs-ofctl `move:`): copies src bits to dst; both ranges have the same width. */
  | { readonly type: 'move'; readonly src: Subfield; readonly dst: Subfield }
  /** NXAST_RESUBMIT_TABLE: look up again in `table` (default: this table) as if from `inPort` (default: the packet's in_port). */
  | { readonly type: 'resubmit'; readonly table?: number; readonly inPort?: number }
  /** NXAST_CT. `zone` is an immediate zone; `zoneSrc` takes it from a field instead. `actions` run on commit (`exec(...)`). */
  | {
      readonly type: 'ct';
      readonly commit?: boolean;
      readonly force?: boolean;
      readonly zone?: number;
      readonly zoneSrc?: Subfield;
      readonly table?: number;
      readonly alg?: number;
      readonly actions?: readonly Action[];
    }
  | { readonly type: 'ct_clear' }
  /**
   * NXAST_NAT, only inside a ct action (`ct(commit,nat(dst=10.1.1.10:8080))`,
   * or `ct(nat)` to apply a committed connection's translation). Addresses are
   * IPv4 as 32-bit numbers; an absent max means "just min".
   */
  | {
      readonly type: 'nat';
      readonly kind?: 'src' | 'dst';
      readonly ipv4Min?: number;
      readonly ipv4Max?: number;
      readonly portMin?: number;
      readonly portMax?: number;
    }
  /** NXAST_CONJUNCTION; `clause` is 1-based as in ovs-ofctl's `conjunction(id,clause/nClauses)`. */
  | { readonly type: 'conjunction'; readonly id: number; readonly clause: number; readonly nClauses: number }
  | { readonly type: 'note'; readonly data: Buffer }
  /** An action we do not decode: its whole TLV. */
  | { readonly type: 'unknown'; readonly actionType: number; readonly experimenter?: number; readonly subtype?: number; readonly raw: Buffer };

export type ActionType = Action['type'];

const IN_PORT_16 = 0xfff8;

/** OVS's 16-bit port numbering for ports inside NX actions (ofp-port.c ofputil_port_to_ofp11). */
export function portTo16(port: number): number {
  if (port < 0xff00) return port;
  if (port >= OFPP.MAX) return port - 0xffff0000;
  throw new OpenFlowError('OF_ENCODE', `Port ${port} cannot be expressed in 16 bits`);
}

export function portFrom16(port: number): number {
  return port >= 0xff00 ? (port + 0xffff0000) >>> 0 : port;
}

function checkU(v: number, bits: number, what: string): void {
  if (!Number.isInteger(v) || v < 0 || v >= 2 ** bits) throw new OpenFlowError('OF_ENCODE', `${what} ${v} is not a ${bits}-bit unsigned integer`);
}

function checkSubfield(sf: Subfield, what: string): void {
  const def = fieldDef(sf.field);
  if (!Number.isInteger(sf.ofs) || !Number.isInteger(sf.nBits) || sf.ofs < 0 || sf.nBits < 1 || sf.ofs + sf.nBits > def.bytes * 8) {
    throw new OpenFlowError('OF_ENCODE', `${what} ${sf.field}[${sf.ofs}..${sf.ofs + sf.nBits - 1}] is outside the field's ${def.bytes * 8} bits`);
  }
}

const ofsNbits = (sf: Subfield): number => (sf.ofs << 6) | (sf.nBits - 1);

function nxStart(w: Writer, subtype: number): number {
  const start = w.length;
  w.u16(OFPAT.EXPERIMENTER).u16(0).u32(NX_VENDOR_ID).u16(subtype);
  return start;
}

function finishTlv(w: Writer, start: number): void {
  w.padTo(8, start);
  w.setU16(start + 2, w.length - start);
}

export function writeAction(w: Writer, a: Action): void {
  const start = w.length;
  switch (a.type) {
    case 'output': {
      checkU(a.port, 32, 'Output port');
      const maxLen = a.maxLen ?? (a.port === OFPP.CONTROLLER ? OFPCML_NO_BUFFER : 0);
      checkU(maxLen, 16, 'max_len');
      w.u16(OFPAT.OUTPUT).u16(16).u32(a.port).u16(maxLen).zeros(6);
      return;
    }
    case 'group':
      checkU(a.groupId, 32, 'Group id');
      w.u16(OFPAT.GROUP).u16(8).u32(a.groupId);
      return;
    case 'push_vlan':
      checkU(a.ethertype, 16, 'Ethertype');
      w.u16(OFPAT.PUSH_VLAN).u16(8).u16(a.ethertype).zeros(2);
      return;
    case 'pop_vlan':
      w.u16(OFPAT.POP_VLAN).u16(8).zeros(4);
      return;
    case 'set_queue':
      checkU(a.queueId, 32, 'Queue id');
      w.u16(OFPAT.SET_QUEUE).u16(8).u32(a.queueId);
      return;
    case 'dec_ttl':
      w.u16(OFPAT.DEC_NW_TTL).u16(8).zeros(4);
      return;
    case 'set_field': {
      const def = fieldDef(a.field);
      if (a.field === 'in_port') throw new OpenFlowError('OF_ENCODE', 'OpenFlow does not allow set_field on in_port');
      if (a.mask === undefined || a.mask === fullMask(def)) {
        w.u16(OFPAT.SET_FIELD).u16(0);
        writeOxm(w, def, def.header, a.value);
      } else {
        // NXAST_REG_LOAD2: the OXM (with mask) starts right after the subtype.
        nxStart(w, NXAST.REG_LOAD2);
        writeOxm(w, def, def.nxmHeader, a.value & a.mask, a.mask);
      }
      finishTlv(w, start);
      return;
    }
    case 'load': {
      checkSubfield(a.dst, 'load destination');
      if (a.value < 0n || (a.dst.nBits < 64 && a.value >> BigInt(a.dst.nBits) !== 0n)) {
        throw new OpenFlowError('OF_ENCODE', `load value 0x${a.value.toString(16)} does not fit in ${a.dst.nBits} bits`);
      }
      nxStart(w, NXAST.REG_LOAD);
      w.u16(ofsNbits(a.dst)).u32(nxmHeaderWord(fieldDef(a.dst.field))).u64(a.value);
      finishTlv(w, start);
      return;
    }
    case 'move': {
      checkSubfield(a.src, 'move source');
      checkSubfield(a.dst, 'move destination');
      if (a.src.nBits !== a.dst.nBits) throw new OpenFlowError('OF_ENCODE', `move copies ${a.src.nBits} bits into ${a.dst.nBits} bits`);
      nxStart(w, NXAST.REG_MOVE);
      w.u16(a.src.nBits).u16(a.src.ofs).u16(a.dst.ofs);
      w.u32(nxmHeaderWord(fieldDef(a.src.field))).u32(nxmHeaderWord(fieldDef(a.dst.field)));
      finishTlv(w, start);
      return;
    }
    case 'resubmit': {
      const table = a.table ?? 0xff;
      checkU(table, 8, 'Resubmit table');
      nxStart(w, NXAST.RESUBMIT_TABLE);
      w.u16(a.inPort === undefined ? IN_PORT_16 : portTo16(a.inPort)).u8(table).zeros(3);
      finishTlv(w, start);
      return;
    }
    case 'ct': {
      const flags = (a.commit === true ? NX_CT_F_COMMIT : 0) | (a.force === true ? NX_CT_F_FORCE : 0);
      nxStart(w, NXAST.CT);
      w.u16(flags);
      if (a.zoneSrc !== undefined) {
        if (a.zone !== undefined) throw new OpenFlowError('OF_ENCODE', 'ct takes zone or zoneSrc, not both');
        checkSubfield(a.zoneSrc, 'ct zone source');
        w.u32(nxmHeaderWord(fieldDef(a.zoneSrc.field))).u16(ofsNbits(a.zoneSrc));
      } else {
        checkU(a.zone ?? 0, 16, 'ct zone');
        w.u32(0).u16(a.zone ?? 0);
      }
      const table = a.table ?? NX_CT_RECIRC_NONE;
      checkU(table, 8, 'ct table');
      checkU(a.alg ?? 0, 16, 'ct alg');
      w.u8(table).zeros(3).u16(a.alg ?? 0);
      for (const sub of a.actions ?? []) writeAction(w, sub);
      finishTlv(w, start);
      return;
    }
    case 'ct_clear':
      nxStart(w, NXAST.CT_CLEAR);
      finishTlv(w, start);
      return;
    case 'nat': {
      // struct nx_action_nat: pad[2], flags, range_present, then the present ranges in NX_NAT_RANGE_* order.
      if (a.kind === undefined && (a.ipv4Min !== undefined || a.portMin !== undefined)) throw new OpenFlowError('OF_ENCODE', 'nat with a range needs src or dst');
      if (a.portMin !== undefined && a.ipv4Min === undefined) throw new OpenFlowError('OF_ENCODE', 'nat with a port needs an address');
      if ((a.ipv4Max !== undefined && a.ipv4Min === undefined) || (a.portMax !== undefined && a.portMin === undefined)) throw new OpenFlowError('OF_ENCODE', 'nat range max needs a min');
      const flags = a.kind === 'src' ? NX_NAT_F_SRC : a.kind === 'dst' ? NX_NAT_F_DST : 0;
      let present = 0;
      if (a.ipv4Min !== undefined) present |= NX_NAT_RANGE.IPV4_MIN;
      if (a.ipv4Max !== undefined) present |= NX_NAT_RANGE.IPV4_MAX;
      if (a.portMin !== undefined) present |= NX_NAT_RANGE.PROTO_MIN;
      if (a.portMax !== undefined) present |= NX_NAT_RANGE.PROTO_MAX;
      nxStart(w, NXAST.NAT);
      w.zeros(2).u16(flags).u16(present);
      for (const [v, what] of [
        [a.ipv4Min, 'nat ipv4 min'],
        [a.ipv4Max, 'nat ipv4 max'],
      ] as const) {
        if (v === undefined) continue;
        checkU(v, 32, what);
        w.u32(v);
      }
      for (const [v, what] of [
        [a.portMin, 'nat port min'],
        [a.portMax, 'nat port max'],
      ] as const) {
        if (v === undefined) continue;
        checkU(v, 16, what);
        if (v === 0) throw new OpenFlowError('OF_ENCODE', `${what} 0 is not a port`);
        w.u16(v);
      }
      finishTlv(w, start);
      return;
    }
    case 'conjunction':
      checkU(a.nClauses, 8, 'Conjunction n_clauses');
      if (a.nClauses < 2 || a.nClauses > 64 || !Number.isInteger(a.clause) || a.clause < 1 || a.clause > a.nClauses) {
        throw new OpenFlowError('OF_ENCODE', `conjunction(${a.id},${a.clause}/${a.nClauses}) needs 1 <= clause <= n_clauses, 2 <= n_clauses <= 64`);
      }
      checkU(a.id, 32, 'Conjunction id');
      nxStart(w, NXAST.CONJUNCTION);
      w.u8(a.clause - 1).u8(a.nClauses).u32(a.id);
      finishTlv(w, start);
      return;
    case 'note':
      nxStart(w, NXAST.NOTE);
      w.bytes(a.data);
      // The note field is at least 6 bytes (struct nx_action_note).
      if (a.data.length < 6) w.zeros(6 - a.data.length);
      finishTlv(w, start);
      return;
    case 'unknown':
      w.bytes(a.raw);
      return;
  }
}

export function writeActions(w: Writer, actions: readonly Action[]): void {
  for (const a of actions) writeAction(w, a);
}

export function encodeActions(actions: readonly Action[]): Buffer {
  const w = new Writer(64);
  writeActions(w, actions);
  return w.finish();
}

function readSubfieldHeader(r: Reader, what: string): FieldName {
  const word = r.u32();
  const def = fieldByNxmHeaderWord(word);
  if (def === undefined) throw new UnknownAction(`${what} field 0x${word.toString(16)}`);
  return def.name;
}

/** Signals an action we cannot represent; the caller keeps its raw bytes. */
class UnknownAction extends Error {}

function decodeNx(subtype: number, r: Reader): Action | undefined {
  switch (subtype) {
    case NXAST.RESUBMIT: {
      const inPort = r.u16();
      return inPort === IN_PORT_16 ? { type: 'resubmit' } : { type: 'resubmit', inPort: portFrom16(inPort) };
    }
    case NXAST.RESUBMIT_TABLE: {
      const inPort = r.u16();
      const table = r.u8();
      return {
        type: 'resubmit',
        ...(table !== 0xff ? { table } : {}),
        ...(inPort !== IN_PORT_16 ? { inPort: portFrom16(inPort) } : {}),
      };
    }
    case NXAST.REG_MOVE: {
      const nBits = r.u16();
      const srcOfs = r.u16();
      const dstOfs = r.u16();
      const src = readSubfieldHeader(r, 'move source');
      const dst = readSubfieldHeader(r, 'move destination');
      return { type: 'move', src: { field: src, ofs: srcOfs, nBits }, dst: { field: dst, ofs: dstOfs, nBits } };
    }
    case NXAST.REG_LOAD: {
      const ofsN = r.u16();
      const dst = readSubfieldHeader(r, 'load destination');
      const value = r.u64();
      return { type: 'load', dst: { field: dst, ofs: ofsN >> 6, nBits: (ofsN & 0x3f) + 1 }, value };
    }
    case NXAST.REG_LOAD2: {
      const e = readOxm(r);
      if (e.def === undefined) throw new UnknownAction('reg_load2 field');
      return e.mask === undefined ? { type: 'set_field', field: e.def.name, value: e.value } : { type: 'set_field', field: e.def.name, value: e.value, mask: e.mask };
    }
    case NXAST.CT: {
      const flags = r.u16();
      const zoneSrcWord = r.u32();
      const zoneWord = r.u16();
      const table = r.u8();
      r.skip(3);
      const alg = r.u16();
      const actions = readActions(r.sub(r.remaining, 'ct actions'));
      let zone: Partial<{ zone: number; zoneSrc: Subfield }> = {};
      if (zoneSrcWord !== 0) {
        const def = fieldByNxmHeaderWord(zoneSrcWord);
        if (def === undefined) throw new UnknownAction('ct zone field');
        zone = { zoneSrc: { field: def.name, ofs: zoneWord >> 6, nBits: (zoneWord & 0x3f) + 1 } };
      } else if (zoneWord !== 0) {
        zone = { zone: zoneWord };
      }
      return {
        type: 'ct',
        ...((flags & NX_CT_F_COMMIT) !== 0 ? { commit: true } : {}),
        ...((flags & NX_CT_F_FORCE) !== 0 ? { force: true } : {}),
        ...zone,
        ...(table !== NX_CT_RECIRC_NONE ? { table } : {}),
        ...(alg !== 0 ? { alg } : {}),
        ...(actions.length > 0 ? { actions } : {}),
      };
    }
    case NXAST.CT_CLEAR:
      return { type: 'ct_clear' };
    case NXAST.NAT: {
      r.skip(2);
      const flags = r.u16();
      const present = r.u16();
      // IPv6 ranges are not something this pipeline builds: keep such an action as unknown.
      if ((present & (NX_NAT_RANGE.IPV6_MIN | NX_NAT_RANGE.IPV6_MAX)) !== 0 || (flags & ~(NX_NAT_F_SRC | NX_NAT_F_DST)) !== 0) throw new UnknownAction('nat with IPv6 ranges or flags');
      const kind = (flags & NX_NAT_F_SRC) !== 0 ? 'src' : (flags & NX_NAT_F_DST) !== 0 ? 'dst' : undefined;
      const ipv4Min = (present & NX_NAT_RANGE.IPV4_MIN) !== 0 ? r.u32() : undefined;
      const ipv4Max = (present & NX_NAT_RANGE.IPV4_MAX) !== 0 ? r.u32() : undefined;
      const portMin = (present & NX_NAT_RANGE.PROTO_MIN) !== 0 ? r.u16() : undefined;
      const portMax = (present & NX_NAT_RANGE.PROTO_MAX) !== 0 ? r.u16() : undefined;
      return {
        type: 'nat',
        ...(kind !== undefined ? { kind } : {}),
        ...(ipv4Min !== undefined ? { ipv4Min } : {}),
        ...(ipv4Max !== undefined ? { ipv4Max } : {}),
        ...(portMin !== undefined ? { portMin } : {}),
        ...(portMax !== undefined ? { portMax } : {}),
      };
    }
    case NXAST.CONJUNCTION: {
      const clause = r.u8();
      const nClauses = r.u8();
      const id = r.u32();
      return { type: 'conjunction', id, clause: clause + 1, nClauses };
    }
    case NXAST.DEC_TTL:
      return { type: 'dec_ttl' };
    case NXAST.NOTE:
      // OVS keeps the padding as part of the note, and so do we.
      return { type: 'note', data: r.rest() };
    default:
      return undefined;
  }
}

function decodeAction(type: number, body: Reader): Action | undefined {
  switch (type) {
    case OFPAT.OUTPUT: {
      const port = body.u32();
      const maxLen = body.u16();
      // Leave out the default max_len so a decoded action equals the one built.
      const dflt = port === OFPP.CONTROLLER ? OFPCML_NO_BUFFER : 0;
      return maxLen === dflt ? { type: 'output', port } : { type: 'output', port, maxLen };
    }
    case OFPAT.GROUP:
      return { type: 'group', groupId: body.u32() };
    case OFPAT.PUSH_VLAN:
      return { type: 'push_vlan', ethertype: body.u16() };
    case OFPAT.POP_VLAN:
      return { type: 'pop_vlan' };
    case OFPAT.SET_QUEUE:
      return { type: 'set_queue', queueId: body.u32() };
    case OFPAT.DEC_NW_TTL:
      return { type: 'dec_ttl' };
    case OFPAT.SET_FIELD: {
      const e = readOxm(body);
      if (e.def === undefined || e.mask !== undefined) return undefined;
      return { type: 'set_field', field: e.def.name, value: e.value };
    }
    default:
      return undefined;
  }
}

/** Reads actions until the reader is exhausted. */
export function readActions(r: Reader): Action[] {
  const out: Action[] = [];
  while (r.remaining > 0) {
    const type = r.peekU16();
    const len = r.peekU16(2);
    if (len < 8 || len % 8 !== 0) throw new OpenFlowError('OF_PROTOCOL', `Action of type ${type} has bad length ${len}`);
    const tlv = r.sub(len, 'action');
    const raw = tlv.bytes(len);
    const body = new Reader(raw, 4, len, 'action');
    let action: Action | undefined;
    let experimenter: number | undefined;
    let subtype: number | undefined;
    try {
      if (type === OFPAT.EXPERIMENTER) {
        experimenter = body.u32();
        if (experimenter === NX_VENDOR_ID) {
          subtype = body.u16();
          action = decodeNx(subtype, body);
        }
      } else {
        action = decodeAction(type, body);
      }
    } catch (err) {
      if (!(err instanceof UnknownAction)) throw err;
      action = undefined;
    }
    out.push(action ?? { type: 'unknown', actionType: type, ...(experimenter !== undefined ? { experimenter } : {}), ...(subtype !== undefined ? { subtype } : {}), raw });
  }
  return out;
}

export function decodeActions(buf: Buffer): Action[] {
  return readActions(new Reader(buf, 0, buf.length, 'actions'));
}

/** Checks a set_field value against its field's width (for builders that want to fail early). */
export function checkSetField(field: FieldName, value: bigint): void {
  checkWidth(fieldDef(field), value);
}
