/**
 * OpenFlow 1.3 messages: one tagged union, `encodeMessage` and
 * `decodeMessage`. Header = version u8 (0x04), type u8, length u16, xid u32.
 * Bundles use the ONF extension for 1.3 (EXT-230: experimenter 0x4f4e4600,
 * exp_type 2300/2301, body = ofp14_bundle_ctrl_msg), which ovs-vswitchd
 * accepts on OpenFlow 1.3 connections (ofp-msgs.h OFPRAW_ONFT13_BUNDLE_*).
 */
import { OpenFlowError } from '../errors';
import { Reader, Writer } from './bytes';
import type { BundleControlType } from './constants';
import {
  BUNDLE_CONTROL_TYPES,
  OFP13_VERSION,
  OFPET_EXPERIMENTER,
  OFPHET_VERSIONBITMAP,
  OFPT,
  OFP_HEADER_LEN,
  OFP_MAX_MESSAGE_LEN,
  ONFT13_BUNDLE_ADD_MESSAGE,
  ONFT13_BUNDLE_CONTROL,
  ONF_VENDOR_ID,
} from './constants';
import type { Action } from './actions';
import { readActions, writeActions } from './actions';
import type { FlowMod } from './flow-mod';
import { readFlowMod, writeFlowMod } from './flow-mod';
import type { GroupMod } from './group-mod';
import { readGroupMod, writeGroupMod } from './group-mod';
import type { MeterMod } from './meter-mod';
import { readMeterMod, writeMeterMod } from './meter-mod';
import type { MultipartReplyBody, MultipartRequestBody } from './multipart';
import { readMultipartReply, readMultipartRequest, writeMultipartReply, writeMultipartRequest } from './multipart';
import type { Match } from './oxm';
import { readMatch, writeMatch } from './oxm';

interface Xid {
  /** Transaction id; the connection assigns one when a message is sent without it. */
  readonly xid: number;
}

export type OfMessage = Xid &
  (
    | { readonly type: 'hello'; readonly versions: readonly number[] }
    | { readonly type: 'error'; readonly errType: number; readonly code: number; readonly experimenter?: number; readonly data: Buffer }
    | { readonly type: 'echo_request'; readonly data: Buffer }
    | { readonly type: 'echo_reply'; readonly data: Buffer }
    | { readonly type: 'features_request' }
    | {
        readonly type: 'features_reply';
        readonly datapathId: bigint;
        readonly nBuffers: number;
        readonly nTables: number;
        readonly auxiliaryId: number;
        readonly capabilities: number;
      }
    | { readonly type: 'get_config_request' }
    | { readonly type: 'get_config_reply'; readonly flags: number; readonly missSendLen: number }
    | { readonly type: 'set_config'; readonly flags: number; readonly missSendLen: number }
    | {
        readonly type: 'packet_in';
        readonly bufferId: number;
        readonly totalLen: number;
        readonly reason: number;
        readonly table: number;
        readonly cookie: bigint;
        readonly match: Match;
        readonly data: Buffer;
      }
    | { readonly type: 'packet_out'; readonly bufferId?: number; readonly inPort: number; readonly actions: readonly Action[]; readonly data: Buffer }
    | ({ readonly type: 'flow_mod' } & FlowMod)
    | ({ readonly type: 'group_mod' } & GroupMod)
    | ({ readonly type: 'meter_mod' } & MeterMod)
    | { readonly type: 'multipart_request'; readonly flags: number; readonly body: MultipartRequestBody }
    | { readonly type: 'multipart_reply'; readonly flags: number; readonly body: MultipartReplyBody }
    | { readonly type: 'barrier_request' }
    | { readonly type: 'barrier_reply' }
    | { readonly type: 'bundle_control'; readonly bundleId: number; readonly control: BundleControlType; readonly flags: number; readonly properties?: Buffer }
    /** The embedded message gets this message's xid on the wire (ofp14_bundle_ctrl_msg rules). */
    | { readonly type: 'bundle_add'; readonly bundleId: number; readonly flags: number; readonly message: OfMessage }
    | { readonly type: 'experimenter'; readonly experimenter: number; readonly expType: number; readonly data: Buffer }
    | { readonly type: 'unknown'; readonly msgType: number; readonly body: Buffer }
  );

