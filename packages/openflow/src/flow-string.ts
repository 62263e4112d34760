/**
 * Flows in `ovs-ofctl dump-flows --no-stats` text form, rendered exactly as
 * OVS 3.1 renders them (lib/ofp-flow.c ofputil_flow_stats_format,
 * lib/match.c match_format, lib/ofp-actions.c format_*), so a test can
 * compare the flows it meant to install with what `ovs-ofctl -O OpenFlow13
 * dump-flows` prints, line for line. `normalizeDumpFlows` turns ovs-ofctl
 * output (with or without --no-stats) into the same lines.
 */
import type { Action, Subfield } from './codec/actions';
import { OFPFF, OFPP, OFP_DEFAULT_PRIORITY } from './codec/constants';
import type { FieldName } from './codec/fields';
import { fieldDef, fullMask } from './codec/fields';
import type { GroupDesc } from './codec/group-mod';
import type { Instruction } from './codec/instructions';
import type { Match, MatchField, UnknownOxm } from './codec/oxm';
import { normalizeMatch } from './codec/oxm';
import { formatIpv4Masked, formatIpv6Masked, formatMacMasked } from './text/addr';

/** Anything with a table, priority, match and instructions: a Flow, a FlowMod, a FlowStats entry. */
export interface FlowLike {
  readonly table: number;
  readonly priority?: number;
  readonly cookie?: bigint;
  readonly idleTimeout?: number;
  readonly hardTimeout?: number;
  readonly flags?: number;
  readonly importance?: number;
  readonly match: Match;
  readonly unknownMatch?: readonly UnknownOxm[];
  readonly instructions: readonly Instruction[];
}

export type NameMap = ReadonlyMap<number, string>;

export interface FlowStringOptions {
  /** Table names, as `ovs-ofctl --names` prints them once registered (`table=Classifier`, `goto_table:Classifier`). */
  readonly tableNames?: NameMap;
  /** Port names, as `ovs-ofctl --names` prints them (`in_port=vethA`, `output:vethA`). */
  readonly portNames?: NameMap;
}

const RESERVED_PORTS: ReadonlyMap<number, string> = new Map([
  [0xfffffff7, 'UNSET'],
  [OFPP.IN_PORT, 'IN_PORT'],
  [OFPP.TABLE, 'TABLE'],
  [OFPP.NORMAL, 'NORMAL'],
  [OFPP.FLOOD, 'FLOOD'],
  [OFPP.ALL, 'ALL'],
  [OFPP.CONTROLLER, 'CONTROLLER'],
  [OFPP.LOCAL, 'LOCAL'],
  [OFPP.ANY, 'ANY'],
]);

/** `%#x`: 0 prints as `0`, anything else as `0x...`. */
const hexPound = (v: bigint | number): string => (BigInt(v) === 0n ? '0' : `0x${v.toString(16)}`);
const hex = (v: bigint | number): string => `0x${v.toString(16)}`;

export function formatPort(port: number, opts: FlowStringOptions = {}): string {
  const reserved = RESERVED_PORTS.get(port);
  if (reserved !== undefined) return reserved;
  const name = opts.portNames?.get(port);
  if (name !== undefined) return name;
  return String(port >= OFPP.MAX ? port - 0xffff0000 : port);
}

export function formatTable(table: number, opts: FlowStringOptions = {}): string {
  return opts.tableNames?.get(table) ?? String(table);
}

const CT_STATE_NAMES = ['new', 'est', 'rel', 'rpl', 'inv', 'trk', 'snat', 'dnat'];

function ctStateFlags(value: bigint, mask: bigint): string {
  if (mask === 0xffn) {
    if (value === 0n) return '0';
    return CT_STATE_NAMES.filter((_, i) => ((value >> BigInt(i)) & 1n) === 1n).join('|');
  }
  let out = '';
  for (let i = 0; i < 8; i++) if (((mask >> BigInt(i)) & 1n) === 1n) out += `${((value >> BigInt(i)) & 1n) === 1n ? '+' : '-'}${CT_STATE_NAMES[i] as string}`;
  return out;
}

