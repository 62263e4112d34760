/**
 * Errors that cross a gRPC boundary. The stable `ErrorCode` (errors.proto) rides
 * in the trailer `contiv-error-code`, so callers map failures without parsing
 * messages. Thrown by service handlers; rebuilt on the client side.
 */
import type { ErrorCode } from './gen/contiv/rpc/v1/ErrorCode';

export type RpcErrorCode = Exclude<Extract<ErrorCode, string>, 'ERROR_CODE_UNSPECIFIED'>;

/**
 * How a call failed when it never reached a handler: the channel could not be
 * used (`unavailable`) or the deadline passed (`deadline`). Undefined when the
 * peer answered with an error of its own.
 */
export type TransportFailure = 'unavailable' | 'deadline';

export class RpcError extends Error {
  override readonly name = 'RpcError';
  constructor(
    readonly code: RpcErrorCode,
    message: string,
    options?: { cause?: unknown; transport?: TransportFailure },
  ) {
    super(message, options);
    this.transport = options?.transport;
  }
  readonly transport: TransportFailure | undefined;
}

export function isRpcError(err: unknown, code?: RpcErrorCode): err is RpcError {
  return err instanceof Error && err.name === 'RpcError' && (code === undefined || (err as RpcError).code === code);
}
