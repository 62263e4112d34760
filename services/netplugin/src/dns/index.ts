/** Container-name DNS for the networks of the OpenFlow pipeline (docs/dns.md). */
export type { DnsBridge, DnsCounters, DnsServiceOptions } from './dns-service';
export { DnsService, isDnsPacketIn } from './dns-service';
export type { NameTable } from './name-table';
export { buildNameTable, endpointNames, lookupName, normalizeName } from './name-table';
export type { DnsIgnored, DnsReply } from './responder';
export { respond } from './responder';
export type { DnsQuery } from './dns-message';
export { ANSWER_TTL, MAX_ANSWERS, QTYPE, RCODE, buildDnsReply, parseDnsQuery } from './dns-message';
export type { UdpFrame } from './udp-frame';
export { buildUdpFrame, parseUdpFrame } from './udp-frame';
export { DNS_PORT, dnsInterceptorFeature } from '../pipeline/features/dns-interceptor';
