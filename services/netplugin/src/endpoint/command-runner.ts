/**
 * Runs host tools (iproute2 `ip`, `ethtool`) as child processes: execFile (no
 * shell), a timeout, and failures that carry the tool's stderr.
 */
import { execFile } from 'node:child_process';
import { AgentError } from '../errors';

export interface CommandResult {
  readonly stdout: string;
  readonly stderr: string;
}

/** The seam endpoint code uses; tests replace it with a recording fake. */
export interface CommandRunner {
  run(cmd: string, args: readonly string[], opts?: { timeoutMs?: number }): Promise<CommandResult>;
}

export const DEFAULT_COMMAND_TIMEOUT_MS = 10_000;

export class CommandFailure extends AgentError {
  constructor(
    readonly command: string,
    readonly args: readonly string[],
    readonly stderr: string,
    readonly exitCode: number | string | undefined,
    cause?: unknown,
  ) {
    const detail = stderr.trim() || (cause instanceof Error ? cause.message : `exit ${String(exitCode)}`);
    super('AGENT_COMMAND_FAILED', `${command} ${args.join(' ')} failed: ${detail}`, { cause });
  }
}

export const execRunner: CommandRunner = {
  run(cmd, args, opts = {}) {
    return new Promise((resolve, reject) => {
      execFile(cmd, [...args], { timeout: opts.timeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS, encoding: 'utf8' }, (err, stdout, stderr) => {
        if (err) {
          const e = err as NodeJS.ErrnoException & { code?: number | string; killed?: boolean };
          const why = e.killed ? `timed out after ${opts.timeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS} ms` : stderr;
          reject(new CommandFailure(cmd, args, why, e.code, err));
          return;
        }
        resolve({ stdout, stderr });
      });
    });
  },
};
