/**
 * docs/errors.md and the error-code unions in every package's src/errors.ts
 * must list the same codes (fastify keeps its error registry in step the same way).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';

const root = path.resolve(__dirname, '../../..');

function errorSources(): string[] {
  const out: string[] = [];
  for (const group of ['packages', 'services']) {
    for (const name of fs.readdirSync(path.join(root, group))) {
      // rpc's codes are the ErrorCode enum of errors.proto, not a union.
      const file = name === 'rpc' && group === 'packages' ? path.join(root, 'proto/contiv/rpc/v1/errors.proto') : path.join(root, group, name, 'src', 'errors.ts');
      if (fs.existsSync(file)) out.push(file);
    }
  }
  return out;
}

/** The string members of every `type XxxErrorCode = ...` union in a file. */
function codesIn(file: string): string[] {
  if (file.endsWith('.proto')) {
    const proto = fs.readFileSync(file, 'utf8');
    return [...proto.matchAll(/^\s*([A-Z][A-Z0-9_]+) = \d+;/gm)].map((m) => m[1] as string).filter((c) => c !== 'ERROR_CODE_UNSPECIFIED');
  }
  // Comments may hold ';' and quotes: drop them before reading the unions.
  const src = fs.readFileSync(file, 'utf8').replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/.*$/gm, '');
  const codes: string[] = [];
  for (const m of src.matchAll(/export type \w*ErrorCode\s*=([^;]*);/g)) {
    for (const c of (m[1] ?? '').matchAll(/'([A-Z][A-Z0-9_]+)'/g)) codes.push(c[1] as string);
  }
  return codes;
}

describe('docs/errors.md', () => {
  const doc = fs.readFileSync(path.join(root, 'docs/errors.md'), 'utf8');
  const documented = new Set([...doc.matchAll(/^\| `([A-Z][A-Z0-9_]+)` \|/gm)].map((m) => m[1] as string));
  const sources = errorSources();

  it('finds the error sources', () => {
    assert.ok(sources.length >= 6, `only ${sources.length} errors.ts files found`);
  });

  it('documents every code the packages define', () => {
    const missing = sources.flatMap((f) => codesIn(f).filter((c) => !documented.has(c)).map((c) => `${c} (${path.relative(root, f)})`));
    assert.deepEqual(missing, []);
  });

  it('documents no code that no package defines', () => {
    const defined = new Set(sources.flatMap(codesIn));
    assert.deepEqual([...documented].filter((c) => !defined.has(c)), []);
  });
});
