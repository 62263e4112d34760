/**
 * Failures the shim itself detects (it has no other logic). Everything the
 * agent reports arrives as an RpcError from @contiv/rpc and is mapped, like
 * these, in error-map.ts only. Codes are stable and listed in docs/driver.md.
 */
export type ShimErrorCode =
  | 'SHIM_MALFORMED_JSON' // the body is not JSON
  | 'SHIM_BAD_REQUEST' // JSON, but not the shape Docker sends for this method
  | 'SHIM_UNKNOWN_METHOD' // a path we do not implement (Docker tolerates 404 for optional methods)
  | 'SHIM_BODY_TOO_LARGE' // a request body above the limit
  | 'SHIM_AGENT_UNREACHABLE' // the agent socket is missing or does not answer
  | 'SHIM_AGENT_TIMEOUT'; // the agent accepted the call but did not answer in time

export class ShimError extends Error {
  override readonly name = 'ShimError';
  constructor(
    readonly code: ShimErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export function isShimError(err: unknown, code?: ShimErrorCode): err is ShimError {
  return err instanceof Error && err.name === 'ShimError' && (code === undefined || (err as ShimError).code === code);
}