export type OfMessageType = OfMessage['type'];

/** Messages without an xid yet (the connection assigns one). */
export type OutgoingMessage = OfMessage extends infer M ? (M extends OfMessage ? Omit<M, 'xid'> & { readonly xid?: number } : never) : never;

const SIMPLE: Partial<Record<OfMessageType, number>> = {
  features_request: OFPT.FEATURES_REQUEST,
  get_config_request: OFPT.GET_CONFIG_REQUEST,
  barrier_request: OFPT.BARRIER_REQUEST,
  barrier_reply: OFPT.BARRIER_REPLY,
};

function msgTypeOf(m: OfMessage): number {
  switch (m.type) {
    case 'hello':
      return OFPT.HELLO;
    case 'error':
      return OFPT.ERROR;
    case 'echo_request':
      return OFPT.ECHO_REQUEST;
    case 'echo_reply':
      return OFPT.ECHO_REPLY;
    case 'features_reply':
      return OFPT.FEATURES_REPLY;
    case 'get_config_reply':
      return OFPT.GET_CONFIG_REPLY;
    case 'set_config':
      return OFPT.SET_CONFIG;
    case 'packet_in':
      return OFPT.PACKET_IN;
    case 'packet_out':
      return OFPT.PACKET_OUT;
    case 'flow_mod':
      return OFPT.FLOW_MOD;
    case 'group_mod':
      return OFPT.GROUP_MOD;
    case 'meter_mod':
      return OFPT.METER_MOD;
    case 'multipart_request':
      return OFPT.MULTIPART_REQUEST;
    case 'multipart_reply':
      return OFPT.MULTIPART_REPLY;
    case 'bundle_control':
    case 'bundle_add':
    case 'experimenter':
      return OFPT.EXPERIMENTER;
    case 'unknown':
      return m.msgType;
    default: {
      const t = SIMPLE[m.type];
      if (t === undefined) throw new OpenFlowError('OF_ENCODE', `Cannot encode message type ${m.type}`);
      return t;
    }
  }
}

function writeBody(w: Writer, m: OfMessage): void {
  switch (m.type) {
    case 'hello': {
      if (m.versions.length === 0) return;
      let bitmap = 0;
      for (const v of m.versions) {
        if (!Number.isInteger(v) || v < 1 || v > 31) throw new OpenFlowError('OF_ENCODE', `OpenFlow version ${v} cannot be put in a hello bitmap`);
        bitmap |= 1 << v;
      }
      w.u16(OFPHET_VERSIONBITMAP).u16(8).u32(bitmap >>> 0);
      return;
    }
    case 'error':
      w.u16(m.errType).u16(m.code);
      if (m.errType === OFPET_EXPERIMENTER) w.u32(m.experimenter ?? 0);
      w.bytes(m.data);
      return;
    case 'echo_request':
    case 'echo_reply':
      w.bytes(m.data);
      return;
    case 'features_reply':
      w.u64(m.datapathId).u32(m.nBuffers).u8(m.nTables).u8(m.auxiliaryId).zeros(2).u32(m.capabilities).zeros(4);
      return;
    case 'get_config_reply':
    case 'set_config':
      w.u16(m.flags).u16(m.missSendLen);
      return;
    case 'packet_in':
      w.u32(m.bufferId).u16(m.totalLen).u8(m.reason).u8(m.table).u64(m.cookie);
      writeMatch(w, m.match);
      w.zeros(2).bytes(m.data);
      return;
    case 'packet_out': {
      w.u32(m.bufferId ?? 0xffffffff).u32(m.inPort);
      const lenAt = w.length;
      w.u16(0).zeros(6);
      const start = w.length;
      writeActions(w, m.actions);
      w.setU16(lenAt, w.length - start);
      w.bytes(m.data);
      return;
    }
    case 'flow_mod':
      writeFlowMod(w, m);
      return;
    case 'group_mod':
      writeGroupMod(w, m);
      return;
    case 'meter_mod':
      writeMeterMod(w, m);
      return;
    case 'multipart_request':
      writeMultipartRequest(w, m.flags, m.body);
      return;
    case 'multipart_reply':
      writeMultipartReply(w, m.flags, m.body);
      return;
    case 'bundle_control': {
      const control = BUNDLE_CONTROL_TYPES.indexOf(m.control);
      if (control < 0) throw new OpenFlowError('OF_ENCODE', `Unknown bundle control type ${String(m.control)}`);
      w.u32(ONF_VENDOR_ID).u32(ONFT13_BUNDLE_CONTROL).u32(m.bundleId).u16(control).u16(m.flags);
      if (m.properties !== undefined) w.bytes(m.properties);
      return;
    }
    case 'bundle_add': {
      if (m.message.type === 'bundle_add' || m.message.type === 'bundle_control') throw new OpenFlowError('OF_ENCODE', 'A bundle cannot contain bundle messages');
      w.u32(ONF_VENDOR_ID).u32(ONFT13_BUNDLE_ADD_MESSAGE).u32(m.bundleId).u16(0).u16(m.flags);
      writeMessage(w, m.message, m.xid);
      return;
    }
    case 'experimenter':
      w.u32(m.experimenter).u32(m.expType).bytes(m.data);
      return;
    case 'unknown':
      w.bytes(m.body);
      return;
    default:
      return;
  }
}

