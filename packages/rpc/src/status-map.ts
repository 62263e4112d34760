/**
 * The one place RpcError codes and gRPC status codes meet, in both directions.
 */
import * as grpc from '@grpc/grpc-js';
import { capErrorMessage, shortenMessage } from './error-message';
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

/** Server side: any thrown value becomes a ServiceError carrying our code. */
export function toServiceError(err: unknown): Partial<grpc.StatusObject> {
  const rpcErr = err instanceof RpcError ? err : new RpcError('INTERNAL', err instanceof Error ? err.message : String(err));
  const metadata = new grpc.Metadata();
  metadata.set(ERROR_CODE_METADATA_KEY, rpcErr.code);
  return { code: toStatus[rpcErr.code], details: capErrorMessage(shortenMessage(rpcErr.message)), metadata };
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
