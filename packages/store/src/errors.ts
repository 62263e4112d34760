/**
 * Store failures that are not expected outcomes (a CAS conflict is a result,
 * see CasResult). Codes are stable and listed in docs/errors.md.
 */
export type StoreErrorCode =
  | 'STORE_UNAVAILABLE' // the store cannot be reached (after the client's own retries)
  | 'STORE_BAD_URL' // a cluster_store URL we cannot parse or do not support
  | 'STORE_LOCK_TIMEOUT' // lock() gave up waiting
  | 'STORE_LEASE_LOST' // the lease an operation depends on is gone
  | 'STORE_CLOSED'; // the store was closed

export class StoreError extends Error {
  override readonly name = 'StoreError';
  constructor(
    readonly code: StoreErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export function isStoreError(err: unknown, code?: StoreErrorCode): err is StoreError {
  return err instanceof Error && err.name === 'StoreError' && (code === undefined || (err as StoreError).code === code);
}
