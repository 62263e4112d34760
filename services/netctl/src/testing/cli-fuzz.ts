/**
 * Property-based fuzzing of netctl's command line (docs/testing.md,
 * "Fuzzing"): real commands with hostile arguments and flag values, and real
 * commands against a netmaster that answers garbage. For every run:
 *
 * - exit 0, 1 (usage) or 3 (request failed): never 4 (internal error) or a crash;
 * - a failure prints one line on stderr (a usage error may add commander's
 *   `(run 'netctl ... --help' for usage)` hint), with no control characters
 *   (a name or a server message must not write escape sequences to the
 *   terminal), at most MAX_LINE characters;
 * - exit 1 sent nothing to netmaster; a failure left the store as it was
 *   (`snapshot`, when the target has one).
 *
 * In-process against a scripted server in src/fuzz.test.ts, the real binary
 * against the real netmaster in test/src/integration/fuzz.itest.ts and in
 * `make bench`.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { checkProperty, formatReports as formatCommon, newCounters, type FuzzCounters, type FuzzRunOptions, type PropertyReport } from '@contiv/testkit';
import fc from 'fast-check';

export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export interface CliFuzzTarget {
  /** Runs netctl with these arguments against the target's netmaster. */
  run(args: readonly string[]): Promise<CliRun>;
  /** Requests netmaster has received so far. */
  requests(): number;
  /** Opaque store state a failed command must leave as it was; none: not checked. */
  snapshot?(): Promise<string>;
  /** The scripted server of the `responses` property (in-process runs only). */
  readonly server?: ScriptedNetmaster;
}

export const CLI_PROPERTIES = ['argv', 'responses'] as const;
export type CliProperty = (typeof CLI_PROPERTIES)[number];

export const MAX_LINE = 2048;
const USAGE_HINT = /^\(run 'netctl[^']*--help' for usage\)$/;

// ---------------------------------------------------------------------------
// A netmaster that answers what the current case says.

export interface ScriptedAnswer {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string | Buffer;
}

export class ScriptedNetmaster {
  answer: ScriptedAnswer = { status: 409, headers: { 'content-type': 'application/json' }, body: '{"error":{"code":"IN_USE","message":"refused by the fuzz server"}}' };
  count = 0;
  url = '';
  private readonly server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      this.count++;
      res.writeHead(this.answer.status, { ...this.answer.headers });
      res.end(this.answer.body);
    });
  });

  async listen(): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

// ---------------------------------------------------------------------------
// Inputs.

/** Strings a user (or a script fed hostile data) may pass as an argument. */
const SPECIAL = [
  '', ' ', '-', '--', '-x', '--nosuch', '-h', '--help', '=', '..', '../..', '%2e%2e', '/', 'a/b', 'a:b', ':', '\\', '\u0000', 'a\nb', '\r', '\t',
  '\u001b[31mred\u001b[0m', '\u001b]0;title\u0007', '\u009b31m', '\u0008', '\u202e', '\u2028', '\ufeff', '😀', 'é', '\ud800', '__proto__', 'constructor',
  'null', '0', '-1', '1e999', '4096', '65536', '99999999999999999999', '10.1.1.0/33', '10.1.1.1', '300.1.1.1/24', 'default', 'A'.repeat(65), 'a'.repeat(5000),
];

const hostileArg: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...SPECIAL) },
  { weight: 2, arbitrary: fc.string({ unit: 'grapheme', maxLength: 16 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 16 }) },
  { weight: 3, arbitrary: fc.stringMatching(/^[a-z][a-z0-9-]{0,8}$/) },
  { weight: 1, arbitrary: fc.constantFrom('10.1.1.0/24', '10.1.1.254', '10.1.1.10-10.1.1.20', '1-4094', 'tcp', 'in', 'allow', '10Mbps', '46', '100') },
);