/** The match part of a dump line (match_format), including `priority=` unless it is the default. */
export function matchToString(match: Match, priority: number = OFP_DEFAULT_PRIORITY, opts: FlowStringOptions = {}, unknown: readonly UnknownOxm[] = []): string {
  const m = new Map<FieldName, MatchField>(normalizeMatch(match).map((f) => [f.field, f]));
  const out: string[] = [];
  const get = (f: FieldName): MatchField | undefined => m.get(f);
  const maskOf = (f: MatchField): bigint => f.mask ?? fullMask(fieldDef(f.field));
  /** format_uint32_masked / format_be64_masked: `%#x` and `/%#x`. */
  const hexMasked = (name: string, f: MatchField | undefined): void => {
    if (f !== undefined) out.push(`${name}=${hexPound(f.value)}${f.mask !== undefined ? `/${hexPound(f.mask)}` : ''}`);
  };
  /** format_be16_masked / format_uint16_masked: decimal if exact, else `0x%x/0x%x`. */
  const decOrHexMasked = (name: string, f: MatchField | undefined): void => {
    if (f !== undefined) out.push(`${name}=${f.mask === undefined ? f.value.toString() : `${hex(f.value)}/${hex(f.mask)}`}`);
  };
  const ipv4 = (name: string, f: MatchField | undefined): void => {
    if (f !== undefined) out.push(`${name}=${formatIpv4Masked(f.value, f.mask)}`);
  };
  const ipv6 = (name: string, f: MatchField | undefined): void => {
    if (f !== undefined) out.push(`${name}=${formatIpv6Masked(f.value, f.mask)}`);
  };
  const mac = (name: string, f: MatchField | undefined): void => {
    if (f !== undefined) out.push(`${name}=${formatMacMasked(f.value, f.mask)}`);
  };

  if (priority !== OFP_DEFAULT_PRIORITY) out.push(`priority=${priority}`);
  hexMasked('pkt_mark', get('pkt_mark'));
  const conj = get('conj_id');
  if (conj !== undefined) out.push(`conj_id=${conj.value}`);
  const ctState = get('ct_state');
  if (ctState !== undefined) out.push(`ct_state=${ctStateFlags(ctState.value & 0xffn, maskOf(ctState) & 0xffn)}`);
  decOrHexMasked('ct_zone', get('ct_zone'));
  hexMasked('ct_mark', get('ct_mark'));

  const ethType = get('eth_type')?.value;
  const proto = get('ip_proto')?.value;
  let skipType = false;
  let skipProto = false;
  if (ethType !== undefined) {
    skipType = true;
    if (ethType === 0x0800n || ethType === 0x86ddn) {
      const v6 = ethType === 0x86ddn;
      const names: Record<string, string> = v6 ? { '58': 'icmp6', '6': 'tcp6', '17': 'udp6', '132': 'sctp6' } : { '1': 'icmp', '6': 'tcp', '17': 'udp', '132': 'sctp' };
      const short = proto === undefined ? undefined : names[proto.toString()];
      skipProto = short !== undefined;
      out.push(short ?? (v6 ? 'ipv6' : 'ip'));
    } else if (ethType === 0x0806n) out.push('arp');
    else if (ethType === 0x8035n) out.push('rarp');
    else if (ethType === 0x8847n) out.push('mpls');
    else if (ethType === 0x8848n) out.push('mplsm');
    else skipType = false;
  }
  for (let i = 0; i < 16; i++) hexMasked(`reg${i}`, get(`reg${i}` as FieldName));
  hexMasked('tun_id', get('tunnel_id'));
  ipv4('tun_src', get('tun_src'));
  ipv4('tun_dst', get('tun_dst'));
  hexMasked('metadata', get('metadata'));
  const inPort = get('in_port');
  if (inPort !== undefined) out.push(`in_port=${formatPort(Number(inPort.value), opts)}`);

  const vid = get('vlan_vid');
  const pcp = get('vlan_pcp');
  if (vid !== undefined || pcp !== undefined) {
    // OVS keeps one TCI: VID | CFI(=OFPVID_PRESENT) | PCP << 13.
    const tci = (vid?.value ?? 0n) | ((pcp?.value ?? 0n) << 13n) | (pcp !== undefined ? 0x1000n : 0n);
    // An exact vlan_vid covers VID and CFI (0x1fff), not the PCP bits.
    const mask = (vid !== undefined ? (vid.mask ?? 0x1fffn) : 0n) | (pcp !== undefined ? 0xf000n : 0n);
    const vidMask = mask & 0x0fffn;
    const pcpMask = mask & 0xe000n;
    if ((mask & 0x1000n) !== 0n && (tci & 0x1000n) !== 0n && (vidMask === 0n || vidMask === 0x0fffn) && (pcpMask === 0n || pcpMask === 0xe000n) && (vidMask !== 0n || pcpMask !== 0n)) {
      if (vidMask !== 0n) out.push(`dl_vlan=${tci & 0x0fffn}`);
      if (pcpMask !== 0n) out.push(`dl_vlan_pcp=${tci >> 13n}`);
    } else if (mask === 0xffffn) {
      out.push(`vlan_tci=0x${tci.toString(16).padStart(4, '0')}`);
    } else {
      out.push(`vlan_tci=0x${tci.toString(16).padStart(4, '0')}/0x${mask.toString(16).padStart(4, '0')}`);
    }
  }
  mac('dl_src', get('eth_src'));
  mac('dl_dst', get('eth_dst'));
  if (!skipType && ethType !== undefined) out.push(`dl_type=0x${ethType.toString(16).padStart(4, '0')}`);
  ipv6('ipv6_src', get('ipv6_src'));
  ipv6('ipv6_dst', get('ipv6_dst'));
  ipv4('arp_spa', get('arp_spa'));
  ipv4('arp_tpa', get('arp_tpa'));
  ipv4('nw_src', get('ipv4_src'));
  ipv4('nw_dst', get('ipv4_dst'));
  const arpOp = get('arp_op');
  if (arpOp !== undefined) out.push(`arp_op=${arpOp.value}`);
  if (!skipProto && proto !== undefined) out.push(`nw_proto=${proto}`);
  mac('arp_sha', get('arp_sha'));
  mac('arp_tha', get('arp_tha'));
  const dscp = get('ip_dscp');
  if (dscp !== undefined) out.push(`nw_tos=${dscp.value << 2n}`);
  decOrHexMasked('icmp_type', get('icmpv4_type') ?? get('icmpv6_type'));
  decOrHexMasked('icmp_code', get('icmpv4_code') ?? get('icmpv6_code'));
  decOrHexMasked('tp_src', get('tcp_src') ?? get('udp_src'));
  decOrHexMasked('tp_dst', get('tcp_dst') ?? get('udp_dst'));
  for (const u of unknown) out.push(`oxm(0x${u.oxmClass.toString(16)},${u.field})=${u.payload.toString('hex')}`);
  return out.join(',');
}

