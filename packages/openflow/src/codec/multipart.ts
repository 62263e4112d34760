/**
 * OFPT_MULTIPART_REQUEST / _REPLY bodies (ofp11_stats_msg: type u16,
 * flags u16, pad 4). Typed: FLOW, GROUP_DESC, METER_CONFIG, TABLE_FEATURES,
 * DESC, PORT_DESC. Anything else is carried as raw bytes.
 */
import { OpenFlowError } from '../errors';
import type { Reader, Writer } from './bytes';
import { OFPG, OFPM, OFPMP, OFPP, OFPTT_ALL } from './constants';
import type { FlowStats } from './flow-mod';
import { readFlowStats, writeFlowStats } from './flow-mod';
import type { GroupDesc } from './group-mod';
import { readGroupDesc, writeGroupDesc } from './group-mod';
import type { MeterConfig } from './meter-mod';
import { readMeterConfig, writeMeterConfig } from './meter-mod';
import type { Match } from './oxm';
import { readMatch, writeMatch } from './oxm';

export interface FlowStatsRequest {
  readonly mpType: 'flow';
  /** 0xff = all tables. */
  readonly table: number;
  readonly outPort: number;
  readonly outGroup: number;
  readonly cookie: bigint;
  readonly cookieMask: bigint;
  readonly match: Match;
}

/** ofp13_table_features without its properties decoded. */
export interface TableFeatures {
  readonly table: number;
  readonly name: string;
  readonly metadataMatch: bigint;
  readonly metadataWrite: bigint;
  readonly config: number;
  readonly maxEntries: number;
  /** The property list as sent (empty in a request that only renames tables). */
  readonly properties: Buffer;
}

export interface PortDesc {
  readonly portNo: number;
  readonly hwAddr: string;
  readonly name: string;
  readonly config: number;
  readonly state: number;
  readonly currSpeed: number;
  readonly maxSpeed: number;
}

export interface SwitchDesc {
  readonly manufacturer: string;
  readonly hardware: string;
  readonly software: string;
  readonly serial: string;
  readonly datapath: string;
}

export type MultipartRequestBody =
  | FlowStatsRequest
  | { readonly mpType: 'table_features'; readonly features: readonly TableFeatures[] }
  | { readonly mpType: 'group_desc' }
  /** One meter, or OFPM.ALL. */
  | { readonly mpType: 'meter_config'; readonly meterId: number }
  | { readonly mpType: 'desc' }
  | { readonly mpType: 'port_desc' }
  | { readonly mpType: 'other'; readonly code: number; readonly body: Buffer };

export type MultipartReplyBody =
  | { readonly mpType: 'flow'; readonly flows: readonly FlowStats[] }
  | { readonly mpType: 'table_features'; readonly features: readonly TableFeatures[] }
  | { readonly mpType: 'group_desc'; readonly groups: readonly GroupDesc[] }
  | { readonly mpType: 'meter_config'; readonly meters: readonly MeterConfig[] }
  | { readonly mpType: 'desc'; readonly desc: SwitchDesc }
  | { readonly mpType: 'port_desc'; readonly ports: readonly PortDesc[] }
  | { readonly mpType: 'other'; readonly code: number; readonly body: Buffer };

export function flowStatsRequest(opts: Partial<Omit<FlowStatsRequest, 'mpType'>> = {}): FlowStatsRequest {
  return {
    mpType: 'flow',
    table: opts.table ?? OFPTT_ALL,
    outPort: opts.outPort ?? OFPP.ANY,
    outGroup: opts.outGroup ?? OFPG.ANY,
    cookie: opts.cookie ?? 0n,
    cookieMask: opts.cookieMask ?? 0n,
    match: opts.match ?? [],
  };
}

function mpCode(body: MultipartRequestBody | MultipartReplyBody): number {
  switch (body.mpType) {
    case 'flow':
      return OFPMP.FLOW;
    case 'table_features':
      return OFPMP.TABLE_FEATURES;
    case 'group_desc':
      return OFPMP.GROUP_DESC;
    case 'meter_config':
      return OFPMP.METER_CONFIG;
    case 'desc':
      return OFPMP.DESC;
    case 'port_desc':
      return OFPMP.PORT_DESC;
    case 'other':
      return body.code;
  }
}

function writeTableFeatures(w: Writer, f: TableFeatures): void {
  const start = w.length;
  w.u16(0).u8(f.table).zeros(5).fixedString(f.name, 32);
  w.u64(f.metadataMatch).u64(f.metadataWrite).u32(f.config).u32(f.maxEntries);
  w.bytes(f.properties);
  w.setU16(start, w.length - start);
}

function readTableFeatures(r: Reader): TableFeatures {
  const length = r.u16();
  if (length < 64 || length % 8 !== 0) throw new OpenFlowError('OF_PROTOCOL', `Table features length ${length} is bad`);
  const e = r.sub(length - 2, 'table features');
  const table = e.u8();
  e.skip(5);
  const name = e.fixedString(32);
  const metadataMatch = e.u64();
  const metadataWrite = e.u64();
  const config = e.u32();
  const maxEntries = e.u32();
  return { table, name, metadataMatch, metadataWrite, config, maxEntries, properties: e.rest() };
}

function readPortDesc(r: Reader): PortDesc {
  const portNo = r.u32();
  r.skip(4);
  const hw = r.bytes(6);
  r.skip(2);
  const name = r.fixedString(16);
  const config = r.u32();
  const state = r.u32();
  r.skip(16); // curr, advertised, supported, peer
  const currSpeed = r.u32();
  const maxSpeed = r.u32();
  return { portNo, hwAddr: [...hw].map((b) => b.toString(16).padStart(2, '0')).join(':'), name, config, state, currSpeed, maxSpeed };
}

