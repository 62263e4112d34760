/**
 * DNS messages (RFC 1035 §4.1), just enough to answer one standard query:
 * the query's header and its single question are parsed and checked, the
 * reply echoes the question byte for byte (so a resolver's 0x20 case
 * randomisation still matches) and carries A records only.
 */
import type { Parsed } from './udp-frame';

export const DNS_HEADER_LEN = 12;
export const QTYPE = { A: 1, AAAA: 28, ANY: 255 } as const;
export const QCLASS_IN = 1;
export const RCODE = { NOERROR: 0, FORMERR: 1, SERVFAIL: 2, NXDOMAIN: 3, NOTIMP: 4, REFUSED: 5 } as const;
/** TTL of every answer (Contiv's). */
export const ANSWER_TTL = 120;
/** At most this many A records in one reply (Contiv's). */
export const MAX_ANSWERS = 10;

const FLAG_QR = 0x8000;
const FLAG_AA = 0x0400;
const FLAG_TC = 0x0200;
const FLAG_RD = 0x0100;
const FLAG_RA = 0x0080;
const FLAG_CD = 0x0010;
const MAX_LABEL = 63;
const MAX_NAME = 255;
/** A compression pointer to offset 12: the question's name, where every answer's name is. */
const POINTER_TO_QUESTION = 0xc00c;

export interface DnsQuery {
  readonly id: number;
  /** The query's RD and CD bits, echoed in the reply. */
  readonly echoedFlags: number;
  /** Labels joined with dots, as sent (no trailing dot); "" for the root. */
  readonly name: string;
  /** False when a label holds a dot or a non-printable byte: such a name matches no table entry. */
  readonly plainName: boolean;
  readonly qtype: number;
  readonly qclass: number;
  /** The question section as received (name, type, class). */
  readonly question: Buffer;
}

const fail = (reason: string): { ok: false; reason: string } => ({ ok: false, reason });

/** One standard query (QR 0, opcode 0) with exactly one question of class IN; anything after the question is ignored (EDNS OPT). */
export function parseDnsQuery(msg: Buffer): Parsed<DnsQuery> {
  if (msg.length < DNS_HEADER_LEN) return fail(`DNS message of ${msg.length} bytes is shorter than its header`);
  const id = msg.readUInt16BE(0);
  const flags = msg.readUInt16BE(2);
  if ((flags & FLAG_QR) !== 0) return fail('DNS message is a response');
  const opcode = (flags >> 11) & 0x0f;
  if (opcode !== 0) return fail(`DNS opcode ${opcode} is not a standard query`);
  const qd = msg.readUInt16BE(4);
  const an = msg.readUInt16BE(6);
  const ns = msg.readUInt16BE(8);
  if (qd !== 1) return fail(`DNS query has ${qd} questions, not 1`);
  if (an !== 0 || ns !== 0) return fail(`DNS query carries ${an} answer and ${ns} authority records`);
  const labels: string[] = [];
  let plainName = true;
  let at = DNS_HEADER_LEN;
  let wireLen = 0;
  for (;;) {
    if (at >= msg.length) return fail('DNS question name runs past the message');
    const len = msg.readUInt8(at);
    if ((len & 0xc0) !== 0) return fail('DNS question name uses compression or an extended label');
    wireLen += len + 1;
    if (wireLen > MAX_NAME) return fail(`DNS question name is longer than ${MAX_NAME} bytes`);
    at += 1;
    if (len === 0) break;
    if (len > MAX_LABEL) return fail(`DNS label of ${len} bytes`);
    if (at + len > msg.length) return fail('DNS question label runs past the message');
    const label = msg.subarray(at, at + len);
    if (label.some((b) => b <= 0x20 || b >= 0x7f || b === 0x2e)) plainName = false;
    labels.push(label.toString('latin1'));
    at += len;
  }
  if (at + 4 > msg.length) return fail('DNS question has no type and class');
  const qtype = msg.readUInt16BE(at);
  const qclass = msg.readUInt16BE(at + 2);
  if (qclass !== QCLASS_IN) return fail(`DNS question class ${qclass} is not IN`);
  return {
    ok: true,
    value: {
      id,
      echoedFlags: flags & (FLAG_RD | FLAG_CD),
      name: labels.join('.'),
      plainName,
      qtype,
      qclass,
      question: Buffer.from(msg.subarray(DNS_HEADER_LEN, at + 4)),
    },
  };
}

