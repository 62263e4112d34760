/**
 * Errors that cross a gRPC boundary. The stable `ErrorCode` (errors.proto) rides
 * in the trailer `contiv-error-code`, so callers map failures without parsing
 * messages. Thrown by service handlers; rebuilt on the client side.
 */
import type { ErrorCode } from './gen/contiv/rpc/v1/ErrorCode';

export type RpcErrorCode = Exclude<Extract<ErrorCode, string>, 'ERROR_CODE_UNSPECIFIED'>;

export class RpcError extends Error {
  override readonly name = 'RpcError';
  constructor(
    readonly code: RpcErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export function isRpcError(err: unknown, code?: RpcErrorCode): err is RpcError {
  return err instanceof Error && err.name === 'RpcError' && (code === undefined || (err as RpcError).code === code);
}