function writePortDesc(w: Writer, p: PortDesc): void {
  const mac = p.hwAddr.split(':').map((h) => parseInt(h, 16));
  if (mac.length !== 6 || mac.some((b) => Number.isNaN(b))) throw new OpenFlowError('OF_ENCODE', `Port hw_addr ${JSON.stringify(p.hwAddr)} is not a MAC`);
  w.u32(p.portNo).zeros(4).bytes(Buffer.from(mac)).zeros(2).fixedString(p.name, 16);
  w.u32(p.config).u32(p.state).zeros(16).u32(p.currSpeed).u32(p.maxSpeed);
}

export function writeMultipartRequest(w: Writer, flags: number, body: MultipartRequestBody): void {
  w.u16(mpCode(body)).u16(flags).zeros(4);
  switch (body.mpType) {
    case 'flow':
      w.u8(body.table).zeros(3).u32(body.outPort).u32(body.outGroup).zeros(4).u64(body.cookie).u64(body.cookieMask);
      writeMatch(w, body.match);
      return;
    case 'table_features':
      for (const f of body.features) writeTableFeatures(w, f);
      return;
    case 'meter_config':
      // ofp13_meter_multipart_request: meter_id, pad 4.
      w.u32(body.meterId).zeros(4);
      return;
    case 'group_desc':
    case 'desc':
    case 'port_desc':
      return;
    case 'other':
      w.bytes(body.body);
      return;
  }
}

export function readMultipartRequest(r: Reader): { flags: number; body: MultipartRequestBody } {
  const code = r.u16();
  const flags = r.u16();
  r.skip(4);
  switch (code) {
    case OFPMP.FLOW: {
      const table = r.u8();
      r.skip(3);
      const outPort = r.u32();
      const outGroup = r.u32();
      r.skip(4);
      const cookie = r.u64();
      const cookieMask = r.u64();
      const { match } = readMatch(r);
      return { flags, body: { mpType: 'flow', table, outPort, outGroup, cookie, cookieMask, match } };
    }
    case OFPMP.TABLE_FEATURES: {
      const features: TableFeatures[] = [];
      while (r.remaining > 0) features.push(readTableFeatures(r));
      return { flags, body: { mpType: 'table_features', features } };
    }
    case OFPMP.GROUP_DESC:
      return { flags, body: { mpType: 'group_desc' } };
    case OFPMP.METER_CONFIG: {
      const meterId = r.remaining >= 4 ? r.u32() : OFPM.ALL;
      return { flags, body: { mpType: 'meter_config', meterId } };
    }
    case OFPMP.DESC:
      return { flags, body: { mpType: 'desc' } };
    case OFPMP.PORT_DESC:
      return { flags, body: { mpType: 'port_desc' } };
    default:
      return { flags, body: { mpType: 'other', code, body: r.rest() } };
  }
}

export function writeMultipartReply(w: Writer, flags: number, body: MultipartReplyBody): void {
  w.u16(mpCode(body)).u16(flags).zeros(4);
  switch (body.mpType) {
    case 'flow':
      for (const f of body.flows) writeFlowStats(w, f);
      return;
    case 'table_features':
      for (const f of body.features) writeTableFeatures(w, f);
      return;
    case 'group_desc':
      for (const g of body.groups) writeGroupDesc(w, g);
      return;
    case 'meter_config':
      for (const m of body.meters) writeMeterConfig(w, m);
      return;
    case 'desc':
      w.fixedString(body.desc.manufacturer, 256).fixedString(body.desc.hardware, 256).fixedString(body.desc.software, 256);
      w.fixedString(body.desc.serial, 32).fixedString(body.desc.datapath, 256);
      return;
    case 'port_desc':
      for (const p of body.ports) writePortDesc(w, p);
      return;
    case 'other':
      w.bytes(body.body);
      return;
  }
}

export function readMultipartReply(r: Reader): { flags: number; body: MultipartReplyBody } {
  const code = r.u16();
  const flags = r.u16();
  r.skip(4);
  switch (code) {
    case OFPMP.FLOW: {
      const flows: FlowStats[] = [];
      while (r.remaining > 0) flows.push(readFlowStats(r));
      return { flags, body: { mpType: 'flow', flows } };
    }
    case OFPMP.TABLE_FEATURES: {
      const features: TableFeatures[] = [];
      while (r.remaining > 0) features.push(readTableFeatures(r));
      return { flags, body: { mpType: 'table_features', features } };
    }
    case OFPMP.GROUP_DESC: {
      const groups: GroupDesc[] = [];
      while (r.remaining > 0) groups.push(readGroupDesc(r));
      return { flags, body: { mpType: 'group_desc', groups } };
    }
    case OFPMP.METER_CONFIG: {
      const meters: MeterConfig[] = [];
      while (r.remaining > 0) meters.push(readMeterConfig(r));
      return { flags, body: { mpType: 'meter_config', meters } };
    }
    case OFPMP.DESC: {
      const desc = {
        manufacturer: r.fixedString(256),
        hardware: r.fixedString(256),
        software: r.fixedString(256),
        serial: r.fixedString(32),
        datapath: r.fixedString(256),
      };
      return { flags, body: { mpType: 'desc', desc } };
    }
    case OFPMP.PORT_DESC: {
      const ports: PortDesc[] = [];
      while (r.remaining > 0) ports.push(readPortDesc(r.sub(64, 'port desc')));
      return { flags, body: { mpType: 'port_desc', ports } };
    }
    default:
      return { flags, body: { mpType: 'other', code, body: r.rest() } };
  }
}
