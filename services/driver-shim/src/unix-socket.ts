/**
 * Preparing and binding a root-only unix socket: the directory is created, a
 * stale socket file left by a crash is removed, and a live one (another process
 * still serving it) is refused rather than stolen.
 */
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';

function isAlive(socketPath: string): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect(socketPath);
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

/** Makes `socketPath` bindable; throws if another process is listening on it. */
export async function prepareSocketPath(socketPath: string): Promise<void> {
  fs.mkdirSync(path.dirname(socketPath), { recursive: true, mode: 0o755 });
  let st: fs.Stats;
  try {
    st = fs.lstatSync(socketPath);
  } catch {
    return;
  }
  if (!st.isSocket()) throw new Error(`${socketPath} exists and is not a socket; refusing to replace it`);
  if (await isAlive(socketPath)) throw new Error(`another process is already serving ${socketPath}`);
  fs.unlinkSync(socketPath);
}

/**
 * Runs `bind` with a umask that makes the new socket 0600, then sets the mode
 * explicitly (the umask is process-wide, so it is restored at once).
 */
export async function bindRootOnly<T>(socketPath: string, bind: () => Promise<T>): Promise<T> {
  const old = process.umask(0o177);
  let result: T;
  try {
    result = await bind();
  } finally {
    process.umask(old);
  }
  fs.chmodSync(socketPath, 0o600);
  return result;
}
