/**
 * Builds a Match fluently: `m.inPort(3).ip().ipv4Dst('10.1.1.0/24')`.
 * Protocol helpers add their prerequisites (tcpDst needs `tcp()` first, as
 * OVS requires eth_type and ip_proto: BAD_MATCH otherwise).
 */
import { OpenFlowError } from '../errors';
import type { FieldName } from '../codec/fields';
import { OFPVID_PRESENT } from '../codec/fields';
import type { Match, MatchField } from '../codec/oxm';
import { normalizeMatch } from '../codec/oxm';
import type { FieldInput } from './values';
import { fieldValue } from './values';
import type { RegField, RegMark } from './reg-field';
import { regFieldMask, regName } from './reg-field';

export const ETH_TYPE_IP = 0x0800;
export const ETH_TYPE_ARP = 0x0806;
export const ETH_TYPE_IPV6 = 0x86dd;
export const IP_PROTO_ICMP = 1;
export const IP_PROTO_TCP = 6;
export const IP_PROTO_UDP = 17;
export const IP_PROTO_ICMPV6 = 58;

/** ct_state bits by name (NXM_NX_CT_STATE). */
export const CT_STATE = { new: 0x01, est: 0x02, rel: 0x04, rpl: 0x08, inv: 0x10, trk: 0x20, snat: 0x40, dnat: 0x80 } as const;
export type CtStateFlag = keyof typeof CT_STATE;

export class MatchBuilder {
  private readonly fields = new Map<FieldName, MatchField>();

  /** Any field by name; `mask` for maskable fields, or a prefix string for address fields. */
  field(name: FieldName, value: FieldInput, mask?: FieldInput): this {
    if (this.fields.has(name)) throw new OpenFlowError('OF_INVALID_ARGUMENT', `Field ${name} is already matched`);
    const v = fieldValue(name, value, mask);
    this.fields.set(name, v.mask === undefined ? { field: name, value: v.value } : { field: name, value: v.value, mask: v.mask });
    return this;
  }

  /** Sets eth_type unless already equal; a different eth_type is an error. */
  private need(name: FieldName, value: number): this {
    const have = this.fields.get(name);
    if (have === undefined) return this.field(name, value);
    if (have.value !== BigInt(value) || have.mask !== undefined) throw new OpenFlowError('OF_INVALID_ARGUMENT', `${name} is already ${have.value}, not ${value}`);
    return this;
  }