function subfieldToString(sf: Subfield): string {
  const def = fieldDef(sf.field);
  const range = sf.ofs === 0 && sf.nBits === def.bits ? '[]' : sf.nBits === 1 ? `[${sf.ofs}]` : `[${sf.ofs}..${sf.ofs + sf.nBits - 1}]`;
  return `${def.subfieldName}${range}`;
}

/** mf_format: a set_field value as ovs-ofctl prints it. */
function fieldValueToString(field: FieldName, value: bigint, mask: bigint | undefined, opts: FlowStringOptions): string {
  const def = fieldDef(field);
  const m = mask === undefined || mask === fullMask(def) ? undefined : mask;
  if (m === 0n) return 'ANY';
  switch (def.format) {
    case 'mac':
      return formatMacMasked(value, m);
    case 'ipv4':
      return formatIpv4Masked(value, m);
    case 'ipv6':
      return formatIpv6Masked(value, m);
    case 'port':
      if (m === undefined) return formatPort(Number(value), opts);
      return `${hexPound(value)}/${hexPound(m)}`;
    case 'decimal':
      return `${value.toString()}${m !== undefined ? `/${hexPound(m)}` : ''}`;
    case 'hex':
    case 'ct_state':
      return `${hexPound(value)}${m !== undefined ? `/${hexPound(m)}` : ''}`;
  }
}

