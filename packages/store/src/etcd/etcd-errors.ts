import { isBrokenCircuitError } from 'cockatiel';
import {
  ClientClosedError,
  EtcdError,
  EtcdLeaseInvalidError,
  GRPCDeadlineExceededError,
  isRecoverableError,
} from 'etcd3';

/**
 * How a failed etcd call may be handled:
 * - `not-sent`: the request certainly did not reach etcd, so any call (even a
 *   write) may be retried;
 * - `transient`: etcd or the connection failed and the outcome is unknown:
 *   reads are retried, writes are not (a retried create could report "exists"
 *   for its own first attempt);
 * - `timeout`: the deadline passed;
 * - `lease-lost`, `closed`: map to their StoreError codes;
 * - `rejected`: etcd refused the request itself (too large, too many ops, ...):
 *   a caller bug, not an outage.
 */
export type EtcdFailure = 'not-sent' | 'transient' | 'timeout' | 'lease-lost' | 'closed' | 'rejected';

/** grpc-js and etcd messages that prove the request was never processed. */
const NOT_SENT =
  /No connection established|Name resolution failed|etcdserver: no leader|etcdserver: too many requests|etcdserver: not capable/;
const TRANSIENT = /etcdserver: (request timed out|leader changed|server stopped|timed out)/;

/** Raised by our own backstop timer when a call outlives its deadline. */
export class CallDeadlineError extends Error {
  override readonly name = 'CallDeadlineError';
}

export function classifyEtcdError(err: unknown): EtcdFailure {
  if (err instanceof ClientClosedError) return 'closed';
  if (err instanceof EtcdLeaseInvalidError) return 'lease-lost';
  if (err instanceof CallDeadlineError || err instanceof GRPCDeadlineExceededError) return 'timeout';
  if (isBrokenCircuitError(err)) return 'not-sent';
  if (!(err instanceof Error)) return 'rejected';
  if (NOT_SENT.test(err.message)) return 'not-sent';
  if (isRecoverableError(err)) return 'transient';
  if (err instanceof EtcdError && TRANSIENT.test(err.message)) return 'transient';
  return 'rejected';
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** etcd's answer when a read asks for a revision that compaction removed. */
export function isCompactedError(err: unknown): boolean {
  return err instanceof Error && err.message.includes('required revision has been compacted');
}
