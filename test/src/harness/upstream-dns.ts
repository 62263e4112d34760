/**
 * A small DNS server standing for "the host's resolver" in tests: it answers
 * A queries for the names it is given (TTL 60), NXDOMAIN for any other name,
 * and remembers every question it got. It runs in the test process
 * (startUpstreamDns, on loopback) or as a process inside a test namespace
 * (startUpstreamDnsIn, e.g. on a cluster host's underlay address), never on
 * an outside address.
 *
 *   node upstream-dns.js ADDRESS PORT '{"name":"a.b.c.d",...}'
 *     prints `ready <port>`, then one JSON line per query: {"name","type","from"}
 */
import dgram from 'node:dgram';
import fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import * as dnsPacket from 'dns-packet';
import { eventually } from './eventually';
import { inNetns, startDaemon, type Daemon } from './exec';

export interface UpstreamQuery {
  readonly name: string;
  readonly type: string;
  readonly from: string;
}

export interface UpstreamDns {
  readonly address: string;
  readonly port: number;
  /** Every question so far (names as sent). */
  queries(): UpstreamQuery[];
  close(): Promise<void>;
}

/** The answer to one query message, or undefined for what is no query. */
export function answerQuery(msg: Buffer, records: Readonly<Record<string, string>>): { reply: Buffer; question: { name: string; type: string } } | undefined {
  let q: dnsPacket.Packet;
  try {
    q = dnsPacket.decode(msg);
  } catch {
    return undefined;
  }
  const question = q.questions?.[0];
  if (q.type !== 'query' || question === undefined) return undefined;
  const address = records[question.name.toLowerCase().replace(/\.$/, '')];
  const answers: dnsPacket.Answer[] = address !== undefined && question.type === 'A' ? [{ type: 'A', name: question.name, ttl: 60, data: address }] : [];
  const reply = dnsPacket.encode({
    type: 'response',
    id: q.id ?? 0,
    flags: dnsPacket.RECURSION_DESIRED | dnsPacket.RECURSION_AVAILABLE | (address === undefined ? 3 : 0),
    questions: [question],
    answers,
  });
  return { reply, question: { name: question.name, type: String(question.type) } };
}

/** The server in this process, on `address` (default 127.0.0.1) and a free port unless one is given. */
export async function startUpstreamDns(records: Readonly<Record<string, string>>, address = '127.0.0.1', port = 0): Promise<UpstreamDns> {
  const sock = dgram.createSocket('udp4');
  const seen: UpstreamQuery[] = [];
  sock.on('message', (msg, rinfo) => {
    const a = answerQuery(msg, records);
    if (a === undefined) return;
    seen.push({ ...a.question, from: `${rinfo.address}:${rinfo.port}` });
    sock.send(a.reply, rinfo.port, rinfo.address);
  });
  await new Promise<void>((resolve, reject) => {
    sock.once('error', reject);
    sock.bind(port, address, () => resolve());
  });
  return {
    address,
    port: (sock.address() as AddressInfo).port,
    queries: () => [...seen],
    close: () => new Promise<void>((r) => sock.close(() => r())),
  };
}

/** The server as a process in network namespace `netns`, bound to address:port there; its queries are read from its log. */
export async function startUpstreamDnsIn(netns: string, address: string, port: number, records: Readonly<Record<string, string>>, logFile: string): Promise<UpstreamDns & { daemon: Daemon }> {
  fs.mkdirSync(path.dirname(logFile), { recursive: true });
  fs.writeFileSync(logFile, '');
  const [cmd, args] = inNetns(netns, process.execPath, [__filename, address, String(port), JSON.stringify(records)]);
  const daemon = startDaemon(`upstream-dns-${netns}`, cmd, args, { logFile });
  await eventually(() => fs.readFileSync(logFile, 'utf8').includes('ready '), { timeoutMs: 10_000, intervalMs: 50, what: `the upstream DNS server on ${address}:${port} in ${netns}` });
  const queries = (): UpstreamQuery[] =>
    fs
      .readFileSync(logFile, 'utf8')
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as UpstreamQuery);
  return { address, port, daemon, queries, close: () => daemon.stop(2_000).then(() => undefined) };
}

if (require.main === module) {
  const [address = '127.0.0.1', port = '53', records = '{}'] = process.argv.slice(2);
  const sock = dgram.createSocket('udp4');
  const table = JSON.parse(records) as Record<string, string>;
  sock.on('message', (msg, rinfo) => {
    const a = answerQuery(msg, table);
    if (a === undefined) return;
    process.stdout.write(`${JSON.stringify({ ...a.question, from: `${rinfo.address}:${rinfo.port}` })}\n`);
    sock.send(a.reply, rinfo.port, rinfo.address);
  });
  sock.bind(Number(port), address, () => process.stdout.write(`ready ${(sock.address() as AddressInfo).port}\n`));
}
