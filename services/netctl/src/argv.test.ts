import assert from 'node:assert/strict';
import { test } from 'node:test';
import { normaliseArgv } from './argv';
import { BufferIo } from './output/io';
import { buildProgram } from './program';

const norm = (...args: string[]): string[] => normaliseArgv(buildProgram({ io: new BufferIo() }), args);

void test('multi-character short flags -s6 and -g6 become their long names', () => {
  assert.deepEqual(norm('network', 'create', 'n', '-s6', '2001:db8::/64', '-g6', '2001:db8::1'), [
    'network',
    'create',
    'n',
    '--subnetv6',
    '2001:db8::/64',
    '--gatewayv6',
    '2001:db8::1',
  ]);
});

void test('aliases work with one or two dashes and with =value', () => {
  assert.deepEqual(norm('net', 'create', '--tag=t1', 'n'), ['net', 'create', '--nw-tag=t1', 'n']);
  assert.deepEqual(norm('net', 'create', '-tag', 't1', 'n'), ['net', 'create', '--nw-tag', 't1', 'n']);
  assert.deepEqual(norm('group', 'create', '--tag', 't1', 'n', 'g'), ['group', 'create', '--epg-tag', 't1', 'n', 'g']);
});

void test('Go-style single-dash long flags are accepted', () => {
  assert.deepEqual(norm('network', 'ls', '-tenant', 'blue'), ['network', 'ls', '--tenant', 'blue']);
  assert.deepEqual(norm('-netmaster', 'http://h:1', 'tenant', 'ls'), ['--netmaster', 'http://h:1', 'tenant', 'ls']);
  assert.deepEqual(norm('network', 'ls', '-netmaster=http://h:1'), ['network', 'ls', '--netmaster=http://h:1']);
});

void test('values of value-taking flags are never rewritten', () => {
  assert.deepEqual(norm('network', 'create', '-t', '-s6', 'n'), ['network', 'create', '-t', '-s6', 'n']);
});

void test('plain short flags, attached values and everything after -- are left alone', () => {
  assert.deepEqual(norm('network', 'create', '-tblue', '-s', '1.1.1.0/24', 'n', '--', '-s6'), [
    'network',
    'create',
    '-tblue',
    '-s',
    '1.1.1.0/24',
    'n',
    '--',
    '-s6',
  ]);
});

void test('aliases of one command do not leak into another', () => {
  assert.deepEqual(norm('network', 'ls', '-s6'), ['network', 'ls', '-s6']);
});