  inPort(port: number): this {
    return this.field('in_port', port);
  }
  ethSrc(mac: FieldInput, mask?: FieldInput): this {
    return this.field('eth_src', mac, mask);
  }
  ethDst(mac: FieldInput, mask?: FieldInput): this {
    return this.field('eth_dst', mac, mask);
  }
  ethType(type: number): this {
    return this.need('eth_type', type);
  }
  /** A frame tagged with VLAN `vid` (OFPVID_PRESENT is added). */
  vlanVid(vid: number): this {
    if (!Number.isInteger(vid) || vid < 0 || vid > 4095) throw new OpenFlowError('OF_INVALID_ARGUMENT', `VLAN id ${vid} is not 0..4095`);
    return this.field('vlan_vid', OFPVID_PRESENT | vid);
  }
  /** A frame without a VLAN tag. */
  vlanUntagged(): this {
    return this.field('vlan_vid', 0);
  }
  /** A frame with any VLAN tag. */
  vlanAnyTagged(): this {
    return this.field('vlan_vid', OFPVID_PRESENT, OFPVID_PRESENT);
  }
  vlanPcp(pcp: number): this {
    return this.field('vlan_pcp', pcp);
  }
  ip(): this {
    return this.ethType(ETH_TYPE_IP);
  }
  ipv6(): this {
    return this.ethType(ETH_TYPE_IPV6);
  }
  arp(): this {
    return this.ethType(ETH_TYPE_ARP);
  }
  ipProto(proto: number): this {
    return this.need('ip_proto', proto);
  }
  tcp(): this {
    return this.ip().ipProto(IP_PROTO_TCP);
  }
  udp(): this {
    return this.ip().ipProto(IP_PROTO_UDP);
  }
  icmp(): this {
    return this.ip().ipProto(IP_PROTO_ICMP);
  }
  tcp6(): this {
    return this.ipv6().ipProto(IP_PROTO_TCP);
  }
  udp6(): this {
    return this.ipv6().ipProto(IP_PROTO_UDP);
  }
  icmp6(): this {
    return this.ipv6().ipProto(IP_PROTO_ICMPV6);
  }
  ipDscp(dscp: number): this {
    return this.field('ip_dscp', dscp);
  }
  /** `10.0.0.1`, `10.0.0.0/24`, or a value and a mask. */
  ipv4Src(addr: FieldInput, mask?: FieldInput): this {
    return this.field('ipv4_src', addr, mask);
  }
  ipv4Dst(addr: FieldInput, mask?: FieldInput): this {
    return this.field('ipv4_dst', addr, mask);
  }
  ipv6Src(addr: FieldInput, mask?: FieldInput): this {
    return this.field('ipv6_src', addr, mask);
  }
  ipv6Dst(addr: FieldInput, mask?: FieldInput): this {
    return this.field('ipv6_dst', addr, mask);
  }
  tcpSrc(port: number, mask?: number): this {
    return this.field('tcp_src', port, mask);
  }
  tcpDst(port: number, mask?: number): this {
    return this.field('tcp_dst', port, mask);
  }
  udpSrc(port: number, mask?: number): this {
    return this.field('udp_src', port, mask);
  }
  udpDst(port: number, mask?: number): this {
    return this.field('udp_dst', port, mask);
  }
  icmpType(type: number): this {
    return this.field(this.fields.get('eth_type')?.value === BigInt(ETH_TYPE_IPV6) ? 'icmpv6_type' : 'icmpv4_type', type);
  }
  icmpCode(code: number): this {
    return this.field(this.fields.get('eth_type')?.value === BigInt(ETH_TYPE_IPV6) ? 'icmpv6_code' : 'icmpv4_code', code);
  }
  /** 1 = request, 2 = reply. */
  arpOp(op: number): this {
    return this.field('arp_op', op);
  }
  arpSpa(addr: FieldInput, mask?: FieldInput): this {
    return this.field('arp_spa', addr, mask);
  }
  arpTpa(addr: FieldInput, mask?: FieldInput): this {
    return this.field('arp_tpa', addr, mask);
  }
  arpSha(mac: FieldInput, mask?: FieldInput): this {
    return this.field('arp_sha', mac, mask);
  }
  arpTha(mac: FieldInput, mask?: FieldInput): this {
    return this.field('arp_tha', mac, mask);
  }
  /** The tunnel key (VNI on a `key=flow` VXLAN port). */
  tunnelId(id: FieldInput, mask?: FieldInput): this {
    return this.field('tunnel_id', id, mask);
  }
  tunSrc(addr: FieldInput, mask?: FieldInput): this {
    return this.field('tun_src', addr, mask);
  }
  tunDst(addr: FieldInput, mask?: FieldInput): this {
    return this.field('tun_dst', addr, mask);
  }
  metadata(value: FieldInput, mask?: FieldInput): this {
    return this.field('metadata', value, mask);
  }
  /** A whole register, or masked bits of it. */
  reg(reg: number, value: FieldInput, mask?: FieldInput): this {
    return this.field(regName(reg), value, mask);
  }
  /** The bits of a RegField equal `value` (other bits of the register are not matched). */
  regField(field: RegField, value: bigint | number): this {
    const name = regName(field.reg);
    const { value: v, mask } = regFieldMask(field, BigInt(value));
    const have = this.fields.get(name);
    if (have === undefined) return this.field(name, v, mask);
    // Several RegFields of one register combine into one masked match.
    const haveMask = have.mask ?? 0xffffffffn;
    if ((haveMask & mask) !== 0n) throw new OpenFlowError('OF_INVALID_ARGUMENT', `reg${field.reg} bits overlap an existing match`);
    this.fields.set(name, { field: name, value: have.value | v, mask: haveMask | mask });
    return this;
  }
  regMark(mark: RegMark): this {
    return this.regField(mark.field, mark.value);
  }
  pktMark(value: FieldInput, mask?: FieldInput): this {
    return this.field('pkt_mark', value, mask);
  }
  /** `'+trk+est'`, `'-new+trk'`, or `{ trk: true, new: false }`: the named bits must be set / clear. */
  ctState(state: string | Partial<Record<CtStateFlag, boolean>>): this {
    let value = 0;
    let mask = 0;
    const entries: [string, boolean][] = typeof state === 'string' ? parseCtState(state) : Object.entries(state).map(([k, v]) => [k, v === true]);
    for (const [name, set] of entries) {
      const bit = CT_STATE[name as CtStateFlag];
      if (bit === undefined) throw new OpenFlowError('OF_INVALID_ARGUMENT', `Unknown ct_state flag ${JSON.stringify(name)}`);
      mask |= bit;
      if (set) value |= bit;
    }
    return this.field('ct_state', value, mask);
  }
  ctZone(zone: number): this {
    return this.field('ct_zone', zone);
  }
  ctMark(value: FieldInput, mask?: FieldInput): this {
    return this.field('ct_mark', value, mask);
  }
  conjId(id: number): this {
    return this.field('conj_id', id);
  }

  build(): Match {
    return normalizeMatch(this.fields.values());
  }
}

function parseCtState(text: string): [string, boolean][] {
  const out: [string, boolean][] = [];
  const re = /([+-])([a-z]+)/g;
  let consumed = 0;
  for (const m of text.matchAll(re)) {
    if (m.index !== consumed) break;
    out.push([m[2] as string, m[1] === '+']);
    consumed += m[0].length;
  }
  if (consumed !== text.length || out.length === 0) throw new OpenFlowError('OF_INVALID_ARGUMENT', `ct_state ${JSON.stringify(text)} is not like +trk+est`);
  return out;
}

/** Builds a Match with a callback: `match((m) => m.ip().ipv4Dst('10.0.0.1'))`. */
export function match(fn: (m: MatchBuilder) => MatchBuilder): Match {
  return fn(new MatchBuilder()).build();
}
