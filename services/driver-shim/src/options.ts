/**
 * driver-shim settings: defaults < env (v2plugin args) < flags. The only file of
 * the shim that reads the environment or argv.
 */
import { parseArgs } from 'node:util';
import { DEFAULT_LOG_DIR, envString, isDebugFlag, type Env } from '@contiv/runtime';

export const DEFAULT_PLUGIN_SOCKET = '/run/docker/plugins/netplugin.sock';
export const DEFAULT_AGENT_SOCKET = '/run/contiv/netplugin.sock';
/** A dead agent is reported after at most twice this (PROTOCOLS.md §1.1: Docker allows 30 s per call). */
export const DEFAULT_CONNECT_TIMEOUT_MS = 2_000;
/** Per-call deadline once connected: below Docker's 30 s so our message, not a timeout, reaches the user. */
export const DEFAULT_CALL_TIMEOUT_MS = 28_000;
/** GetCapabilities waits this long for a starting agent before answering the fallback scope. */
export const DEFAULT_CAPABILITIES_WAIT_MS = 20_000;

export interface DriverShimConfig {
  readonly socket: string;
  readonly agentSocket: string;
  readonly logDir: string;
  readonly debug: boolean;
  readonly connectTimeoutMs: number;
  readonly callTimeoutMs: number;
  readonly capabilitiesWaitMs: number;
}

export const USAGE = `usage: contiv-driver-shim [--socket PATH] [--agent-socket PATH] [--log-dir DIR] [--debug]

  --socket PATH        Docker plugin socket (env CONTIV_PLUGIN_SOCKET, default ${DEFAULT_PLUGIN_SOCKET});
                       the file name is the driver name Docker uses (-d netplugin)
  --agent-socket PATH  netplugin agent socket (env CONTIV_AGENT_SOCKET, default ${DEFAULT_AGENT_SOCKET})
  --log-dir DIR        log directory for driver-shim.log (env CONTIV_LOG_DIR, default ${DEFAULT_LOG_DIR})
  --debug              debug logging (env dbg_flag=-debug)
`;

export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export function loadConfig(argv: readonly string[], env: Env): DriverShimConfig {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      options: {
        socket: { type: 'string' },
        'agent-socket': { type: 'string' },
        'log-dir': { type: 'string' },
        debug: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const v = parsed.values;
  if (v.help) throw new UsageError('');
  const config: DriverShimConfig = {
    socket: v.socket ?? envString(env, 'CONTIV_PLUGIN_SOCKET') ?? DEFAULT_PLUGIN_SOCKET,
    agentSocket: v['agent-socket'] ?? envString(env, 'CONTIV_AGENT_SOCKET') ?? DEFAULT_AGENT_SOCKET,
    logDir: v['log-dir'] ?? envString(env, 'CONTIV_LOG_DIR') ?? DEFAULT_LOG_DIR,
    debug: v.debug === true || isDebugFlag(envString(env, 'dbg_flag')),
    connectTimeoutMs: DEFAULT_CONNECT_TIMEOUT_MS,
    callTimeoutMs: DEFAULT_CALL_TIMEOUT_MS,
    capabilitiesWaitMs: DEFAULT_CAPABILITIES_WAIT_MS,
  };
  const problems: string[] = [];
  if (!config.socket.startsWith('/')) problems.push(`--socket must be an absolute path, not "${config.socket}"`);
  if (!config.socket.endsWith('.sock')) problems.push(`--socket must end in .sock (Docker derives the driver name from it): "${config.socket}"`);
  if (!config.agentSocket.startsWith('/')) problems.push(`--agent-socket must be an absolute path, not "${config.agentSocket}"`);
  if (problems.length > 0) throw new UsageError(problems.join('; '));
  return Object.freeze(config);
}
