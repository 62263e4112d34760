/** Per-tenant DNS for the networks of the OpenFlow pipeline, with forwarding of unknown names (docs/dns.md). */
export type { DnsBridge, DnsCounters, DnsServiceOptions } from './dns-service';
export { DnsService, isDnsPacketIn } from './dns-service';
export type { NameAnswer, NameKind, NameTable, ServiceVip, TenantNames } from './name-table';
export { buildNameTable, endpointNames, lookupName, nameTableSize, normalizeName } from './name-table';
export { swarmServiceOf, swarmTaskNames } from './swarm-names';
export type { DnsForward, DnsIgnored, DnsReply } from './responder';
export { replyFrame, respond } from './responder';
export type { DnsQuery } from './dns-message';
export { ANSWER_TTL, MAX_ANSWERS, MAX_RELAYED_MESSAGE, QTYPE, RCODE, buildDnsReply, parseDnsQuery } from './dns-message';
export type { DnsForwarderOptions, ForwardOutcome, ForwarderCounters } from './forwarder';
export { DnsForwarder } from './forwarder';
export type { Upstream, UpstreamSetting } from './upstreams';
export { ResolvConfUpstreams, parseResolvConf, parseUpstream, parseUpstreamSetting, upstreamText } from './upstreams';
export type { UdpFrame } from './udp-frame';
export { buildUdpFrame, parseUdpFrame } from './udp-frame';
export { DNS_PORT, dnsInterceptorFeature } from '../pipeline/features/dns-interceptor';
export { DnsNames, decodeServiceVip } from './dns-names';