/** Bytes of a note as OVS keeps it: the data padded so the action is a multiple of 8 bytes. */
function noteBytes(data: Buffer): Buffer {
  const len = Math.max(6, data.length);
  const padded = len + ((8 - ((10 + len) % 8)) % 8);
  return Buffer.concat([data, Buffer.alloc(padded - data.length)]);
}

export function actionToString(a: Action, opts: FlowStringOptions = {}): string {
  switch (a.type) {
    case 'output': {
      const port = formatPort(a.port, opts);
      if (a.port === OFPP.CONTROLLER) return `CONTROLLER:${a.maxLen ?? 0xffff}`;
      return a.port < 0xff00 ? `output:${port}` : port;
    }
    case 'group':
      return `group:${a.groupId}`;
    case 'push_vlan':
      return `push_vlan:${hexPound(a.ethertype)}`;
    case 'pop_vlan':
      return 'pop_vlan';
    case 'set_queue':
      return `set_queue:${a.queueId}`;
    case 'dec_ttl':
      return 'dec_ttl';
    case 'set_field':
      return `set_field:${fieldValueToString(a.field, a.value, a.mask, opts)}->${fieldDef(a.field).ovsName}`;
    case 'load':
      return `load:${hexPound(a.value)}->${subfieldToString(a.dst)}`;
    case 'move':
      return `move:${subfieldToString(a.src)}->${subfieldToString(a.dst)}`;
    case 'resubmit': {
      const table = a.table ?? 0xff;
      const inPort = a.inPort === undefined || a.inPort === OFPP.IN_PORT ? undefined : a.inPort;
      if (inPort !== undefined && table === 0xff) return `resubmit:${formatPort(inPort, opts)}`;
      return `resubmit(${inPort !== undefined ? formatPort(inPort, opts) : ''},${table !== 0xff ? formatTable(table, opts) : ''})`;
    }
    case 'ct': {
      const parts: string[] = [];
      if (a.commit === true) parts.push('commit');
      if (a.force === true) parts.push('force');
      if (a.table !== undefined && a.table !== 0xff) parts.push(`table=${formatTable(a.table, opts)}`);
      if (a.zoneSrc !== undefined) parts.push(`zone=${subfieldToString(a.zoneSrc)}`);
      else if (a.zone !== undefined && a.zone !== 0) parts.push(`zone=${a.zone}`);
      // As ovs-ofctl: a leading nat is printed on its own, the rest inside exec(...).
      const nested = a.actions ?? [];
      const nat = nested[0]?.type === 'nat' ? nested[0] : undefined;
      if (nat !== undefined) parts.push(actionToString(nat, opts));
      const rest = nat !== undefined ? nested.slice(1) : nested;
      if (rest.length > 0) parts.push(`exec(${actionsToString(rest, opts)})`);
      if (a.alg !== undefined && a.alg !== 0) parts.push(`alg=${a.alg === 21 ? 'ftp' : a.alg === 69 ? 'tftp' : a.alg}`);
      return `ct(${parts.join(',')})`;
    }
    case 'ct_clear':
      return 'ct_clear';
    case 'nat': {
      if (a.kind === undefined) return 'nat';
      let range = '';
      if (a.ipv4Min !== undefined) {
        range = `=${formatIpv4Masked(BigInt(a.ipv4Min))}`;
        if (a.ipv4Max !== undefined && a.ipv4Max !== 0 && a.ipv4Max !== a.ipv4Min) range += `-${formatIpv4Masked(BigInt(a.ipv4Max))}`;
        if (a.portMin !== undefined && a.portMin !== 0) {
          range += `:${a.portMin}`;
          if (a.portMax !== undefined && a.portMax !== 0 && a.portMax !== a.portMin) range += `-${a.portMax}`;
        }
      }
      return `nat(${a.kind}${range})`;
    }
    case 'conjunction':
      return `conjunction(${a.id},${a.clause}/${a.nClauses})`;
    case 'note':
      return `note:${[...noteBytes(a.data)].map((b) => b.toString(16).padStart(2, '0')).join('.')}`;
    case 'unknown':
      return `unknown(type=${a.actionType}${a.experimenter !== undefined ? `,experimenter=0x${a.experimenter.toString(16)}` : ''}${a.subtype !== undefined ? `,subtype=${a.subtype}` : ''})`;
  }
}