/** Commands and the flags each takes (from `netctl <cmd> --help`). */
const COMMANDS: ReadonlyArray<{ words: string[]; args: number; flags: string[] }> = [
  { words: ['network', 'create'], args: 1, flags: ['-t', '-n', '-e', '-p', '-s', '-g', '--subnetv6', '-s6', '-g6', '--tag', '--nw-tag'] },
  { words: ['net', 'rm'], args: 1, flags: ['-t'] },
  { words: ['network', 'inspect'], args: 1, flags: ['-t'] },
  { words: ['network', 'ls'], args: 0, flags: ['-t', '-a', '-j', '-q'] },
  { words: ['group', 'create'], args: 2, flags: ['-t', '-p', '-n', '-e', '-r', '--tag', '--epg-tag'] },
  { words: ['group', 'rm'], args: 1, flags: ['-t'] },
  { words: ['group', 'inspect'], args: 1, flags: ['-t'] },
  { words: ['policy', 'create'], args: 1, flags: ['-t'] },
  { words: ['policy', 'rule-add'], args: 2, flags: ['-t', '-p', '-d', '-g', '-e', '-n', '-o', '-i', '-s', '-l', '-P', '-j'] },
  { words: ['policy', 'rule-rm'], args: 2, flags: ['-t'] },
  { words: ['policy', 'rule-ls'], args: 1, flags: ['-t', '-j'] },
  { words: ['policy', 'trace'], args: 2, flags: ['-t', '-l', '-P', '-j'] },
  { words: ['tenant', 'create'], args: 1, flags: [] },
  { words: ['tenant', 'rm'], args: 1, flags: [] },
  { words: ['tenant', 'inspect'], args: 1, flags: [] },
  { words: ['netprofile', 'create'], args: 1, flags: ['-t', '-b', '-d', '-s'] },
  { words: ['netprofile', 'rm'], args: 1, flags: ['-t'] },
  { words: ['app-profile', 'create'], args: 1, flags: ['-t', '-g'] },
  { words: ['app-profile', 'update'], args: 1, flags: ['-t', '-g'] },
  { words: ['external-contracts', 'create'], args: 1, flags: ['-t', '-c', '-p', '-a'] },
  { words: ['global', 'set'], args: 0, flags: ['-f', '-v', '-x', '-b', '-a', '-s'] },
  { words: ['global', 'info'], args: 0, flags: ['-j'] },
  { words: ['endpoint', 'inspect'], args: 1, flags: [] },
  { words: ['version'], args: 0, flags: [] },
];

/** The tenant a real-netmaster run works in (created by the caller), so that a success changes only it. */
export const CLI_FUZZ_TENANT = 'fzcli';

interface Case {
  readonly label: string;
  readonly args: readonly string[];
  /** The scripted answer (responses property). */
  readonly answer?: ScriptedAnswer;
}

const plainName = fc.stringMatching(/^[a-z][a-z0-9]{0,6}$/);
const plainValue = fc.constantFrom('10.77.1.0/24', '10.77.1.254', '10.77.1.10-10.77.1.20', 'vxlan', 'vlan', 'tcp', 'in', 'out', 'allow', 'deny', '80', '5', '10Mbps', '46', 'data');

/** A command as a user would type it, with plain names and values: these reach netmaster. */
function plainCase(): fc.Arbitrary<Case> {
  return fc.constantFrom(...COMMANDS).chain((cmd) =>
    fc
      .record({
        args: fc.array(plainName, { minLength: cmd.args, maxLength: cmd.args }),
        flags: fc.array(fc.tuple(fc.constantFrom(...cmd.flags, '-t'), plainValue), { maxLength: 2 }),
      })
      .map(({ args, flags }) => {
        const f = flags.filter(([k]) => k !== '-t').flat();
        return { label: `argv/plain ${cmd.words.join(' ')}`, args: [...cmd.words, ...(cmd.flags.includes('-t') ? ['-t', CLI_FUZZ_TENANT] : []), ...f, ...args] };
      }),
  );
}

function argvCase(): fc.Arbitrary<Case> {
  return fc.oneof({ weight: 3, arbitrary: hostileArgvCase() }, { weight: 1, arbitrary: plainCase() });
}

