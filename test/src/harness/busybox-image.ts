/**
 * The `busybox:latest` image every e2e host gets: Debian's busybox-static as a
 * rootfs, built by deploy/host/busybox-image.sh (the same script `make demo`
 * uses) and imported with `docker import`, since no registry is reachable.
 */
import path from 'node:path';
import type { Dockerd } from './dockerd';
import { run } from './exec';
import { makeTempDir } from './tmp';

export const BUSYBOX_IMAGE = 'busybox:latest';
export const REPO_ROOT = path.resolve(__dirname, '../../..');
const SCRIPT = path.join(REPO_ROOT, 'deploy/host/busybox-image.sh');

let tarball: Promise<string> | undefined;

/** Builds the rootfs tarball once per test process (0.2 s; removed when the process exits). */
export function busyboxTarball(): Promise<string> {
  tarball ??= (async () => {
    const dir = await makeTempDir('contiv-busybox-');
    const file = path.join(dir.path, 'busybox.tar');
    await run(SCRIPT, ['build', file]);
    return file;
  })();
  return tarball;
}

/** Imports the image into an engine as busybox:latest (CMD sh, like the official image). */
export async function importBusybox(engine: Pick<Dockerd, 'docker'>): Promise<void> {
  const tar = await busyboxTarball();
  await engine.docker(['import', '--change', 'CMD ["sh"]', tar, BUSYBOX_IMAGE]);
}
