/**
 * The answer to one punted DNS query, computed purely from the frame, the
 * network of the port it came in on and the name table: the reply frame goes
 * back to the querier as if the resolver it asked had answered (MACs, IPs
 * and ports swapped).
 *
 *   name of the querier's tenant, type A or ANY  NOERROR with its A records (at most 10, TTL 120)
 *   such a name, other type                      NOERROR without answers (no AAAA: IPv4 names only)
 *   any other name                               'forward' (the caller asks the host's resolvers),
 *                                                or NXDOMAIN when forwarding is off
 */
import { parseIPv4 } from '@contiv/model';
import type { NetworkKey } from '../pipeline/desired-state';
import { DNS_PORT } from '../pipeline/features/dns-interceptor';
import type { DnsQuery } from './dns-message';
import { buildDnsReply, parseDnsQuery, QTYPE, RCODE } from './dns-message';
import type { NameKind, NameTable } from './name-table';
import { lookupName } from './name-table';
import type { UdpFrame } from './udp-frame';
import { buildUdpFrame, parseUdpFrame } from './udp-frame';

export interface DnsReply {
  readonly kind: 'reply';
  readonly frame: Buffer;
  /** The question's name as sent. */
  readonly name: string;
  readonly qtype: number;
  readonly rcode: number;
  readonly answers: number;
  /** What kind of name answered; undefined for NXDOMAIN. */
  readonly nameKind?: NameKind;
}

/** A well-formed query for a name the tenant does not have: the caller forwards it. */
export interface DnsForward {
  readonly kind: 'forward';
  readonly udp: UdpFrame;
  readonly query: DnsQuery;
}

/** A frame that gets no reply (malformed, or not a DNS query), and why. */
export interface DnsIgnored {
  readonly kind: 'ignored';
  readonly reason: string;
}

/** The frame carrying `payload` back to the sender of `query` (addresses and ports swapped). */
export function replyFrame(query: UdpFrame, payload: Buffer): Buffer {
  return buildUdpFrame({ srcMac: query.dstMac, dstMac: query.srcMac, srcIp: query.dstIp, dstIp: query.srcIp, srcPort: query.dstPort, dstPort: query.srcPort, payload });
}

export function respond(frame: Buffer, network: NetworkKey, table: NameTable, forwarding = false): DnsReply | DnsIgnored | DnsForward {
  const udp = parseUdpFrame(frame);
  if (!udp.ok) return { kind: 'ignored', reason: udp.reason };
  if (udp.value.dstPort !== DNS_PORT) return { kind: 'ignored', reason: `UDP destination port ${udp.value.dstPort} is not ${DNS_PORT}` };
  const query = parseDnsQuery(udp.value.payload);
  if (!query.ok) return { kind: 'ignored', reason: query.reason };
  const q = query.value;
  const found = q.plainName ? lookupName(table, network, q.name) : undefined;
  if (found === undefined && forwarding) return { kind: 'forward', udp: udp.value, query: q };
  let rcode: number = RCODE.NXDOMAIN;
  let addresses: number[] = [];
  if (found !== undefined) {
    rcode = RCODE.NOERROR;
    if (q.qtype === QTYPE.A || q.qtype === QTYPE.ANY) addresses = found.addresses.flatMap((ip) => parseIPv4(ip) ?? []);
  }
  const payload = buildDnsReply(q, rcode, addresses);
  return {
    kind: 'reply',
    frame: replyFrame(udp.value, payload),
    name: q.name,
    qtype: q.qtype,
    rcode,
    answers: payload.readUInt16BE(6),
    ...(found !== undefined ? { nameKind: found.kind } : {}),
  };
}
