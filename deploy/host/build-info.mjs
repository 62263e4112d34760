#!/usr/bin/env node
// Prints build-info.json for `make build`: what @contiv/runtime's buildInfo()
// reports as `GET /version` and `netctl version`.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const { version } = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));

function git(...args) {
  try {
    return execFileSync('git', ['-C', root, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return '';
  }
}

// A tarball without .git (or a machine without git) still builds.
let gitCommit = git('rev-parse', '--short=12', 'HEAD') || 'unknown';
if (gitCommit !== 'unknown' && git('status', '--porcelain', '--untracked-files=no') !== '') gitCommit += '-dirty';

process.stdout.write(JSON.stringify({ version, gitCommit, buildTime: new Date().toISOString() }, null, 2) + '\n');
