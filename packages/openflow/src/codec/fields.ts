/**
 * The match/set-field fields we speak: their OXM/NXM headers, widths, and the
 * names ovs-ofctl prints for them. Numbers and names are from OVS 3.1
 * include/openvswitch/meta-flow.h ("NXM:" / "OXM:" lines) and nx-match.c.
 *
 * Our field names follow the OpenFlow spec for OXM basic fields
 * (`ipv4_dst`, `tunnel_id`) and OVS for Nicira fields (`reg3`, `tun_dst`,
 * `ct_state`). Values are unsigned bigints of the field's wire width
 * (`vlan_vid` includes OFPVID_PRESENT, 0x1000).
 */
import { OpenFlowError } from '../errors';

export const OXM_CLASS_NXM0 = 0x0000;
export const OXM_CLASS_NXM1 = 0x0001;
export const OXM_CLASS_OPENFLOW_BASIC = 0x8000;

export const OFPVID_PRESENT = 0x1000;

export type RegName = `reg${0 | 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8 | 9 | 10 | 11 | 12 | 13 | 14 | 15}`;

export type FieldName =
  | 'in_port'
  | 'metadata'
  | 'eth_dst'
  | 'eth_src'
  | 'eth_type'
  | 'vlan_vid'
  | 'vlan_pcp'
  | 'ip_dscp'
  | 'ip_proto'
  | 'ipv4_src'
  | 'ipv4_dst'
  | 'tcp_src'
  | 'tcp_dst'
  | 'udp_src'
  | 'udp_dst'
  | 'icmpv4_type'
  | 'icmpv4_code'
  | 'arp_op'
  | 'arp_spa'
  | 'arp_tpa'
  | 'arp_sha'
  | 'arp_tha'
  | 'ipv6_src'
  | 'ipv6_dst'
  | 'icmpv6_type'
  | 'icmpv6_code'
  | 'tunnel_id'
  | 'tun_src'
  | 'tun_dst'
  | 'pkt_mark'
  | 'conj_id'
  | 'ct_state'
  | 'ct_zone'
  | 'ct_mark'
  | RegName;

/** How ovs-ofctl prints a value of this field in `set_field:` (meta-flow.c mf_format). */
export type ValueFormat = 'hex' | 'decimal' | 'mac' | 'ipv4' | 'ipv6' | 'port' | 'ct_state';

export interface OxmHeader {
  readonly oxmClass: number;
  readonly field: number;
}

export interface FieldDef {
  readonly name: FieldName;
  /** OVS's name (mf->name), used in `set_field:V->NAME`. */
  readonly ovsName: string;
  /** OVS's NXM/OXM name, used for subfields in `move:`/`load:` (`NXM_OF_ETH_SRC[]`). */
  readonly subfieldName: string;
  /** Header used in OpenFlow 1.3 matches and set_field (OXM basic when it exists). */
  readonly header: OxmHeader;
  /** Header used in NXAST_REG_MOVE / NXAST_REG_LOAD (OVS prefers the NXM one). */
  readonly nxmHeader: OxmHeader;
  /** Other headers that decode to this field. */
  readonly aliases: readonly OxmHeader[];
  /** Wire width in bytes. */
  readonly bytes: number;
  /** Width in bits as OVS counts it (`vlan_vid` is 12, `[]` means all of them). */
  readonly bits: number;
  readonly maskable: boolean;
  readonly format: ValueFormat;
}

const basic = (field: number): OxmHeader => ({ oxmClass: OXM_CLASS_OPENFLOW_BASIC, field });
const nxm0 = (field: number): OxmHeader => ({ oxmClass: OXM_CLASS_NXM0, field });
const nxm1 = (field: number): OxmHeader => ({ oxmClass: OXM_CLASS_NXM1, field });

interface Spec {
  ovsName: string;
  subfieldName: string;
  oxm?: OxmHeader;
  nxm?: OxmHeader;
  bytes: number;
  bits?: number;
  maskable: boolean;
  format: ValueFormat;
}

