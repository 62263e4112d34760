/**
 * Failures the agent itself detects. Failures of the libraries it calls keep
 * their own types (StoreError, OvsdbError, RpcError from netmaster, ...); all of
 * them become gRPC errors for the shim in one place, rpc/error-map.ts. Codes are
 * stable and listed in docs/driver.md.
 */
export type AgentErrorCode =
  | 'AGENT_INVALID_ARGUMENT' // a Docker request we cannot serve as given (nothing changed)
  | 'AGENT_NOT_FOUND' // a Contiv network, group, pool or endpoint we do not know
  | 'AGENT_STORE_UNAVAILABLE' // needed state is not available (store down, not synced yet)
  | 'AGENT_COMMAND_FAILED' // ip / ethtool failed (message carries stderr)
  | 'AGENT_DOCKER_FAILURE' // the local Docker engine refused or could not be reached
  | 'AGENT_OVS_FAILURE' // the OVS bridge is not ready or a port could not be programmed
  | 'AGENT_REGISTRATION_FAILED' // a Docker-created network could not be registered in Contiv
  | 'AGENT_TIMEOUT'; // a bounded wait ran out

export class AgentError extends Error {
  override readonly name = 'AgentError';
  constructor(
    readonly code: AgentErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export function isAgentError(err: unknown, code?: AgentErrorCode): err is AgentError {
  return err instanceof Error && err.name === 'AgentError' && (code === undefined || (err as AgentError).code === code);
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
