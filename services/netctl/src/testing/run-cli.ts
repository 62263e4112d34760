/** Runs netctl in-process with captured output, as a test would from a shell. */
import type { Env } from '@contiv/runtime';
import { BufferIo } from '../output/io';
import { runNetctl } from '../run';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export const TEST_CLIENT_VERSION = { version: '9.9.9-test', gitCommit: 'abc123', buildTime: '2026-01-01T00:00:00Z' };

export async function runCli(args: readonly string[], env: Env, timeoutMs = 5000): Promise<CliResult> {
  const io = new BufferIo();
  const code = await runNetctl(args, { io, env, timeoutMs, clientVersion: TEST_CLIENT_VERSION });
  return { code, stdout: io.stdout, stderr: io.stderr };
}
