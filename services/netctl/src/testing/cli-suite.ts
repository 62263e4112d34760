/**
 * The setup every command test file shares: one FakeNetmaster for the file
 * (listening before its first test, closed after the last, emptied before
 * each) and `run`, netctl in-process against it.
 */
import { after, before, beforeEach } from 'node:test';
import { FakeNetmaster } from './fake-netmaster';
import type { CliResult } from './run-cli';
import { runCli } from './run-cli';

export interface CliSuite {
  nm: FakeNetmaster;
  run: (...args: string[]) => Promise<CliResult>;
}

/** Call once at the top of a test file: it registers the file's hooks. */
export function cliSuite(): CliSuite {
  const nm = FakeNetmaster.create();
  before(() => nm.listen());
  after(() => nm.close());
  beforeEach(() => nm.reset());
  return { nm, run: (...args) => runCli(args, { NETMASTER: nm.url }) };
}
