/**
 * HTTP/1.1 on the plugin unix socket (PROTOCOLS.md §1.1): every call is a POST of
 * JSON (no Content-Type, maybe an empty body) to `/<Subsystem>.<Method>`; every
 * reply is JSON with Docker's plugin media type.
 */
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { Duplex } from 'node:stream';
import type { Logger } from '@contiv/runtime';
import type { AgentConnection } from './agent-connection';
import { checkStringSizes, type Json } from './docker-types';
import { mapError, type PluginReply, type Subsystem } from './error-map';
import { ShimError } from './errors';
import type { RouteTable } from './routes/route';
import { bindRootOnly, prepareSocketPath } from './unix-socket';

export const PLUGIN_CONTENT_TYPE = 'application/vnd.docker.plugins.v1+json';
export const DEFAULT_MAX_BODY_BYTES = 1 << 20;

export interface PluginServerOptions {
  readonly socketPath: string;
  readonly routes: RouteTable;
  readonly agent: AgentConnection;
  readonly logger: Logger;
  readonly maxBodyBytes?: number;
}

function subsystemOf(path: string): Subsystem {
  if (path.startsWith('/IpamDriver.')) return 'IpamDriver';
  if (path.startsWith('/NetworkDriver.')) return 'NetworkDriver';
  return 'Plugin';
}

/** Past the limit a body is read and dropped up to this much more, so the 413 reaches the caller; beyond, the connection is cut. */
const DISCARD_LIMIT_BYTES = 16 << 20;

function readBody(req: http.IncomingMessage, limit: number, method: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > limit + DISCARD_LIMIT_BYTES) req.destroy();
      else if (size <= limit) chunks.push(c);
    });
    // Destroying the request at once (as before) closed the socket under the
    // answer: the caller got a reset instead of the 413 and its {"Err"}.
    req.on('end', () => {
      if (size > limit) reject(new ShimError('SHIM_BODY_TOO_LARGE', `request body of ${method} exceeds ${limit} bytes`));
      else resolve(Buffer.concat(chunks).toString('utf8'));
    });
    req.on('error', reject);
  });
}

/**
 * Requests node's HTTP parser rejects (Docker never sends them): answered in
 * the plugin's error shape, naming what the parser found, instead of node's
 * bare `400 Bad Request`. The path is not known here, so both Err and Error.
 */
function answerClientError(err: Error & { code?: string; reason?: string }, socket: Duplex, log: Logger): void {
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  const overflow = err.code === 'HPE_HEADER_OVERFLOW';
  const message = overflow
    ? `malformed HTTP request: the request line and headers exceed ${http.maxHeaderSize} bytes`
    : `malformed HTTP request: ${(err.reason ?? err.message).replace(/^Parse Error: /, '')}${err.code ? ` (${err.code})` : ''}`;
  answerRaw(socket, overflow ? 431 : 400, message, log);
}

/** One error answer written on the socket itself (no request object to answer through), then the connection closed. */
function answerRaw(socket: Duplex, status: number, message: string, log: Logger): void {
  log.warn('Plugin call failed', { status, err: message });
  if (socket.writable) {
    const body = JSON.stringify({ Err: message, Error: message });
    socket.write(`HTTP/1.1 ${status} ${http.STATUS_CODES[status] ?? ''}\r\nContent-Type: ${PLUGIN_CONTENT_TYPE}\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
  }
  socket.destroy();
}

function parseJson(text: string, method: string): Json | undefined {
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text) as Json;
  } catch (err) {
    throw new ShimError('SHIM_MALFORMED_JSON', `malformed JSON in ${method}: ${(err as Error).message}`);
  }
}

function send(res: http.ServerResponse, reply: PluginReply): void {
  const body = JSON.stringify(reply.body);
  res.writeHead(reply.status, { 'Content-Type': PLUGIN_CONTENT_TYPE, 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}

export class PluginServer {
  private constructor(
    private readonly server: http.Server,
    readonly socketPath: string,
  ) {}

  /** Binds the socket (0600) and starts answering; resolves once listening. */
  static async listen(opts: PluginServerOptions): Promise<PluginServer> {
    const log = opts.logger;
    const limit = opts.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
    const server = http.createServer((req, res) => {
      const path = (req.url ?? '/').split('?')[0] ?? '/';
      const requestId = randomUUID();
      const started = Date.now();
      const subsystem = subsystemOf(path);
      void (async () => {
        let reply: PluginReply;
        try {
          const route = opts.routes.get(path);
          if (!route) throw new ShimError('SHIM_UNKNOWN_METHOD', `${path} is not implemented by the netplugin driver`);
          if (req.method !== 'POST') throw new ShimError('SHIM_BAD_REQUEST', `${path} must be called with POST, not ${req.method ?? '?'}`);
          const body = parseJson(await readBody(req, limit, path), path);
          checkStringSizes(body, path);
          reply = { status: 200, body: (await route.handle(body, { requestId, agent: opts.agent, logger: log })) as Record<string, unknown> };
          log.debug('Served plugin call', { method: path, requestId, ms: Date.now() - started });
        } catch (err) {
          reply = mapError(err, subsystem);
          const level = reply.status === 404 ? 'debug' : 'warn';
          log[level]('Plugin call failed', { method: path, requestId, status: reply.status, err: (err as Error).message, ms: Date.now() - started });
        }
        if (!res.headersSent) send(res, reply);
      })();
    });
    server.keepAliveTimeout = 30_000;
    server.on('clientError', (err: Error, socket: Duplex) => answerClientError(err, socket, log));
    // Without a listener node drops a CONNECT without a word.
    server.on('connect', (req: http.IncomingMessage, socket: Duplex) => answerRaw(socket, 405, `CONNECT ${(req.url ?? '').slice(0, 200)} is not a plugin call: POST /<Subsystem>.<Method>`, log));
    await prepareSocketPath(opts.socketPath);
    await bindRootOnly(
      opts.socketPath,
      () =>
        new Promise<void>((resolve, reject) => {
          server.once('error', reject);
          server.listen(opts.socketPath, () => {
            server.off('error', reject);
            resolve();
          });
        }),
    );
    log.info('Serving the Docker plugin API', { socket: opts.socketPath });
    return new PluginServer(server, opts.socketPath);
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }
}

