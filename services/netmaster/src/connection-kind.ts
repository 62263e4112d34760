/**
 * Which server a new connection on the shared port belongs to, from its first
 * bytes (server.ts). Without TLS: the HTTP/2 preface `PRI * HTTP/2.0` is gRPC,
 * anything else REST. With TLS on either API, a TLS ClientHello is routed by
 * the protocols it offers (ALPN): grpc-js offers only `h2`, so exactly that is
 * gRPC; anything else (http/1.1, h2 and http/1.1 as curl offers, nothing as
 * Node's https offers) is REST. A plaintext connection to an API that requires
 * TLS is refused: plain HTTP gets a 400 naming https, plaintext gRPC is closed.
 */

export type ConnectionKind =
  /** Not enough bytes yet. */
  | 'wait'
  | 'rest'
  | 'grpc'
  /** Plain HTTP while REST is HTTPS-only: answer PLAIN_HTTP_REFUSAL and close. */
  | 'plain-http-refused'
  /** Close at once (plaintext gRPC while gRPC needs mutual TLS; TLS to an API without TLS). */
  | 'refuse';

export interface TransportPolicy {
  readonly restTls: boolean;
  readonly grpcTls: boolean;
}

const H2_PREFIX = Buffer.from('PRI');
const TLS_HANDSHAKE = 0x16;
const TLS_RECORD_HEADER = 5;
/** The largest TLS record (2^14 plus expansion room); a ClientHello fits in one. */
export const MAX_CLIENT_HELLO_BYTES = TLS_RECORD_HEADER + 16_384 + 2048;

export const PLAIN_HTTP_REFUSAL = (() => {
  const body = '{"error":{"code":"TLS_REQUIRED","message":"this netmaster serves HTTPS only: use https:// (netctl --netmaster https://HOST:PORT)"}}\n';
  return `HTTP/1.1 400 Bad Request\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`;
})();

/**
 * The ALPN protocol names a TLS ClientHello record offers: [] when it offers
 * none, undefined when `record` is not a well-formed ClientHello.
 */
export function offeredAlpn(record: Buffer): string[] | undefined {
  if (record.length < TLS_RECORD_HEADER || record[0] !== TLS_HANDSHAKE) return undefined;
  const end = Math.min(record.length, TLS_RECORD_HEADER + record.readUInt16BE(3));
  let p = TLS_RECORD_HEADER;
  const need = (n: number): boolean => p + n <= end;
  // Handshake header: type 1 (ClientHello), 24-bit length.
  if (!need(4) || record[p] !== 1) return undefined;
  p += 4;
  // client_version (2), random (32).
  if (!need(34)) return undefined;
  p += 34;
  // session_id <0..32>, cipher_suites <2..2^16-2>, compression_methods <1..2^8-1>.
  if (!need(1)) return undefined;
  p += 1 + (record[p] as number);
  if (!need(2)) return undefined;
  p += 2 + record.readUInt16BE(p);
  if (!need(1)) return undefined;
  p += 1 + (record[p] as number);
  if (p === end) return []; // no extensions at all
  if (!need(2)) return undefined;
  const extEnd = Math.min(end, p + 2 + record.readUInt16BE(p));
  p += 2;
  while (p + 4 <= extEnd) {
    const type = record.readUInt16BE(p);
    const len = record.readUInt16BE(p + 2);
    p += 4;
    if (p + len > extEnd) return undefined;
    if (type === 0x0010) {
      // application_layer_protocol_negotiation: a 16-bit list length, then <len8, name> entries.
      const names: string[] = [];
      let q = p + 2;
      const listEnd = Math.min(p + len, p + 2 + (len >= 2 ? record.readUInt16BE(p) : 0));
      while (q < listEnd) {
        const n = record[q] as number;
        if (q + 1 + n > listEnd) return undefined;
        names.push(record.toString('latin1', q + 1, q + 1 + n));
        q += 1 + n;
      }
      return names;
    }
    p += len;
  }
  return [];
}

/** What to do with a connection whose first bytes are `head`. */
export function classifyConnection(head: Buffer, policy: TransportPolicy): ConnectionKind {
  if (head.length === 0) return 'wait';
  const anyTls = policy.restTls || policy.grpcTls;
  if (anyTls && head[0] === TLS_HANDSHAKE) {
    if (head.length < TLS_RECORD_HEADER) return 'wait';
    const recordEnd = TLS_RECORD_HEADER + head.readUInt16BE(3);
    if (head.length < recordEnd && head.length < MAX_CLIENT_HELLO_BYTES) return 'wait';
    const alpn = offeredAlpn(head) ?? [];
    const grpc = alpn.includes('h2') && !alpn.includes('http/1.1');
    if (grpc) return policy.grpcTls ? 'grpc' : 'refuse';
    return policy.restTls ? 'rest' : 'refuse';
  }
  // Wait until we can tell (a few bytes), unless it already cannot be the preface.
  if (head.length < H2_PREFIX.length && H2_PREFIX.subarray(0, head.length).equals(head)) return 'wait';
  if (head.subarray(0, H2_PREFIX.length).equals(H2_PREFIX)) return policy.grpcTls ? 'refuse' : 'grpc';
  return policy.restTls ? 'plain-http-refused' : 'rest';
}