function hostileArgvCase(): fc.Arbitrary<Case> {
  return fc.constantFrom(...COMMANDS).chain((cmd) =>
    fc
      .record({
        args: fc.array(hostileArg, { minLength: Math.max(0, cmd.args - 1), maxLength: cmd.args + 1 }),
        flags: fc.array(fc.tuple(fc.constantFrom(...cmd.flags, '-t', '--nosuch', '-Z'), hostileArg, fc.constantFrom('sep', 'eq', 'bare')), { maxLength: 4 }),
        // Most runs stay in the fuzz tenant, so that a command that succeeds against a real netmaster touches only it.
        tenant: fc.oneof({ weight: 4, arbitrary: fc.constant(CLI_FUZZ_TENANT) }, { weight: 1, arbitrary: hostileArg }),
        global: fc.constantFrom<string[]>([], [], ['--netmaster', 'http://[::1'], ['--netmaster', 'ftp://x'], ['--netmaster', ''], ['--bogus']),
        words: fc.constantFrom<'as-is' | 'upper' | 'missing'>('as-is', 'as-is', 'as-is', 'upper', 'missing'),
      })
      .map(({ args, flags, tenant, global, words }) => {
        const w = words === 'upper' ? cmd.words.map((x) => x.toUpperCase()) : words === 'missing' ? cmd.words.slice(0, 1) : cmd.words;
        const flagTokens = flags.flatMap(([f, v, how]) => (how === 'sep' ? [f, v] : how === 'eq' ? [`${f}=${v}`] : [f]));
        const tenantFlag = cmd.flags.includes('-t') ? ['-t', tenant] : [];
        return { label: `argv/${cmd.words.join(' ')}`, args: [...global, ...w, ...tenantFlag, ...flagTokens, ...args] };
      }),
  );
}

const hostileBodies = fc.oneof(
  fc.constantFrom(
    '',
    '{',
    'null',
    '[]',
    '{}',
    '[1,2]',
    '"just a string"',
    '<html><body>502 Bad Gateway</body></html>',
    '{"error":"x"}',
    '{"error":{"code":"X","message":"line one\\nline two\\r\\n\\u001b[2J\\u001b[31mred"}}',
    '{"error":{"message":42}}',
    '{"message":"\\u0000\\u0007\\u009b"}',
    'panic: runtime error\ngoroutine 1 [running]:\nmain.main()\n\t/x.go:1 +0x1',
    '\u001b[2J\u001b[Hclear screen',
    `{"error":{"message":"${'A'.repeat(100_000)}"}}`,
    `${'['.repeat(100_000)}${']'.repeat(100_000)}`,
    '{"key":"x","networkName":{"a":1},"subnet":7}',
    '[{"key":1},{"tenantName":null},"x",null]',
    '{"Config":null,"Oper":"x"}',
    '{"Config":{"key":"\\u001b[31m"},"Oper":{"endpoints":"notalist"}}',
  ),
  fc.string({ unit: 'binary', maxLength: 200 }),
  fc.uint8Array({ maxLength: 200 }).map((b) => Buffer.from(b).toString('latin1')),
);

function responsesCase(): fc.Arbitrary<Case> {
  const commands = fc.constantFrom<string[]>(
    ['network', 'ls'],
    ['network', 'ls', '-a'],
    ['network', 'inspect', 'n1'],
    ['network', 'create', 'n1', '-s', '10.1.1.0/24'],
    ['net', 'rm', 'n1'],
    ['group', 'inspect', 'g1'],
    ['group', 'ls', '-a'],
    ['policy', 'rule-ls', 'p1'],
    ['policy', 'trace', 'a', 'b'],
    ['tenant', 'ls'],
    ['tenant', 'inspect', 'default'],
    ['global', 'info'],
    ['global', 'set', '-v', '1-100'],
    ['endpoint', 'inspect', 'abc'],
    ['version'],
    ['app-profile', 'group-ls', 'a1'],
    ['netprofile', 'ls'],
  );
  return fc
    .record({
      args: commands,
      status: fc.constantFrom(200, 200, 201, 204, 301, 400, 404, 409, 418, 500, 502),
      type: fc.constantFrom('application/json', 'text/plain; charset=utf-8', 'text/html', 'application/octet-stream', 'application/json; charset=latin1'),
      body: hostileBodies,
    })
    .map(({ args, status, type, body }) => ({
      label: `responses/${args.slice(0, 2).join(' ')} <- ${status}`,
      args,
      answer: { status, headers: { 'content-type': type, ...(status === 301 ? { location: '/elsewhere' } : {}) }, body: status === 204 ? '' : body },
    }));
}

// ---------------------------------------------------------------------------
// Judging.

