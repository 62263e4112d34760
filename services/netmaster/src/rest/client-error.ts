/**
 * Requests node's HTTP parser rejects before any route sees them (a method
 * token in lower case, a control character in a header, two Content-Lengths,
 * headers over the size limit...). fastify's default answer is
 * `{"error":"Bad Request","message":"Client Error"}`, which names nothing and
 * is not our error shape; this one says what the parser found, in the shape
 * of every other error (docs/rest-api.md). The User-Agent is not known at
 * this point (the headers did not parse), so Contiv's Go client gets JSON too.
 */
import http from 'node:http';
import type { Duplex } from 'node:stream';
import type { Logger } from '@contiv/runtime';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { mapError, sendError } from './error-map';

interface ParserError extends Error {
  readonly code?: string;
  /** llhttp's own words ("Invalid method encountered"), without the "Parse Error: " prefix. */
  readonly reason?: string;
}

export function clientErrorAnswer(err: ParserError): { status: number; code: string; message: string } {
  if (err.code === 'HPE_HEADER_OVERFLOW') {
    return { status: 431, code: 'HEADERS_TOO_LARGE', message: `malformed HTTP request: the request line and headers exceed ${http.maxHeaderSize} bytes` };
  }
  if (err.code === 'ERR_HTTP_REQUEST_TIMEOUT') return { status: 408, code: 'REQUEST_TIMEOUT', message: 'the request was not received in time' };
  const what = (err.reason ?? err.message).replace(/^Parse Error: /, '');
  return { status: 400, code: 'BAD_REQUEST', message: `malformed HTTP request: ${what}${err.code ? ` (${err.code})` : ''}` };
}

function writeAnswer(socket: Duplex, status: number, code: string, message: string): void {
  if (socket.writable) {
    const body = JSON.stringify({ error: { code, message } });
    socket.write(`HTTP/1.1 ${status} ${http.STATUS_CODES[status] ?? ''}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
  }
  socket.destroy();
}

/** fastify's `clientErrorHandler`: answers once, then closes the connection (the parser cannot resync). */
export function clientErrorHandler(log: Logger): (err: ParserError, socket: Duplex) => void {
  return (err, socket) => {
    // A reset connection has no one left to answer.
    if (err.code === 'ECONNRESET' || socket.destroyed) return;
    const a = clientErrorAnswer(err);
    log.info('Refused malformed HTTP request', { status: a.status, code: err.code, message: a.message });
    writeAnswer(socket, a.status, a.code, a.message);
  };
}

/**
 * fastify's `frameworkErrors`: a URL the router cannot decode (`%`, `%zz`,
 * `%ff`) or a key over the router's length limit. fastify's default answers
 * these itself, in its own shape; here they are refused like any bad request.
 */
export function frameworkErrorHandler(log: Logger): (err: FastifyError, req: FastifyRequest, reply: FastifyReply) => void {
  return (err, req, reply) => {
    const mapped = mapError(err);
    log.info('Refused REST request', { requestId: req.id, method: req.method, status: mapped.status, code: err.code, message: mapped.message });
    void sendError(req, reply, mapped);
  };
}

/**
 * `CONNECT host:port`: node hands it to a 'connect' listener and, without one,
 * drops the connection without a word. Netmaster is no proxy: say so.
 */
export function refuseConnect(app: FastifyInstance, log: Logger): void {
  app.server.on('connect', (req: http.IncomingMessage, socket: Duplex) => {
    const message = `CONNECT is not supported: netmaster is not a proxy (${req.url ?? ''})`;
    log.info('Refused REST request', { method: 'CONNECT', status: 405, message });
    writeAnswer(socket, 405, 'METHOD_NOT_ALLOWED', message.length > 200 ? `${message.slice(0, 200)}...` : message);
  });
}