const SPECS: Record<Exclude<FieldName, RegName>, Spec> = {
  in_port: { ovsName: 'in_port_oxm', subfieldName: 'OXM_OF_IN_PORT', oxm: basic(0), bytes: 4, maskable: false, format: 'port' },
  metadata: { ovsName: 'metadata', subfieldName: 'OXM_OF_METADATA', oxm: basic(2), bytes: 8, maskable: true, format: 'hex' },
  eth_dst: { ovsName: 'eth_dst', subfieldName: 'NXM_OF_ETH_DST', oxm: basic(3), nxm: nxm0(1), bytes: 6, maskable: true, format: 'mac' },
  eth_src: { ovsName: 'eth_src', subfieldName: 'NXM_OF_ETH_SRC', oxm: basic(4), nxm: nxm0(2), bytes: 6, maskable: true, format: 'mac' },
  eth_type: { ovsName: 'eth_type', subfieldName: 'NXM_OF_ETH_TYPE', oxm: basic(5), nxm: nxm0(3), bytes: 2, maskable: false, format: 'hex' },
  vlan_vid: { ovsName: 'vlan_vid', subfieldName: 'OXM_OF_VLAN_VID', oxm: basic(6), bytes: 2, bits: 12, maskable: true, format: 'decimal' },
  vlan_pcp: { ovsName: 'vlan_pcp', subfieldName: 'OXM_OF_VLAN_PCP', oxm: basic(7), bytes: 1, bits: 3, maskable: false, format: 'decimal' },
  ip_dscp: { ovsName: 'ip_dscp', subfieldName: 'OXM_OF_IP_DSCP', oxm: basic(8), bytes: 1, bits: 6, maskable: false, format: 'decimal' },
  ip_proto: { ovsName: 'nw_proto', subfieldName: 'NXM_OF_IP_PROTO', oxm: basic(10), nxm: nxm0(6), bytes: 1, maskable: false, format: 'decimal' },
  ipv4_src: { ovsName: 'ip_src', subfieldName: 'NXM_OF_IP_SRC', oxm: basic(11), nxm: nxm0(7), bytes: 4, maskable: true, format: 'ipv4' },
  ipv4_dst: { ovsName: 'ip_dst', subfieldName: 'NXM_OF_IP_DST', oxm: basic(12), nxm: nxm0(8), bytes: 4, maskable: true, format: 'ipv4' },
  tcp_src: { ovsName: 'tcp_src', subfieldName: 'NXM_OF_TCP_SRC', oxm: basic(13), nxm: nxm0(9), bytes: 2, maskable: true, format: 'decimal' },
  tcp_dst: { ovsName: 'tcp_dst', subfieldName: 'NXM_OF_TCP_DST', oxm: basic(14), nxm: nxm0(10), bytes: 2, maskable: true, format: 'decimal' },
  udp_src: { ovsName: 'udp_src', subfieldName: 'NXM_OF_UDP_SRC', oxm: basic(15), nxm: nxm0(11), bytes: 2, maskable: true, format: 'decimal' },
  udp_dst: { ovsName: 'udp_dst', subfieldName: 'NXM_OF_UDP_DST', oxm: basic(16), nxm: nxm0(12), bytes: 2, maskable: true, format: 'decimal' },
  icmpv4_type: { ovsName: 'icmp_type', subfieldName: 'NXM_OF_ICMP_TYPE', oxm: basic(19), nxm: nxm0(13), bytes: 1, maskable: false, format: 'decimal' },
  icmpv4_code: { ovsName: 'icmp_code', subfieldName: 'NXM_OF_ICMP_CODE', oxm: basic(20), nxm: nxm0(14), bytes: 1, maskable: false, format: 'decimal' },
  arp_op: { ovsName: 'arp_op', subfieldName: 'NXM_OF_ARP_OP', oxm: basic(21), nxm: nxm0(15), bytes: 2, maskable: false, format: 'decimal' },
  arp_spa: { ovsName: 'arp_spa', subfieldName: 'NXM_OF_ARP_SPA', oxm: basic(22), nxm: nxm0(16), bytes: 4, maskable: true, format: 'ipv4' },
  arp_tpa: { ovsName: 'arp_tpa', subfieldName: 'NXM_OF_ARP_TPA', oxm: basic(23), nxm: nxm0(17), bytes: 4, maskable: true, format: 'ipv4' },
  arp_sha: { ovsName: 'arp_sha', subfieldName: 'NXM_NX_ARP_SHA', oxm: basic(24), nxm: nxm1(17), bytes: 6, maskable: true, format: 'mac' },
  arp_tha: { ovsName: 'arp_tha', subfieldName: 'NXM_NX_ARP_THA', oxm: basic(25), nxm: nxm1(18), bytes: 6, maskable: true, format: 'mac' },
  ipv6_src: { ovsName: 'ipv6_src', subfieldName: 'NXM_NX_IPV6_SRC', oxm: basic(26), nxm: nxm1(19), bytes: 16, maskable: true, format: 'ipv6' },
  ipv6_dst: { ovsName: 'ipv6_dst', subfieldName: 'NXM_NX_IPV6_DST', oxm: basic(27), nxm: nxm1(20), bytes: 16, maskable: true, format: 'ipv6' },
  icmpv6_type: { ovsName: 'icmpv6_type', subfieldName: 'NXM_NX_ICMPV6_TYPE', oxm: basic(29), nxm: nxm1(21), bytes: 1, maskable: false, format: 'decimal' },
  icmpv6_code: { ovsName: 'icmpv6_code', subfieldName: 'NXM_NX_ICMPV6_CODE', oxm: basic(30), nxm: nxm1(22), bytes: 1, maskable: false, format: 'decimal' },
  tunnel_id: { ovsName: 'tun_id', subfieldName: 'NXM_NX_TUN_ID', oxm: basic(38), nxm: nxm1(16), bytes: 8, maskable: true, format: 'hex' },
  tun_src: { ovsName: 'tun_src', subfieldName: 'NXM_NX_TUN_IPV4_SRC', nxm: nxm1(31), bytes: 4, maskable: true, format: 'ipv4' },
  tun_dst: { ovsName: 'tun_dst', subfieldName: 'NXM_NX_TUN_IPV4_DST', nxm: nxm1(32), bytes: 4, maskable: true, format: 'ipv4' },
  pkt_mark: { ovsName: 'pkt_mark', subfieldName: 'NXM_NX_PKT_MARK', nxm: nxm1(33), bytes: 4, maskable: true, format: 'hex' },
  conj_id: { ovsName: 'conj_id', subfieldName: 'NXM_NX_CONJ_ID', nxm: nxm1(37), bytes: 4, maskable: false, format: 'decimal' },
  ct_state: { ovsName: 'ct_state', subfieldName: 'NXM_NX_CT_STATE', nxm: nxm1(105), bytes: 4, maskable: true, format: 'ct_state' },
  ct_zone: { ovsName: 'ct_zone', subfieldName: 'NXM_NX_CT_ZONE', nxm: nxm1(106), bytes: 2, maskable: false, format: 'hex' },
  ct_mark: { ovsName: 'ct_mark', subfieldName: 'NXM_NX_CT_MARK', nxm: nxm1(107), bytes: 4, maskable: true, format: 'hex' },
};

