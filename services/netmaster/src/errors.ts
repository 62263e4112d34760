/**
 * Netmaster's failures, each with a stable code (docs/errors.md). The REST
 * layer maps them to HTTP statuses in rest/error-map.ts and the gRPC layer to
 * RpcError codes in grpc/error-map.ts: nowhere else.
 */
export type NetmasterErrorCode =
  | 'INVALID_ARGUMENT' // bad input (model validation failures arrive as ModelValidationError)
  | 'MALFORMED_JSON' // a REST body that is not JSON
  | 'NOT_FOUND' // tenant/network/group/endpoint unknown
  | 'ALREADY_EXISTS' // a different object already has that name
  | 'IMMUTABLE' // a change to parameters that cannot change after creation
  | 'IN_USE' // refused: still used by endpoints/groups/networks
  | 'SUBNET_OVERLAP' // the subnet overlaps another network of the tenant
  | 'ADDRESS_IN_USE' // a requested address is held by someone else
  | 'IPAM_POOL_EXHAUSTED' // no free address
  | 'TAG_POOL_EXHAUSTED' // no free VLAN / VXLAN / group id
  | 'NOT_LEADER' // this netmaster does not hold the leader lock (or is still starting)
  | 'INTERNAL'; // a bug: see the logs

export class NetmasterError extends Error {
  override readonly name = 'NetmasterError';
  constructor(
    readonly code: NetmasterErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export function isNetmasterError(err: unknown, code?: NetmasterErrorCode): err is NetmasterError {
  return err instanceof Error && err.name === 'NetmasterError' && (code === undefined || (err as NetmasterError).code === code);
}