// C0 and C1 controls and DEL; a newline ends a line and is checked apart.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/;

function judge(c: Case, r: CliRun, sent: number, changed: string | undefined): string | undefined {
  if (r.code !== 0 && r.code !== 1 && r.code !== 3) return `exit ${r.code}: ${r.stderr.slice(0, 500)}`;
  if (r.code === 0) return undefined;
  if (!r.stderr.endsWith('\n')) return `exit ${r.code} with stderr not ending in a newline: ${JSON.stringify(r.stderr.slice(0, 300))}`;
  const lines = r.stderr.slice(0, -1).split('\n');
  const [first = '', ...rest] = lines;
  // A command group without its subcommand (`netctl network`) prints its help, as Contiv's netctl did.
  if (r.code === 1 && first.startsWith('Usage: netctl')) return sent > 0 ? `help printed after ${sent} request(s)` : undefined;
  if (first.trim() === '') return `exit ${r.code} with an empty error line: ${JSON.stringify(r.stderr.slice(0, 300))}`;
  // A failover note (a 503 retried) may come first; the scripted server never sends NOT_LEADER.
  if (rest.length > 1 || (rest.length === 1 && !USAGE_HINT.test(rest[0] ?? ''))) return `exit ${r.code} with ${lines.length} lines on stderr: ${JSON.stringify(r.stderr.slice(0, 600))}`;
  if (CONTROL.test(first) || /[\u2028\u2029\u0085]/.test(first)) return `a control character on stderr: ${JSON.stringify(first.slice(0, 300))}`;
  if (first.length > MAX_LINE) return `an error line of ${first.length} characters: ${JSON.stringify(first.slice(0, 200))}...`;
  if (/internal error/.test(first)) return `an internal error: ${first.slice(0, 300)}`;
  if (r.code === 1 && sent > 0) return `a usage error (${first.slice(0, 200)}) after ${sent} request(s) to netmaster`;
  if (changed) return `exit ${r.code} (${first.slice(0, 200)}), but the store changed: ${changed}`;
  void c;
  return undefined;
}

async function checkCase(target: CliFuzzTarget, c: Case, n: FuzzCounters): Promise<void> {
  if (c.answer) {
    if (!target.server) throw new Error('the responses property needs a scripted server');
    target.server.answer = c.answer;
  }
  const before = await target.snapshot?.();
  const sentBefore = target.requests();
  const started = Date.now();
  const r = await target.run(c.args);
  const ms = Date.now() - started;
  if (!n.slowest || ms > n.slowest.ms) n.slowest = { label: c.label, ms };
  const sent = target.requests() - sentBefore;
  n.requests += sent;
  if (r.code === 0) n.accepted++;
  else n.refused++;
  const after = await target.snapshot?.();
  // A success may change the store (what the command said it did); a failure may not.
  const changed = r.code !== 0 && before !== after ? 'store snapshot differs' : undefined;
  let problem = judge(c, r, sent, changed);
  if (!problem && c.answer && r.code === 0 && (c.answer.status < 200 || c.answer.status > 299)) problem = `exit 0 although netmaster answered ${c.answer.status}`;
  if (problem) throw new Error(`${problem}\nargv: ${JSON.stringify(c.args).slice(0, 800)}${c.answer ? `\nanswer: ${c.answer.status} ${JSON.stringify(String(c.answer.body).slice(0, 300))}` : ''}`);
}

const CASES: Record<CliProperty, () => fc.Arbitrary<Case>> = { argv: argvCase, responses: responsesCase };

export async function runCliFuzz(target: CliFuzzTarget, opts: FuzzRunOptions & { readonly only?: readonly CliProperty[] }): Promise<PropertyReport[]> {
  const reports: PropertyReport[] = [];
  for (const name of opts.only ?? (target.server ? CLI_PROPERTIES : (['argv'] as const))) {
    const n = newCounters();
    reports.push(await checkProperty(`netctl.${name}`, fc.asyncProperty(CASES[name](), (c) => checkCase(target, c, n)), n, opts));
  }
  return reports;
}

/** One line per property (an accepted case is a netctl that exited 0), and the replay recipe of a failure. */
export function formatReports(reports: readonly PropertyReport[]): string {
  return formatCommon(reports, 'exit 0');
}