export function actionsToString(actions: readonly Action[], opts: FlowStringOptions = {}): string {
  return actions.map((a) => actionToString(a, opts)).join(',');
}

/** The part after `actions=`: apply-actions inline, then the other instructions; `drop` if nothing. */
export function instructionsToString(instructions: readonly Instruction[], opts: FlowStringOptions = {}): string {
  const order = ['meter', 'apply_actions', 'clear_actions', 'write_actions', 'write_metadata', 'goto_table'];
  const parts: string[] = [];
  for (const ins of [...instructions].sort((a, b) => order.indexOf(a.type) - order.indexOf(b.type))) {
    switch (ins.type) {
      case 'meter':
        parts.push(`meter:${ins.meterId}`);
        break;
      case 'apply_actions':
        if (ins.actions.length > 0) parts.push(actionsToString(ins.actions, opts));
        break;
      case 'clear_actions':
        parts.push('clear_actions');
        break;
      case 'write_actions':
        parts.push(`write_actions(${actionsToString(ins.actions, opts)})`);
        break;
      case 'write_metadata':
        parts.push(`write_metadata:${hexPound(ins.metadata)}${ins.mask !== 0xffffffffffffffffn ? `/${hexPound(ins.mask)}` : ''}`);
        break;
      case 'goto_table':
        parts.push(`goto_table:${formatTable(ins.table, opts)}`);
        break;
    }
  }
  return parts.length === 0 ? 'drop' : parts.join(',');
}

const FLAG_NAMES: readonly [number, string][] = [
  [OFPFF.SEND_FLOW_REM, 'send_flow_rem'],
  [OFPFF.CHECK_OVERLAP, 'check_overlap'],
  [OFPFF.RESET_COUNTS, 'reset_counts'],
  [OFPFF.NO_PKT_COUNTS, 'no_packet_counts'],
  [OFPFF.NO_BYT_COUNTS, 'no_byte_counts'],
];

/**
 * One flow as `ovs-ofctl -O OpenFlow13 dump-flows --no-stats` prints it,
 * without the leading space: `cookie=0x5, table=1, priority=100,ip,in_port=3 actions=output:4`.
 */
export function flowToString(f: FlowLike, opts: FlowStringOptions = {}): string {
  let s = '';
  if (f.cookie !== undefined && f.cookie !== 0n) s += `cookie=${hex(f.cookie)}, `;
  if (f.table !== 0 || opts.tableNames?.has(f.table) === true) s += `table=${formatTable(f.table, opts)}, `;
  if (f.idleTimeout !== undefined && f.idleTimeout !== 0) s += `idle_timeout=${f.idleTimeout}, `;
  if (f.hardTimeout !== undefined && f.hardTimeout !== 0) s += `hard_timeout=${f.hardTimeout}, `;
  for (const [bit, name] of FLAG_NAMES) if (((f.flags ?? 0) & bit) !== 0) s += `${name} `;
  if (f.importance !== undefined && f.importance !== 0) s += `importance=${f.importance}, `;
  const match = matchToString(f.match, f.priority ?? OFP_DEFAULT_PRIORITY, opts, f.unknownMatch);
  if (match !== '') s += `${match} `;
  return `${s}actions=${instructionsToString(f.instructions, opts)}`;
}

/** What identifies a flow in a table (OpenFlow's "strict" identity): table, priority and match. */
export function flowKey(f: Pick<FlowLike, 'table' | 'priority' | 'match'>): string {
  return `${f.table}|${f.priority ?? OFP_DEFAULT_PRIORITY}|${matchToString(f.match, 0)}`;
}

