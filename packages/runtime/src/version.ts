import fs from 'node:fs';
import path from 'node:path';

/** What `GET /version` and `netctl version` report. */
export interface BuildInfo {
  version: string;
  gitCommit: string;
  buildTime: string;
}

let cached: BuildInfo | undefined;

/**
 * Reads `build-info.json` written by `make build` at the repository (or plugin
 * rootfs) top; falls back to this package's version when it is absent.
 */
export function buildInfo(): BuildInfo {
  if (cached) return cached;
  const here = __dirname;
  const candidates = [path.resolve(here, '../../../build-info.json'), path.resolve(here, '../../build-info.json')];
  for (const file of candidates) {
    try {
      const raw = JSON.parse(fs.readFileSync(file, 'utf8')) as Partial<BuildInfo>;
      if (typeof raw.version === 'string') {
        cached = { version: raw.version, gitCommit: String(raw.gitCommit ?? 'unknown'), buildTime: String(raw.buildTime ?? 'unknown') };
        return cached;
      }
    } catch {
      // not there: try the next place
    }
  }
  const pkg = JSON.parse(fs.readFileSync(path.resolve(here, '../package.json'), 'utf8')) as { version: string };
  cached = { version: pkg.version, gitCommit: 'unknown', buildTime: 'unknown' };
  return cached;
}
