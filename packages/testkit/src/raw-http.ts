/**
 * HTTP/1.1 written byte for byte on a TCP or unix socket, for the fuzz tests:
 * node's http client refuses the request lines, header values and bodies a
 * hostile client sends (control characters, raw UTF-8 in the path, lying
 * Content-Length), and those are exactly what the server must survive.
 *
 * Test-only (@contiv/testkit): the fuzz tests of netmaster and the driver shim share it.
 */
import net from 'node:net';

export type RawTarget = { readonly host: string; readonly port: number } | { readonly socketPath: string };

export interface RawRequest {
  readonly method: string;
  /** The request target as sent, not escaped. */
  readonly target: string;
  /** Sent in order; `Host` and `Connection: close` are added unless given, `Content-Length` when there is a body and none is given. */
  readonly headers?: ReadonlyArray<readonly [string, string]>;
  readonly body?: string | Buffer;
}

export interface RawResponse {
  /** 0: the server closed the connection (or timed out) without an answer. */
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
  /** Why status is 0. */
  readonly failure?: string;
}

export function encodeRequest(r: RawRequest): Buffer {
  const headers = [...(r.headers ?? [])];
  const has = (name: string) => headers.some(([k]) => k.toLowerCase() === name);
  if (!has('host')) headers.unshift(['Host', 'fuzz']);
  if (!has('connection')) headers.push(['Connection', 'close']);
  const body = r.body === undefined ? undefined : Buffer.isBuffer(r.body) ? r.body : Buffer.from(r.body, 'utf8');
  if (body !== undefined && !has('content-length') && !has('transfer-encoding')) headers.push(['Content-Length', String(body.length)]);
  const head = `${r.method} ${r.target} HTTP/1.1\r\n${headers.map(([k, v]) => `${k}: ${v}\r\n`).join('')}\r\n`;
  return body === undefined ? Buffer.from(head, 'utf8') : Buffer.concat([Buffer.from(head, 'utf8'), body]);
}

function dechunk(buf: Buffer): Buffer {
  const parts: Buffer[] = [];
  let at = 0;
  for (;;) {
    const eol = buf.indexOf('\r\n', at);
    if (eol < 0) break;
    const size = parseInt(buf.subarray(at, eol).toString('latin1'), 16);
    if (!Number.isFinite(size) || size === 0) break;
    parts.push(buf.subarray(eol + 2, eol + 2 + size));
    at = eol + 2 + size + 2;
  }
  return Buffer.concat(parts);
}

/** Whether `buf` holds a whole response: its head and the body its Content-Length or chunking announces. */
function isComplete(buf: Buffer): boolean {
  const end = buf.indexOf('\r\n\r\n');
  if (end < 0) return false;
  const head = buf.subarray(0, end).toString('latin1');
  const cl = /\r\ncontent-length:\s*(\d+)/i.exec(head);
  if (cl) return buf.length - end - 4 >= Number(cl[1]);
  if (/\r\ntransfer-encoding:\s*chunked/i.test(head)) return buf.subarray(end + 4).includes('\r\n0\r\n\r\n') || buf.subarray(end + 4).subarray(0, 5).toString() === '0\r\n\r\n';
  return false;
}

/** Parses the first response in `buf` (the server closes after it: `Connection: close`). */
export function parseResponse(buf: Buffer): RawResponse | undefined {
  const end = buf.indexOf('\r\n\r\n');
  if (end < 0) return undefined;
  const lines = buf.subarray(0, end).toString('latin1').split('\r\n');
  const m = /^HTTP\/1\.[01] (\d{3})/.exec(lines[0] ?? '');
  if (!m) return undefined;
  const headers: Record<string, string> = {};
  for (const line of lines.slice(1)) {
    const i = line.indexOf(':');
    if (i > 0) headers[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
  }
  let body = buf.subarray(end + 4);
  if (/chunked/i.test(headers['transfer-encoding'] ?? '')) body = dechunk(body);
  else if (headers['content-length'] !== undefined) body = body.subarray(0, Number(headers['content-length']));
  return { status: Number(m[1]), headers, body: body.toString('utf8') };
}

export interface ExchangeOptions {
  readonly timeoutMs?: number;
  /**
   * Half-close our side this long after writing. Only for input that may not
   * be a complete request (else the server waits for the rest): node's HTTP
   * server drops a response still being computed when the client half-closes,
   * so a complete request is never followed by a half-close.
   */
  readonly halfCloseAfterMs?: number;
}

/** Sends `bytes` (a request, or anything at all) and reads the answer until the server closes. */
export function rawExchange(target: RawTarget, bytes: Buffer, opts: ExchangeOptions = {}): Promise<RawResponse> {
  const timeoutMs = opts.timeoutMs ?? 15_000;
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    const socket = 'socketPath' in target ? net.connect(target.socketPath) : net.connect(target.port, target.host);
    let done = false;
    const finish = (failure?: string): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      const parsed = parseResponse(Buffer.concat(chunks));
      resolve(parsed ?? { status: 0, headers: {}, body: Buffer.concat(chunks).toString('utf8'), failure: failure ?? 'the connection closed without an HTTP answer' });
    };
    const timer = setTimeout(() => finish(`no answer within ${timeoutMs} ms`), timeoutMs);
    socket.on('data', (c: Buffer) => {
      chunks.push(c);
      // A whole answer on a connection the server keeps open (an Upgrade header replaces "close") is enough.
      if (isComplete(Buffer.concat(chunks))) finish();
    });
    socket.on('end', () => finish());
    socket.on('close', () => finish());
    // A server that answers early and resets while we still write (a body over the limit) is fine: keep what came.
    socket.on('error', (err) => finish(`socket error: ${err.message}`));
    socket.on('connect', () => {
      socket.write(bytes, () => {
        if (opts.halfCloseAfterMs !== undefined) setTimeout(() => socket.end(), opts.halfCloseAfterMs).unref();
      });
    });
  });
}

export function rawRequest(target: RawTarget, r: RawRequest, opts?: ExchangeOptions): Promise<RawResponse> {
  return rawExchange(target, encodeRequest(r), opts);
}
