import { CommanderError } from 'commander';
import { normaliseArgv } from './argv';
import { EXIT_INTERNAL, EXIT_OK, exitCodeFor, isNetctlError } from './errors';
import { terminalLine } from './output/terminal';
import type { ProgramDeps } from './program';
import { buildProgram } from './program';

/**
 * Runs one netctl invocation and returns its exit code. Usage errors have
 * already been reported by commander (one line plus a --help hint); request
 * errors are reported here as exactly one line.
 */
export async function runNetctl(args: readonly string[], deps: ProgramDeps): Promise<number> {
  const program = buildProgram(deps);
  try {
    await program.parseAsync(normaliseArgv(program, args), { from: 'user' });
    return EXIT_OK;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode;
    if (isNetctlError(err)) {
      // Messages quote arguments and netmaster's words: one safe line (output/terminal.ts).
      deps.io.err(`${terminalLine(err.message)}\n`);
      return exitCodeFor(err);
    }
    deps.io.err(`${terminalLine(`netctl: internal error: ${err instanceof Error ? err.message : String(err)}`)}\n`);
    return EXIT_INTERNAL;
  }
}
