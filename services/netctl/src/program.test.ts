import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Command } from 'commander';
import { BufferIo } from './output/io';
import { buildProgram } from './program';
import { runCli } from './testing/run-cli';

function walk(cmd: Command, path: string[] = []): { cmd: Command; path: string[] }[] {
  return [{ cmd, path }, ...cmd.commands.flatMap((sub) => walk(sub, [...path, sub.name()]))];
}

const tree = walk(buildProgram({ io: new BufferIo() }));

void test('the issue-2 command tree is all there', () => {
  const paths = tree.map((t) => t.path.join(' ')).filter((p) => p !== '');
  for (const p of [
    'tenant create', 'tenant rm', 'tenant inspect', 'tenant ls',
    'network create', 'network rm', 'network inspect', 'network ls',
    'group create', 'group rm', 'group inspect', 'group ls',
    'global info', 'global inspect', 'global set',
    'endpoint inspect', 'version',
  ]) {
    assert.ok(paths.includes(p), p);
  }
});

void test('every command and option says what it does', () => {
  for (const { cmd, path } of tree) {
    assert.notEqual(cmd.description(), '', `${path.join(' ')} has no description`);
    for (const opt of cmd.options) assert.notEqual(opt.description, '', `${path.join(' ')} ${opt.flags}`);
  }
});

void test('--help works on every level, exits 0, and shows an example', async () => {
  for (const { path } of tree) {
    const r = await runCli([...path, '--help'], {});
    assert.equal(r.code, 0, path.join(' '));
    assert.match(r.stdout, /^Usage: netctl/, path.join(' '));
    assert.match(r.stdout, /\nExamples:\n {2}\$ netctl /, path.join(' '));
  }
});