/**
 * The reply to `query`: RCODE `rcode`, and one A record (TTL ANSWER_TTL) per
 * address, at most MAX_ANSWERS. Addresses are IPv4 as unsigned 32-bit
 * numbers. Authoritative (AA) unless said otherwise: a SERVFAIL for a
 * forwarded name is not the agent's to vouch for.
 */
export function buildDnsReply(query: DnsQuery, rcode: number, addresses: readonly number[] = [], authoritative = true): Buffer {
  const answers = addresses.slice(0, MAX_ANSWERS);
  const out = Buffer.alloc(DNS_HEADER_LEN + query.question.length + answers.length * 16);
  out.writeUInt16BE(query.id, 0);
  out.writeUInt16BE(FLAG_QR | (authoritative ? FLAG_AA : 0) | FLAG_RA | query.echoedFlags | (rcode & 0x0f), 2);
  out.writeUInt16BE(1, 4);
  out.writeUInt16BE(answers.length, 6);
  query.question.copy(out, DNS_HEADER_LEN);
  let at = DNS_HEADER_LEN + query.question.length;
  for (const addr of answers) {
    out.writeUInt16BE(POINTER_TO_QUESTION, at);
    out.writeUInt16BE(QTYPE.A, at + 2);
    out.writeUInt16BE(QCLASS_IN, at + 4);
    out.writeUInt32BE(ANSWER_TTL, at + 6);
    out.writeUInt16BE(4, at + 10);
    out.writeUInt32BE(addr >>> 0, at + 12);
    at += 16;
  }
  return out;
}

/** Largest DNS message relayed to a container over UDP (the DNS flag day 2020 size: fits any MTU here unfragmented). */
export const MAX_RELAYED_MESSAGE = 1232;
const OPT_TYPE = 41;

/**
 * Lowers the UDP payload size a query's EDNS OPT record advertises to `max`,
 * so the upstream's answer fits what the agent can relay. Only the common
 * layout is touched: one additional record, the root-named OPT right after
 * the question. Returns a copy; anything else is returned unchanged.
 */
export function clampEdnsPayloadSize(msg: Buffer, questionLen: number, max = MAX_RELAYED_MESSAGE): Buffer {
  const at = DNS_HEADER_LEN + questionLen;
  if (msg.length < at + 11 || msg.readUInt16BE(10) !== 1) return msg;
  if (msg.readUInt8(at) !== 0 || msg.readUInt16BE(at + 1) !== OPT_TYPE) return msg;
  if (msg.readUInt16BE(at + 3) <= max) return msg;
  const out = Buffer.from(msg);
  out.writeUInt16BE(max, at + 3);
  return out;
}

/** An upstream's answer too large to relay: its header with TC set and its question, nothing else (the client may retry over TCP). */
export function truncatedReply(answer: Buffer, questionLen: number): Buffer {
  const out = Buffer.from(answer.subarray(0, DNS_HEADER_LEN + questionLen));
  out.writeUInt16BE(out.readUInt16BE(2) | FLAG_TC, 2);
  out.writeUInt16BE(1, 4);
  out.writeUInt16BE(0, 6);
  out.writeUInt16BE(0, 8);
  out.writeUInt16BE(0, 10);
  return out;
}

const foldAscii = (b: number): number => (b >= 0x41 && b <= 0x5a ? b + 0x20 : b);

/**
 * Whether `answer` is a response (QR set) whose question section equals
 * `question` (ASCII case aside: resolvers may randomise it): what a forwarded
 * query's answer must be before it is relayed.
 */
export function answersQuestion(answer: Buffer, question: Buffer): boolean {
  if (answer.length < DNS_HEADER_LEN + question.length) return false;
  if ((answer.readUInt16BE(2) & FLAG_QR) === 0 || answer.readUInt16BE(4) !== 1) return false;
  for (let i = 0; i < question.length; i++) {
    if (foldAscii(answer[DNS_HEADER_LEN + i] as number) !== foldAscii(question[i] as number)) return false;
  }
  return true;
}
