/**
 * A Docker registry on every host's 127.0.0.1:5000 (`--plugin v2`), so
 * `docker plugin install localhost:5000/...` works on every engine as on a
 * real host, with no insecure-registry setting (Docker trusts loopback).
 * All of them serve one storage directory: what h1 pushes, every host pulls.
 *
 * The binary is Debian's docker-registry, extracted from its .deb (which
 * `make deps` fetches) and never installed: the package's init script would
 * start a registry on the machine's own port 5000 (ENVIRONMENT.md §5.5).
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Daemon } from '../exec';
import { run, runInNetns, sleep, startDaemon, tailFile } from '../exec';

export const REGISTRY_PORT = 5000;
/** Where deploy/host/install-deps.sh puts the .deb. */
export const DEB_CACHE = process.env['CONTIV_DEB_CACHE'] || '/var/cache/contiv';

/** The newest docker-registry .deb in the cache, or undefined. */
export function registryDeb(): string | undefined {
  let names: string[] = [];
  try {
    names = fs.readdirSync(DEB_CACHE).filter((n) => /^docker-registry_.*\.deb$/.test(n));
  } catch {
    return undefined;
  }
  const newest = names.sort().at(-1);
  return newest === undefined ? undefined : path.join(DEB_CACHE, newest);
}

/** Extracts the .deb under dir (once) and writes the shared config; returns [binary, config]. */
export async function prepareRegistry(dir: string): Promise<{ bin: string; config: string }> {
  const deb = registryDeb();
  if (deb === undefined) throw new Error(`no docker-registry .deb in ${DEB_CACHE} (run 'make deps')`);
  const pkg = path.join(dir, 'pkg');
  const bin = path.join(pkg, 'usr', 'bin', 'docker-registry');
  if (!fs.existsSync(bin)) {
    fs.mkdirSync(pkg, { recursive: true });
    await run('dpkg', ['-x', deb, pkg]);
  }
  const data = path.join(dir, 'data');
  fs.mkdirSync(data, { recursive: true });
  const config = path.join(dir, 'config.yml');
  fs.writeFileSync(
    config,
    [
      'version: 0.1',
      'log:',
      '  level: warn',
      'storage:',
      '  filesystem:',
      `    rootdirectory: ${data}`,
      '  delete:',
      '    enabled: true',
      'http:',
      `  addr: 127.0.0.1:${REGISTRY_PORT}`,
      '',
    ].join('\n'),
  );
  return { bin, config };
}

/** Starts one registry in a host namespace and waits until its API answers there. */
export async function startRegistry(netns: string, bin: string, config: string, logFile: string): Promise<Daemon> {
  const d = startDaemon(`registry-${netns}`, 'ip', ['netns', 'exec', netns, bin, 'serve', config], { logFile, detached: true });
  const deadline = Date.now() + 20_000;
  for (;;) {
    const r = await runInNetns(netns, 'curl', ['-fsS', '-m', '2', `http://127.0.0.1:${REGISTRY_PORT}/v2/`], { allowFail: true, timeoutMs: 5_000 });
    if (r.code === 0) return d;
    if (!d.isRunning() || Date.now() > deadline) {
      await d.kill();
      throw new Error(`the registry in ${netns} did not answer on 127.0.0.1:${REGISTRY_PORT} (${d.isRunning() ? 'timeout' : 'exited'}):\n${tailFile(logFile)}`);
    }
    await sleep(100);
  }
}
