/**
 * The one place RpcError codes and gRPC status codes meet, in both directions.
 */
import * as grpc from '@grpc/grpc-js';
import { RpcError, type RpcErrorCode } from './errors';

export const ERROR_CODE_METADATA_KEY = 'contiv-error-code';

const toStatus: Record<RpcErrorCode, grpc.status> = {
  INVALID_ARGUMENT: grpc.status.INVALID_ARGUMENT,
  NOT_FOUND: grpc.status.NOT_FOUND,
  ALREADY_EXISTS: grpc.status.ALREADY_EXISTS,
  IN_USE: grpc.status.FAILED_PRECONDITION,
  POOL_EXHAUSTED: grpc.status.RESOURCE_EXHAUSTED,
  STORE_UNAVAILABLE: grpc.status.UNAVAILABLE,
  NETMASTER_UNAVAILABLE: grpc.status.UNAVAILABLE,
  OVS_FAILURE: grpc.status.INTERNAL,
  DOCKER_FAILURE: grpc.status.INTERNAL,
  INTERNAL: grpc.status.INTERNAL,
};

const codes = new Set<string>(Object.keys(toStatus));

/**
 * The most UTF-8 bytes of an error message sent to a peer. gRPC carries the
 * message percent-encoded in the grpc-message trailer (up to 3 bytes per byte),
 * and a peer refuses trailers over its metadata limit (8 KiB by default) by
 * dropping the call as INTERNAL, losing the code and the message. A message
 * that echoes hostile input (a 31,000-character id) must not do that.
 */
export const MAX_ERROR_MESSAGE_BYTES = 1500;

/** `message` cut to MAX_ERROR_MESSAGE_BYTES at a character boundary, saying how much was cut. */
export function capErrorMessage(message: string): string {
  if (Buffer.byteLength(message, 'utf8') <= MAX_ERROR_MESSAGE_BYTES) return message;
  const chars = Array.from(message);
  let bytes = 0;
  let kept = 0;
  // Room for the note, which is ASCII and at most ~50 bytes.
  while (kept < chars.length && bytes + Buffer.byteLength(chars[kept] as string, 'utf8') <= MAX_ERROR_MESSAGE_BYTES - 64) {
    bytes += Buffer.byteLength(chars[kept] as string, 'utf8');
    kept++;
  }
  return `${chars.slice(0, kept).join('')}... (${chars.length - kept} more characters cut)`;
}

/** Server side: any thrown value becomes a ServiceError carrying our code. */
export function toServiceError(err: unknown): Partial<grpc.StatusObject> {
  const rpcErr = err instanceof RpcError ? err : new RpcError('INTERNAL', err instanceof Error ? err.message : String(err));
  const metadata = new grpc.Metadata();
  metadata.set(ERROR_CODE_METADATA_KEY, rpcErr.code);
  return { code: toStatus[rpcErr.code], details: capErrorMessage(rpcErr.message), metadata };
}

/** Client side: a failed call becomes an RpcError with the server's code and message. */
export function fromServiceError(err: grpc.ServiceError, what: string): RpcError {
  const sent = err.metadata?.get(ERROR_CODE_METADATA_KEY)[0];
  if (typeof sent === 'string' && codes.has(sent)) {
    return new RpcError(sent as RpcErrorCode, err.details || err.message, { cause: err });
  }
  if (err.code === grpc.status.UNAVAILABLE || err.code === grpc.status.DEADLINE_EXCEEDED) {
    const transport = err.code === grpc.status.UNAVAILABLE ? 'unavailable' : 'deadline';
    return new RpcError('NETMASTER_UNAVAILABLE', `${what} is unreachable: ${err.details || err.message}`, { cause: err, transport });
  }
  return new RpcError('INTERNAL', `${what} failed: ${err.details || err.message}`, { cause: err });
}
