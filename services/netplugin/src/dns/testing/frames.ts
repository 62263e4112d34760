/**
 * DNS query frames for tests. QUERY_WEB_B / REPLY_WEB_B were made outside
 * this code base (Python's struct, RFC 1071 checksums): a dig-style query
 * (RD and AD set, an EDNS OPT record with a cookie) from 10.1.1.1 to
 * 192.0.2.53 for `web-b` A, and the reply with 10.1.1.2.
 */
import { parseIPv4 } from '@contiv/model';
import type { EndpointState } from '@contiv/model';
import { buildUdpFrame } from '../udp-frame';

export const QUERY_WEB_B = Buffer.from(
  '00001111111102020a01010108004500004a1c464000401151260a010101c0000235c35000350036845d' +
    'abcd01200001000000000001057765622d62000001000100002904d000000000000c000a00080123456789abcdef',
  'hex',
);
export const REPLY_WEB_B = Buffer.from(
  '02020a0101010000111111110800450000430000400040116d73c00002350a0101010035c350002f157c' + 'abcd85800001000100000000057765622d620000010001c00c000100010000007800040a010102',
  'hex',
);

/** A DNS query message: one question for `name` of `qtype`, class IN, RD set. */
export function dnsQuery(name: string, qtype = 1, id = 0x1234, qclass = 1): Buffer {
  const labels = name === '' ? [] : name.replace(/\.$/, '').split('.');
  const qname = Buffer.concat([...labels.map((l) => Buffer.concat([Buffer.from([l.length]), Buffer.from(l, 'latin1')])), Buffer.from([0])]);
  const header = Buffer.alloc(12);
  header.writeUInt16BE(id, 0);
  header.writeUInt16BE(0x0100, 2);
  header.writeUInt16BE(1, 4);
  const tail = Buffer.alloc(4);
  tail.writeUInt16BE(qtype, 0);
  tail.writeUInt16BE(qclass, 2);
  return Buffer.concat([header, qname, tail]);
}

const mac = (text: string): Buffer => Buffer.from(text.split(':').map((h) => parseInt(h, 16)));

/** `payload` in a frame from 10.1.1.1 (02:02:0a:01:01:01), port 40000, to 192.0.2.53 via the gateway MAC. */
export function queryFrame(payload: Buffer, dstPort = 53): Buffer {
  return buildUdpFrame({
    srcMac: mac('02:02:0a:01:01:01'),
    dstMac: mac('00:00:11:11:11:11'),
    srcIp: parseIPv4('10.1.1.1') as number,
    dstIp: parseIPv4('192.0.2.53') as number,
    srcPort: 40000,
    dstPort,
    payload,
  });
}

export function endpoint(p: Partial<EndpointState> & { endpointId: string; ipAddress: string }): EndpointState {
  return {
    tenantName: 'default',
    networkName: 'net',
    groupName: '',
    ipv6Address: '',
    macAddress: '',
    homingHost: 'h1',
    intfName: '',
    vtepIp: '',
    containerId: '',
    containerName: '',
    createdAt: '2024-01-01T00:00:00.000Z',
    ...p,
  };
}
