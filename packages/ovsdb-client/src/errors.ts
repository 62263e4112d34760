/**
 * Every failure this package throws is an OvsdbError with a stable `code`.
 * Codes are documented in docs/ovsdb-client.md (and docs/errors.md).
 */
export type OvsdbErrorCode =
  | 'OVSDB_BAD_ENDPOINT' // an endpoint string we cannot parse (want unix:/path or tcp:host:port)
  | 'OVSDB_INVALID_ARGUMENT' // a caller-supplied value out of range (e.g. a VLAN tag > 4095)
  | 'OVSDB_CONNECT_FAILED' // the first connection could not be established
  | 'OVSDB_DISCONNECTED' // the connection dropped while a request was in flight
  | 'OVSDB_TIMEOUT' // no answer, or a waited-for condition not reached, within the deadline
  | 'OVSDB_CLOSED' // the client was closed
  | 'OVSDB_PROTOCOL' // the peer sent something that is not valid JSON-RPC / OVSDB
  | 'OVSDB_RPC_ERROR' // the server answered a request with a JSON-RPC error (unknown db, unknown method, ...)
  | 'OVSDB_SCHEMA' // a table or column the caller needs is not in the server's schema
  | 'OVSDB_TXN_FAILED' // a transaction failed; `details` lists the failing operations
  | 'OVSDB_TXN_TRY_AGAIN' // a precondition did not hold or the outcome is unknown: re-read the replica and retry
  | 'OVSDB_TXN_NOT_LOCKED' // an `assert` operation found the lock not held
  | 'OVSDB_NOT_FOUND' // a named bridge does not exist
  | 'OVSDB_CONFLICT' // a port of that name already exists on another bridge
  | 'OVSDB_INTERFACE_ERROR'; // ovs-vswitchd reported Interface.error for an interface we wait on

/** One failed operation of a transaction, as reported by ovsdb-server. */
export interface OperationError {
  /** Index of the operation in the transaction; equals the op count for a commit-time error. */
  readonly index: number;
  /** The `op` of the failed operation, or `commit` for the extra element appended on commit failure. */
  readonly op: string;
  /** The RFC 7047 error string, e.g. `constraint violation`, `timed out`. */
  readonly error: string;
  readonly details?: string;
}

export class OvsdbError extends Error {
  override readonly name = 'OvsdbError';
  /** Per-operation errors, for OVSDB_TXN_* codes. */
  readonly details: readonly OperationError[];
  constructor(
    readonly code: OvsdbErrorCode,
    message: string,
    options?: { cause?: unknown; details?: readonly OperationError[] },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.details = options?.details ?? [];
  }
}

export function isOvsdbError(err: unknown, code?: OvsdbErrorCode): err is OvsdbError {
  return err instanceof Error && err.name === 'OvsdbError' && (code === undefined || (err as OvsdbError).code === code);
}
