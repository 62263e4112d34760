/**
 * The answer to one punted DNS query, computed purely from the frame, the
 * network of the port it came in on and the name table: the reply frame goes
 * back to the querier as if the resolver it asked had answered (MACs, IPs
 * and ports swapped).
 *
 *   known name, type A or ANY  NOERROR with its A records (at most 10, TTL 120)
 *   known name, other type     NOERROR without answers (no AAAA: endpoints are IPv4)
 *   unknown name               NXDOMAIN (the pipeline has no path to an outside resolver)
 */
import { parseIPv4 } from '@contiv/model';
import type { NetworkKey } from '../pipeline/desired-state';
import { DNS_PORT } from '../pipeline/features/dns-interceptor';
import { buildDnsReply, parseDnsQuery, QTYPE, RCODE } from './dns-message';
import type { NameTable } from './name-table';
import { lookupName } from './name-table';
import { buildUdpFrame, parseUdpFrame } from './udp-frame';

export interface DnsReply {
  readonly kind: 'reply';
  readonly frame: Buffer;
  /** The question's name as sent. */
  readonly name: string;
  readonly qtype: number;
  readonly rcode: number;
  readonly answers: number;
}

/** A frame that gets no reply (malformed, or not a DNS query), and why. */
export interface DnsIgnored {
  readonly kind: 'ignored';
  readonly reason: string;
}

export function respond(frame: Buffer, network: NetworkKey, table: NameTable): DnsReply | DnsIgnored {
  const udp = parseUdpFrame(frame);
  if (!udp.ok) return { kind: 'ignored', reason: udp.reason };
  if (udp.value.dstPort !== DNS_PORT) return { kind: 'ignored', reason: `UDP destination port ${udp.value.dstPort} is not ${DNS_PORT}` };
  const query = parseDnsQuery(udp.value.payload);
  if (!query.ok) return { kind: 'ignored', reason: query.reason };
  const q = query.value;
  const ips = q.plainName ? lookupName(table, network, q.name) : undefined;
  let rcode: number = RCODE.NXDOMAIN;
  let addresses: number[] = [];
  if (ips !== undefined) {
    rcode = RCODE.NOERROR;
    if (q.qtype === QTYPE.A || q.qtype === QTYPE.ANY) addresses = ips.flatMap((ip) => parseIPv4(ip) ?? []);
  }
  const payload = buildDnsReply(q, rcode, addresses);
  const f = udp.value;
  return {
    kind: 'reply',
    frame: buildUdpFrame({ srcMac: f.dstMac, dstMac: f.srcMac, srcIp: f.dstIp, dstIp: f.srcIp, srcPort: f.dstPort, dstPort: f.srcPort, payload }),
    name: q.name,
    qtype: q.qtype,
    rcode,
    answers: payload.readUInt16BE(6),
  };
}