function sortKey(line: string): [string, number] {
  const table = /(?:^|, )table=([^,]+), /.exec(line)?.[1] ?? '0';
  const priority = Number(/(?:^|[ ,])priority=(\d+)/.exec(line)?.[1] ?? OFP_DEFAULT_PRIORITY);
  return [table, priority];
}

/** Sorts dump lines by table (numerically when numbers), then priority (high first), then text. */
export function sortFlowStrings(lines: readonly string[]): string[] {
  return [...lines].sort((a, b) => {
    const [ta, pa] = sortKey(a);
    const [tb, pb] = sortKey(b);
    if (ta !== tb) {
      const na = Number(ta);
      const nb = Number(tb);
      return Number.isNaN(na) || Number.isNaN(nb) ? (ta < tb ? -1 : 1) : na - nb;
    }
    if (pa !== pb) return pb - pa;
    return a < b ? -1 : a > b ? 1 : 0;
  });
}

/** Renders and sorts flows the way `normalizeDumpFlows` leaves ovs-ofctl's output. */
export function flowsToStrings(flows: Iterable<FlowLike>, opts: FlowStringOptions = {}): string[] {
  return sortFlowStrings([...flows].map((f) => flowToString(f, opts)));
}

const STATS = /(?:duration=[0-9.]+s|n_packets=\d+|n_bytes=\d+|idle_age=\d+|hard_age=\d+), /g;

/**
 * `ovs-ofctl [-O OpenFlow13] dump-flows [--no-stats] BR` output → sorted lines
 * in `flowToString` form: header lines dropped, leading space trimmed,
 * statistics removed, and `cookie=0x0, ` / `table=0, ` (printed only with
 * stats) dropped.
 */
export function normalizeDumpFlows(text: string): string[] {
  const lines: string[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || /^(OFPST_FLOW|NXST_FLOW) reply/.test(line)) continue;
    lines.push(line.replace(STATS, '').replace(/^cookie=0x0, /, '').replace(/^((?:cookie=0x[0-9a-f]+, )?)table=0, /, '$1'));
  }
  return sortFlowStrings(lines);
}

/**
 * One group as `ovs-ofctl -O OpenFlow13 dump-groups` prints it (ofp-group.c
 * ofp_print_group): `group_id=1,type=select,bucket=weight:10,actions=output:1,...`.
 */
export function groupToString(g: GroupDesc, opts: FlowStringOptions = {}): string {
  const parts = [`group_id=${g.groupId}`, `type=${g.groupType}`];
  for (const b of g.buckets) {
    let bucket = 'bucket=';
    const weight = b.weight ?? (g.groupType === 'select' ? 1 : 0);
    if (weight !== (g.groupType === 'select' ? 1 : 0)) bucket += `weight:${weight},`;
    if (b.watchPort !== undefined && b.watchPort !== OFPP.ANY) bucket += `watch_port:${formatPort(b.watchPort, opts)},`;
    if (b.watchGroup !== undefined && b.watchGroup !== 0xffffffff) bucket += `watch_group:${b.watchGroup},`;
    parts.push(`${bucket}actions=${b.actions.length === 0 ? 'drop' : actionsToString(b.actions, opts)}`);
  }
  return parts.join(',');
}

/** Groups rendered and sorted by id, as `normalizeDumpGroups` leaves ovs-ofctl's output. */
export function groupsToStrings(groups: Iterable<GroupDesc>, opts: FlowStringOptions = {}): string[] {
  return [...groups].sort((a, b) => a.groupId - b.groupId).map((g) => groupToString(g, opts));
}

/** `ovs-ofctl -O OpenFlow13 dump-groups BR` output -> lines in `groupToString` form, sorted by group id. */
export function normalizeDumpGroups(text: string): string[] {
  const lines = text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l.startsWith('group_id='));
  const id = (l: string): number => Number(/^group_id=(\d+)/.exec(l)?.[1] ?? 0);
  return lines.sort((a, b) => id(a) - id(b));
}
