#!/usr/bin/env node
/** The `netctl` binary: wiring only. */
import { processIo } from './output/io';
import { terminalProgress } from './output/progress';
import { runNetctl } from './run';

// `netctl net ls | head -1` closes stdout early; that is not an error.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw err;
});

// A spinner on stderr while netctl waits, only when stderr is a terminal (output/progress.ts).
void runNetctl(process.argv.slice(2), { io: processIo(), progress: terminalProgress(process.stderr) }).then((code) => {
  process.exitCode = code;
});
