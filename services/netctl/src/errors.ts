/**
 * netctl's error classes. Each carries a stable `code`; `exitCodeFor` maps
 * codes to Contiv's exit codes (1 usage, 3 request), so scripts written for
 * Contiv's netctl see the same numbers.
 */
export type NetctlErrorCode =
  /** Bad command line: wrong argument count, bad flag value, bad --netmaster URL. Nothing was sent. */
  | 'NETCTL_USAGE'
  /** netmaster answered with an error status. */
  | 'NETCTL_REQUEST_FAILED'
  /** netmaster could not be reached (refused, DNS, timeout). */
  | 'NETCTL_UNREACHABLE'
  /** netmaster answered 2xx with a body that is not the JSON we expect. */
  | 'NETCTL_BAD_RESPONSE';

export const EXIT_OK = 0;
export const EXIT_USAGE = 1;
export const EXIT_REQUEST = 3;
/** Anything unexpected (a bug): Contiv used 4 for local I/O failures. */
export const EXIT_INTERNAL = 4;

export class NetctlError extends Error {
  constructor(
    readonly code: NetctlErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
NetctlError.prototype.name = 'NetctlError';

/** Thrown by validation before any request is sent. */
export class UsageError extends NetctlError {
  constructor(message: string) {
    super('NETCTL_USAGE', message);
  }
}
UsageError.prototype.name = 'UsageError';

/** Thrown by the REST client; `status` is set when netmaster answered. */
export class RequestError extends NetctlError {
  constructor(
    code: Exclude<NetctlErrorCode, 'NETCTL_USAGE'>,
    message: string,
    readonly status?: number,
    options?: { cause?: unknown },
  ) {
    super(code, message, options);
  }
}
RequestError.prototype.name = 'RequestError';

export function isNetctlError(err: unknown, code?: NetctlErrorCode): err is NetctlError {
  return err instanceof NetctlError && (code === undefined || err.code === code);
}

export function exitCodeFor(err: NetctlError): number {
  return err.code === 'NETCTL_USAGE' ? EXIT_USAGE : EXIT_REQUEST;
}
