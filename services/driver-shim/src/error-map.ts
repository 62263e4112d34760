/**
 * The one place failures become Docker plugin replies (PROTOCOLS.md §1.2):
 *
 * - NetworkDriver (and Plugin) failures the agent reports: HTTP 200 with
 *   `{"Err": msg}`. A non-empty Err is a failure to the engine, which shows
 *   `remote: <msg>`; 200 is the documented convention (Contiv, go-plugins-helpers).
 * - IpamDriver failures: HTTP 500 with `{"Err": msg, "Error": msg}`. The engine's
 *   IPAM response struct calls the field `Error`, so a 200 carrying only `Err`
 *   would count as success; on a non-200 status it reads `Err`. Both keys and
 *   500 work with every engine version.
 * - A body that is not JSON or not the shape Docker sends: 400, same keys.
 * - An unknown method: 404 `{"Err"}`; the engine tolerates that for the optional
 *   methods (Program/RevokeExternalConnectivity, IpamDriver.GetCapabilities).
 * - Anything unexpected in the shim itself: 500.
 */
import { isRpcError, shortenMessage } from '@contiv/rpc';
import { isShimError } from './errors';

export type Subsystem = 'Plugin' | 'NetworkDriver' | 'IpamDriver';

export interface PluginReply {
  readonly status: number;
  readonly body: Record<string, unknown>;
}

function errBody(subsystem: Subsystem, message: string): Record<string, unknown> {
  return subsystem === 'IpamDriver' ? { Err: message, Error: message } : { Err: message };
}

/** Maps a failure of `method` to the status and JSON body Docker understands. */
export function mapError(err: unknown, subsystem: Subsystem): PluginReply {
  const message = shortenMessage(err instanceof Error ? err.message : String(err));
  if (isShimError(err)) {
    switch (err.code) {
      case 'SHIM_MALFORMED_JSON':
      case 'SHIM_BAD_REQUEST':
        return { status: 400, body: errBody(subsystem, message) };
      case 'SHIM_BODY_TOO_LARGE':
        return { status: 413, body: errBody(subsystem, message) };
      case 'SHIM_UNKNOWN_METHOD':
        return { status: 404, body: errBody(subsystem, message) };
      case 'SHIM_AGENT_UNREACHABLE':
      case 'SHIM_AGENT_TIMEOUT':
        return failure(subsystem, message);
    }
  }
  if (isRpcError(err)) return failure(subsystem, message);
  return { status: 500, body: errBody(subsystem, `driver-shim internal error: ${message}`) };
}

/** A request that was understood but failed. */
function failure(subsystem: Subsystem, message: string): PluginReply {
  return subsystem === 'IpamDriver' ? { status: 500, body: errBody(subsystem, message) } : { status: 200, body: errBody(subsystem, message) };
}