function build(name: FieldName, s: Spec): FieldDef {
  const header = s.oxm ?? s.nxm;
  const nxmHeader = s.nxm ?? s.oxm;
  if (header === undefined || nxmHeader === undefined) throw new Error(`field ${name} has no header`);
  const aliases = [s.oxm, s.nxm].filter((h): h is OxmHeader => h !== undefined && h !== header);
  return { name, ovsName: s.ovsName, subfieldName: s.subfieldName, header, nxmHeader, aliases, bytes: s.bytes, bits: s.bits ?? s.bytes * 8, maskable: s.maskable, format: s.format };
}

export const FIELDS: ReadonlyMap<FieldName, FieldDef> = (() => {
  const m = new Map<FieldName, FieldDef>();
  for (const [name, spec] of Object.entries(SPECS) as [Exclude<FieldName, RegName>, Spec][]) m.set(name, build(name, spec));
  for (let i = 0; i < 16; i++) {
    const name = `reg${i}` as RegName;
    m.set(name, build(name, { ovsName: name, subfieldName: `NXM_NX_REG${i}`, nxm: nxm1(i), bytes: 4, maskable: true, format: 'hex' }));
  }
  return m;
})();

const key = (h: OxmHeader): number => h.oxmClass * 128 + h.field;
const BY_HEADER: ReadonlyMap<number, FieldDef> = (() => {
  const m = new Map<number, FieldDef>();
  for (const def of FIELDS.values()) for (const h of [def.header, ...def.aliases]) m.set(key(h), def);
  return m;
})();

export function isFieldName(name: string): name is FieldName {
  return FIELDS.has(name as FieldName);
}

export function fieldDef(name: FieldName): FieldDef {
  const def = FIELDS.get(name);
  if (def === undefined) throw new OpenFlowError('OF_ENCODE', `Unknown field ${JSON.stringify(name)}`);
  return def;
}

/** The field an OXM/NXM header names, if we know it. */
export function fieldByHeader(oxmClass: number, field: number): FieldDef | undefined {
  return BY_HEADER.get(key({ oxmClass, field }));
}

const FULL_MASKS = new Map<number, bigint>();

/** All-ones value for a field's wire width. */
export function fullMask(def: FieldDef): bigint {
  let m = FULL_MASKS.get(def.bytes);
  if (m === undefined) {
    m = (1n << BigInt(def.bytes * 8)) - 1n;
    FULL_MASKS.set(def.bytes, m);
  }
  return m;
}

/** Throws OF_ENCODE unless `v` fits the field's wire width. */
export function checkWidth(def: FieldDef, v: bigint, what = 'value'): void {
  if (v < 0n || v > fullMask(def)) throw new OpenFlowError('OF_ENCODE', `${def.name} ${what} 0x${v.toString(16)} does not fit in ${def.bytes} bytes`);
}