/** Appends one message (header included) with the given xid. */
function writeMessage(w: Writer, m: OfMessage, xid: number): void {
  if (!Number.isInteger(xid) || xid < 0 || xid > 0xffffffff) throw new OpenFlowError('OF_ENCODE', `xid ${xid} is not a 32-bit number`);
  const start = w.length;
  w.u8(OFP13_VERSION).u8(msgTypeOf(m)).u16(0).u32(xid);
  writeBody(w, m);
  const len = w.length - start;
  if (len > OFP_MAX_MESSAGE_LEN) throw new OpenFlowError('OF_ENCODE', `${m.type} message is ${len} bytes; OpenFlow messages are at most 65535`);
  w.setU16(start + 2, len);
}

/** Encodes one message (header included). Throws OF_ENCODE if it does not fit in 64 KiB. */
export function encodeMessage(m: OfMessage): Buffer {
  const w = new Writer(256);
  writeMessage(w, m, m.xid);
  return w.finish();
}

function readHello(r: Reader): number[] {
  const versions: number[] = [];
  while (r.remaining >= 4) {
    const type = r.u16();
    const len = r.u16();
    if (len < 4) throw new OpenFlowError('OF_PROTOCOL', `Hello element length ${len} is too short`);
    const body = r.sub(Math.min(len - 4, r.remaining), 'hello element');
    r.skip(Math.min((8 - (len % 8)) % 8, r.remaining));
    if (type !== OFPHET_VERSIONBITMAP) continue;
    for (let word = 0; body.remaining >= 4; word++) {
      const bits = body.u32();
      for (let b = 0; b < 32; b++) if ((bits >>> b) & 1) versions.push(word * 32 + b);
    }
  }
  return versions;
}

function readExperimenter(xid: number, r: Reader): OfMessage {
  const experimenter = r.u32();
  const expType = r.u32();
  if (experimenter === ONF_VENDOR_ID && (expType === ONFT13_BUNDLE_CONTROL || expType === ONFT13_BUNDLE_ADD_MESSAGE)) {
    const bundleId = r.u32();
    const ctrl = r.u16();
    const flags = r.u16();
    if (expType === ONFT13_BUNDLE_ADD_MESSAGE) {
      const inner = r.rest();
      return { type: 'bundle_add', xid, bundleId, flags, message: decodeMessage(inner) };
    }
    const control = BUNDLE_CONTROL_TYPES[ctrl];
    if (control === undefined) throw new OpenFlowError('OF_PROTOCOL', `Unknown bundle control type ${ctrl}`);
    const properties = r.rest();
    return { type: 'bundle_control', xid, bundleId, control, flags, ...(properties.length > 0 ? { properties } : {}) };
  }
  return { type: 'experimenter', xid, experimenter, expType, data: r.rest() };
}

