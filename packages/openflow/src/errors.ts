/**
 * Every failure this package throws is an OpenFlowError with a stable `code`.
 * Codes are documented in docs/openflow.md (and docs/errors.md).
 */
export type OpenFlowErrorCode =
  | 'OF_BAD_ENDPOINT' // an endpoint string we cannot parse (want unix:/path or tcp:host:port)
  | 'OF_CONNECT_FAILED' // the first connection could not be established
  | 'OF_HANDSHAKE_FAILED' // HELLO/FEATURES exchange failed (no common version: is OpenFlow13 in Bridge.protocols?)
  | 'OF_DISCONNECTED' // the connection dropped while a request was in flight (outcome unknown)
  | 'OF_TIMEOUT' // no reply, or not reconnected, within the deadline
  | 'OF_CLOSED' // the client was closed
  | 'OF_PROTOCOL' // the peer sent bytes we cannot parse as OpenFlow 1.3
  | 'OF_ERROR_REPLY' // the switch answered a request with OFPT_ERROR (`ofError` says which)
  | 'OF_BUNDLE_REJECTED' // a bundle was discarded or its commit failed: nothing in it was applied
  | 'OF_ENCODE' // a value cannot be encoded (out of range, unknown field, bad mask)
  | 'OF_INVALID_ARGUMENT'; // a caller value that is not valid input for the builder or a parser

/** The OFPT_ERROR a switch sent, decoded. */
export interface OfErrorInfo {
  /** OFPET_* number (0xffff for experimenter errors). */
  readonly type: number;
  /** OFPxxC_* code, or the experimenter's exp_type. */
  readonly code: number;
  /** Experimenter id (0x2320 Nicira, 0x4f4e4600 ONF) for experimenter errors. */
  readonly experimenter?: number;
  /** OVS's name, e.g. `OFPBAC_BAD_OUT_GROUP`, `OFPBFC_MSG_FAILED`; `OFPET(type,code)` if unknown. */
  readonly name: string;
  /** One-line description from the OpenFlow spec / OVS. */
  readonly description: string;
  /** xid of the error message = xid of the request that caused it. */
  readonly xid: number;
  /** OFPT_* type of the offending request, when the error carries it. */
  readonly requestType?: number;
}

/** One failed part of a batch or bundle: which operation, and the switch's error. */
export interface OperationFailure {
  /** Index into the operations the caller passed (bundle: in the order sent). */
  readonly index: number;
  /** Human-readable description of the operation (a flow string, `group_id=N`...). */
  readonly operation: string;
  readonly error: OfErrorInfo;
}

export class OpenFlowError extends Error {
  override readonly name = 'OpenFlowError';
  /** The switch's error, for OF_ERROR_REPLY / OF_BUNDLE_REJECTED. */
  readonly ofError: OfErrorInfo | undefined;
  /** Per-operation failures, for OF_BUNDLE_REJECTED and batch operations. */
  readonly failures: readonly OperationFailure[];
  constructor(
    readonly code: OpenFlowErrorCode,
    message: string,
    options?: { cause?: unknown; ofError?: OfErrorInfo; failures?: readonly OperationFailure[] },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.ofError = options?.ofError;
    this.failures = options?.failures ?? [];
  }
}

export function isOpenFlowError(err: unknown, code?: OpenFlowErrorCode): err is OpenFlowError {
  return err instanceof Error && err.name === 'OpenFlowError' && (code === undefined || (err as OpenFlowError).code === code);
}
