import { OvsdbError } from '../errors';
import type { OperationError } from '../errors';
import { isJsonObject, stringifyJson } from '../jsonrpc/json-codec';
import type { Json, JsonObject } from '../jsonrpc/json-codec';
import { decodeDatum } from '../schema/datum';
import type { Datum, Uuid } from '../schema/datum';
import { Uuid as UuidClass } from '../schema/datum';
import type { Operation } from './operations';

/** One operation's successful result (RFC 7047 §5.2). */
export interface OperationResult {
  /** insert: the new row's uuid. */
  readonly uuid?: Uuid;
  /** select: the rows, decoded without schema (a set of one may be a bare atom: use toAtoms). */
  readonly rows?: readonly Readonly<Record<string, Datum>>[];
  /** update / mutate / delete: rows matched. */
  readonly count?: number;
}

/**
 * The closed set of outcomes (python ovs.db.idl.Transaction statuses, minus
 * the ones that only make sense with a local change set):
 * - success: every op succeeded and the commit went through;
 * - try-again: a `wait` precondition failed, or the connection dropped before
 *   the reply: re-read the replica and recompute the transaction;
 * - not-locked: an `assert` found the lock not held;
 * - error: anything else (constraint violation, referential integrity, ...).
 */
export type TransactOutcome =
  | { readonly status: 'success'; readonly results: readonly OperationResult[] }
  | { readonly status: 'try-again' | 'not-locked' | 'error'; readonly error: OvsdbError };

function decodeResult(json: JsonObject): OperationResult {
  const out: { uuid?: Uuid; rows?: Readonly<Record<string, Datum>>[]; count?: number } = {};
  const u = json.uuid;
  if (Array.isArray(u) && u[0] === 'uuid' && typeof u[1] === 'string') out.uuid = new UuidClass(u[1]);
  if (typeof json.count === 'number') out.count = json.count;
  if (Array.isArray(json.rows)) {
    out.rows = json.rows.filter(isJsonObject).map((row) => {
      const r: Record<string, Datum> = {};
      for (const [k, v] of Object.entries(row)) r[k] = decodeDatum(v);
      return r;
    });
  }
  return out;
}

/**
 * Turns a transact reply into an outcome, merging every per-operation error
 * (and the extra commit-time error element) into one OvsdbError whose
 * `details` list them.
 */
export function interpretTransactResult(ops: readonly Operation[], result: Json): TransactOutcome {
  if (!Array.isArray(result) || result.length < ops.length) {
    return {
      status: 'error',
      error: new OvsdbError('OVSDB_PROTOCOL', `transact reply has ${Array.isArray(result) ? result.length : 'no'} results for ${ops.length} operations`),
    };
  }
  const errors: OperationError[] = [];
  const results: OperationResult[] = [];
  result.forEach((element, index) => {
    if (isJsonObject(element) && element.error !== undefined && element.error !== null) {
      const op = ops[index]?.op ?? 'commit';
      const e: { index: number; op: string; error: string; details?: string } = {
        index,
        op,
        error: typeof element.error === 'string' ? element.error : stringifyJson(element.error),
      };
      if (typeof element.details === 'string') e.details = element.details;
      errors.push(e);
    } else if (index < ops.length) {
      results.push(isJsonObject(element) ? decodeResult(element) : {});
    }
  });
  if (errors.length === 0) return { status: 'success', results };
  const text = errors.map((e) => `op ${e.index} (${e.op}): ${e.error}${e.details === undefined ? '' : ` - ${e.details}`}`).join('; ');
  if (errors.some((e) => e.op === 'wait' && e.error === 'timed out')) {
    return { status: 'try-again', error: new OvsdbError('OVSDB_TXN_TRY_AGAIN', `OVSDB transaction precondition failed: ${text}`, { details: errors }) };
  }
  if (errors.some((e) => e.op === 'assert' && e.error === 'not owner')) {
    return { status: 'not-locked', error: new OvsdbError('OVSDB_TXN_NOT_LOCKED', `OVSDB transaction lock not held: ${text}`, { details: errors }) };
  }
  return { status: 'error', error: new OvsdbError('OVSDB_TXN_FAILED', `OVSDB transaction failed: ${text}`, { details: errors }) };
}