function readBody(type: number, xid: number, r: Reader): OfMessage {
  switch (type) {
    case OFPT.HELLO:
      return { type: 'hello', xid, versions: readHello(r) };
    case OFPT.ERROR: {
      const errType = r.u16();
      const code = r.u16();
      if (errType === OFPET_EXPERIMENTER) {
        const experimenter = r.u32();
        return { type: 'error', xid, errType, code, experimenter, data: r.rest() };
      }
      return { type: 'error', xid, errType, code, data: r.rest() };
    }
    case OFPT.ECHO_REQUEST:
      return { type: 'echo_request', xid, data: r.rest() };
    case OFPT.ECHO_REPLY:
      return { type: 'echo_reply', xid, data: r.rest() };
    case OFPT.EXPERIMENTER:
      return readExperimenter(xid, r);
    case OFPT.FEATURES_REQUEST:
      return { type: 'features_request', xid };
    case OFPT.FEATURES_REPLY: {
      const datapathId = r.u64();
      const nBuffers = r.u32();
      const nTables = r.u8();
      const auxiliaryId = r.u8();
      r.skip(2);
      const capabilities = r.u32();
      return { type: 'features_reply', xid, datapathId, nBuffers, nTables, auxiliaryId, capabilities };
    }
    case OFPT.GET_CONFIG_REQUEST:
      return { type: 'get_config_request', xid };
    case OFPT.GET_CONFIG_REPLY:
    case OFPT.SET_CONFIG: {
      const flags = r.u16();
      const missSendLen = r.u16();
      return { type: type === OFPT.SET_CONFIG ? 'set_config' : 'get_config_reply', xid, flags, missSendLen };
    }
    case OFPT.PACKET_IN: {
      const bufferId = r.u32();
      const totalLen = r.u16();
      const reason = r.u8();
      const table = r.u8();
      const cookie = r.u64();
      const { match } = readMatch(r);
      r.skip(2);
      return { type: 'packet_in', xid, bufferId, totalLen, reason, table, cookie, match, data: r.rest() };
    }
    case OFPT.PACKET_OUT: {
      const bufferId = r.u32();
      const inPort = r.u32();
      const actionsLen = r.u16();
      r.skip(6);
      const actions = readActions(r.sub(actionsLen, 'packet_out actions'));
      return { type: 'packet_out', xid, bufferId, inPort, actions, data: r.rest() };
    }
    case OFPT.FLOW_MOD:
      return { type: 'flow_mod', xid, ...readFlowMod(r) };
    case OFPT.GROUP_MOD:
      return { type: 'group_mod', xid, ...readGroupMod(r) };
    case OFPT.METER_MOD:
      return { type: 'meter_mod', xid, ...readMeterMod(r) };
    case OFPT.MULTIPART_REQUEST:
      return { type: 'multipart_request', xid, ...readMultipartRequest(r) };
    case OFPT.MULTIPART_REPLY:
      return { type: 'multipart_reply', xid, ...readMultipartReply(r) };
    case OFPT.BARRIER_REQUEST:
      return { type: 'barrier_request', xid };
    case OFPT.BARRIER_REPLY:
      return { type: 'barrier_reply', xid };
    default:
      return { type: 'unknown', xid, msgType: type, body: r.rest() };
  }
}

export interface MessageHeader {
  readonly version: number;
  readonly type: number;
  readonly length: number;
  readonly xid: number;
}

export function readHeader(buf: Buffer, offset = 0): MessageHeader {
  return { version: buf.readUInt8(offset), type: buf.readUInt8(offset + 1), length: buf.readUInt16BE(offset + 2), xid: buf.readUInt32BE(offset + 4) };
}

/**
 * Decodes one whole message. A HELLO or ERROR of another version is still
 * decoded (version negotiation needs them); anything else must be 1.3.
 */
export function decodeMessage(buf: Buffer): OfMessage {
  if (buf.length < OFP_HEADER_LEN) throw new OpenFlowError('OF_PROTOCOL', `Message of ${buf.length} bytes is shorter than a header`);
  const h = readHeader(buf);
  if (h.length !== buf.length) throw new OpenFlowError('OF_PROTOCOL', `Message length field ${h.length} does not match its ${buf.length} bytes`);
  if (h.version !== OFP13_VERSION && h.type !== OFPT.HELLO && h.type !== OFPT.ERROR) {
    throw new OpenFlowError('OF_PROTOCOL', `Message type ${h.type} has OpenFlow version 0x${h.version.toString(16)}, not 1.3`);
  }
  const r = new Reader(buf, OFP_HEADER_LEN, buf.length, `message type ${h.type}`);
  return readBody(h.type, h.xid, r);
}
