/** Temporary directories that disappear with the test process even if a test forgets them. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { onExitCleanup } from './exec';

export interface TempDir {
  readonly path: string;
  /** Removes the directory and everything in it; safe to call twice. */
  cleanup(): Promise<void>;
}

/** Creates `$TMPDIR/<prefix>XXXXXX`; it is also removed when the process exits. */
export async function makeTempDir(prefix: string): Promise<TempDir> {
  const dir = await fs.promises.mkdtemp(path.join(os.tmpdir(), prefix));
  const unregister = onExitCleanup(() => fs.rmSync(dir, { recursive: true, force: true }));
  return {
    path: dir,
    async cleanup() {
      unregister();
      await fs.promises.rm(dir, { recursive: true, force: true });
    },
  };
}
