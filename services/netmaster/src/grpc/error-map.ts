/** The one place netmaster errors become gRPC errors (RpcError codes, errors.proto). */
import { isModelError } from '@contiv/model';
import { RpcError, type RpcErrorCode } from '@contiv/rpc';
import { isStoreError } from '@contiv/store';
import { isNetmasterError, type NetmasterErrorCode } from '../errors';

const CODES: Record<NetmasterErrorCode, RpcErrorCode> = {
  INVALID_ARGUMENT: 'INVALID_ARGUMENT',
  MALFORMED_JSON: 'INVALID_ARGUMENT',
  NOT_FOUND: 'NOT_FOUND',
  ALREADY_EXISTS: 'ALREADY_EXISTS',
  IMMUTABLE: 'ALREADY_EXISTS',
  IN_USE: 'IN_USE',
  SUBNET_OVERLAP: 'INVALID_ARGUMENT',
  ADDRESS_IN_USE: 'ALREADY_EXISTS',
  IPAM_POOL_EXHAUSTED: 'POOL_EXHAUSTED',
  TAG_POOL_EXHAUSTED: 'POOL_EXHAUSTED',
  NOT_LEADER: 'NETMASTER_UNAVAILABLE',
  INTERNAL: 'INTERNAL',
};

export function toRpcError(err: unknown): RpcError {
  if (err instanceof RpcError) return err;
  if (isNetmasterError(err)) return new RpcError(CODES[err.code], err.message, { cause: err });
  if (isModelError(err, 'MODEL_INVALID')) return new RpcError('INVALID_ARGUMENT', err.message, { cause: err });
  if (isStoreError(err, 'STORE_UNAVAILABLE') || isStoreError(err, 'STORE_CLOSED')) {
    return new RpcError('STORE_UNAVAILABLE', `cluster store: ${err.message}`, { cause: err });
  }
  return new RpcError('INTERNAL', `internal error: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
}
