/**
 * One `up` or `down` per cluster name at a time (the name alone decides the
 * namespaces, so it is the lock's key). A lock file holding the owner's pid; a
 * lock whose owner is gone (crashed) is taken over.
 */
import fs from 'node:fs';
import path from 'node:path';
import { pidAlive, pidCmdline, readPidFile } from '../processes';

const LOCK_DIR = fs.existsSync('/run/lock') ? '/run/lock' : '/tmp';

export function lockPath(name: string): string {
  return path.join(LOCK_DIR, `contiv-cluster-${name}.lock`);
}

/** Takes the lock or throws naming the process that holds it; returns the release function. */
export function acquireLock(name: string): () => void {
  const file = lockPath(name);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      fs.writeFileSync(file, `${process.pid}\n`, { flag: 'wx' });
      return () => {
        if (readPidFile(file) === process.pid) fs.rmSync(file, { force: true });
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const owner = readPidFile(file);
      if (owner !== undefined && owner !== process.pid && pidAlive(owner) && pidCmdline(owner).includes('cluster/main.js')) {
        throw new Error(`another up or down of cluster ${name} is running (pid ${owner}; lock ${file})`);
      }
      fs.rmSync(file, { force: true });
    }
  }
  throw new Error(`cannot take the lock ${file}`);
}
