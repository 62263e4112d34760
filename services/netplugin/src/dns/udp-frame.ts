/**
 * Ethernet II + IPv4 + UDP frames, as OVS hands them to the controller and as
 * the agent sends them back: parsed with every length checked against the
 * bytes present, and built with correct IPv4 and UDP checksums. Only what the
 * DNS responder needs: untagged frames, IPv4 without fragments.
 */

export const ETH_HEADER_LEN = 14;
export const IPV4_HEADER_LEN = 20;
export const UDP_HEADER_LEN = 8;
const ETH_TYPE_IPV4 = 0x0800;
const IP_PROTO_UDP = 17;
const IPV4_FLAG_DF = 0x4000;
const IPV4_MF_AND_OFFSET = 0x3fff;
const REPLY_TTL = 64;

export interface UdpFrame {
  /** 6 bytes each. */
  readonly srcMac: Buffer;
  readonly dstMac: Buffer;
  /** IPv4 addresses as unsigned 32-bit numbers. */
  readonly srcIp: number;
  readonly dstIp: number;
  readonly srcPort: number;
  readonly dstPort: number;
  readonly payload: Buffer;
}

export type Parsed<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly reason: string };

const fail = (reason: string): { ok: false; reason: string } => ({ ok: false, reason });

/** The UDP datagram in an Ethernet frame; trailing bytes past the IPv4 total length (Ethernet padding) are ignored. */
export function parseUdpFrame(frame: Buffer): Parsed<UdpFrame> {
  if (frame.length < ETH_HEADER_LEN + IPV4_HEADER_LEN + UDP_HEADER_LEN) return fail(`frame of ${frame.length} bytes is too short for IPv4/UDP`);
  const ethType = frame.readUInt16BE(12);
  if (ethType !== ETH_TYPE_IPV4) return fail(`ethertype 0x${ethType.toString(16).padStart(4, '0')} is not IPv4`);
  const ip = frame.subarray(ETH_HEADER_LEN);
  const versionIhl = ip.readUInt8(0);
  if (versionIhl >> 4 !== 4) return fail(`IP version ${versionIhl >> 4} is not 4`);
  const ihl = (versionIhl & 0x0f) * 4;
  if (ihl < IPV4_HEADER_LEN) return fail(`IPv4 header length ${ihl} is below 20`);
  const totalLen = ip.readUInt16BE(2);
  if (totalLen > ip.length) return fail(`IPv4 total length ${totalLen} exceeds the ${ip.length} bytes present`);
  if (totalLen < ihl + UDP_HEADER_LEN) return fail(`IPv4 total length ${totalLen} leaves no room for a UDP header`);
  if ((ip.readUInt16BE(6) & IPV4_MF_AND_OFFSET) !== 0) return fail('IPv4 fragment');
  const proto = ip.readUInt8(9);
  if (proto !== IP_PROTO_UDP) return fail(`IP protocol ${proto} is not UDP`);
  const udp = ip.subarray(ihl, totalLen);
  const udpLen = udp.readUInt16BE(4);
  if (udpLen < UDP_HEADER_LEN || udpLen > udp.length) return fail(`UDP length ${udpLen} does not fit the ${udp.length} bytes of the IPv4 payload`);
  return {
    ok: true,
    value: {
      dstMac: Buffer.from(frame.subarray(0, 6)),
      srcMac: Buffer.from(frame.subarray(6, 12)),
      srcIp: ip.readUInt32BE(12),
      dstIp: ip.readUInt32BE(16),
      srcPort: udp.readUInt16BE(0),
      dstPort: udp.readUInt16BE(2),
      payload: Buffer.from(udp.subarray(UDP_HEADER_LEN, udpLen)),
    },
  };
}

/** One's-complement sum of 16-bit words (RFC 1071), not yet inverted. */
function onesSum(buf: Buffer, initial = 0): number {
  let sum = initial;
  const even = buf.length & ~1;
  for (let i = 0; i < even; i += 2) sum += buf.readUInt16BE(i);
  if (even < buf.length) sum += (buf.readUInt8(even) << 8) >>> 0;
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return sum;
}

/** The Internet checksum of `buf` (RFC 1071). */
export function internetChecksum(buf: Buffer, initial = 0): number {
  return ~onesSum(buf, initial) & 0xffff;
}

/** The UDP checksum over the IPv4 pseudo-header and the datagram (whose checksum field is 0); 0 is sent as 0xffff. */
export function udpChecksum(srcIp: number, dstIp: number, datagram: Buffer): number {
  const pseudo = Buffer.alloc(12);
  pseudo.writeUInt32BE(srcIp >>> 0, 0);
  pseudo.writeUInt32BE(dstIp >>> 0, 4);
  pseudo.writeUInt8(IP_PROTO_UDP, 9);
  pseudo.writeUInt16BE(datagram.length, 10);
  const sum = internetChecksum(datagram, onesSum(pseudo));
  return sum === 0 ? 0xffff : sum;
}

/** An Ethernet/IPv4/UDP frame carrying `payload` (DF set, TTL 64, both checksums filled in). */
export function buildUdpFrame(f: UdpFrame): Buffer {
  const udpLen = UDP_HEADER_LEN + f.payload.length;
  const totalLen = IPV4_HEADER_LEN + udpLen;
  const out = Buffer.alloc(ETH_HEADER_LEN + totalLen);
  f.dstMac.copy(out, 0, 0, 6);
  f.srcMac.copy(out, 6, 0, 6);
  out.writeUInt16BE(ETH_TYPE_IPV4, 12);
  const ip = out.subarray(ETH_HEADER_LEN, ETH_HEADER_LEN + IPV4_HEADER_LEN);
  ip.writeUInt8(0x45, 0);
  ip.writeUInt16BE(totalLen, 2);
  ip.writeUInt16BE(IPV4_FLAG_DF, 6);
  ip.writeUInt8(REPLY_TTL, 8);
  ip.writeUInt8(IP_PROTO_UDP, 9);
  ip.writeUInt32BE(f.srcIp >>> 0, 12);
  ip.writeUInt32BE(f.dstIp >>> 0, 16);
  ip.writeUInt16BE(internetChecksum(ip), 10);
  const udp = out.subarray(ETH_HEADER_LEN + IPV4_HEADER_LEN);
  udp.writeUInt16BE(f.srcPort, 0);
  udp.writeUInt16BE(f.dstPort, 2);
  udp.writeUInt16BE(udpLen, 4);
  f.payload.copy(udp, UDP_HEADER_LEN);
  udp.writeUInt16BE(udpChecksum(f.srcIp, f.dstIp, udp), 6);
  return out;
}
