/**
 * The one place the agent's failures become errors for the shim (an RpcError
 * code + message; the shim turns it into Docker's {"Err"}). Messages are for
 * the person who typed the docker command: they say what failed and why.
 */
import { isOvsdbError } from '@contiv/ovsdb-client';
import { isRpcError, RpcError, type RpcErrorCode } from '@contiv/rpc';
import { isStoreError } from '@contiv/store';
import { isAgentError, type AgentErrorCode } from '../errors';

const AGENT_CODES: Record<AgentErrorCode, RpcErrorCode> = {
  AGENT_INVALID_ARGUMENT: 'INVALID_ARGUMENT',
  AGENT_NOT_FOUND: 'NOT_FOUND',
  AGENT_STORE_UNAVAILABLE: 'STORE_UNAVAILABLE',
  AGENT_COMMAND_FAILED: 'INTERNAL',
  AGENT_DOCKER_FAILURE: 'DOCKER_FAILURE',
  AGENT_OVS_FAILURE: 'OVS_FAILURE',
  AGENT_REGISTRATION_FAILED: 'INTERNAL',
  AGENT_TIMEOUT: 'NETMASTER_UNAVAILABLE',
};

export function toRpcError(err: unknown): RpcError {
  if (isRpcError(err)) return err;
  if (isAgentError(err)) {
    // A registration refused by netmaster keeps netmaster's reason (e.g. INVALID_ARGUMENT).
    const code = err.code === 'AGENT_REGISTRATION_FAILED' && isRpcError(err.cause) ? err.cause.code : AGENT_CODES[err.code];
    return new RpcError(code, err.message, { cause: err });
  }
  if (isStoreError(err)) return new RpcError('STORE_UNAVAILABLE', `cluster store: ${err.message}`, { cause: err });
  if (isOvsdbError(err)) return new RpcError('OVS_FAILURE', `Open vSwitch: ${err.message}`, { cause: err });
  return new RpcError('INTERNAL', err instanceof Error ? err.message : String(err), { cause: err });
}
