/**
 * What the command-line fuzz (fuzz.test.ts) found, one regression test each:
 * a netmaster message or an argument could write control sequences to the
 * terminal and span lines, a 5,000-character argument came back whole, a lone
 * surrogate in a name and a deeply nested answer were internal errors (exit 4),
 * and a redirect was followed (a loop warned on stderr; the token went along).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { terminalLine } from './output/terminal';
import { ScriptedNetmaster } from './testing/cli-fuzz';
import { cliSuite } from './testing/cli-suite';
import { runCli } from './testing/run-cli';

void describe('netctl edge cases found by fuzzing', () => {
  const { nm, run } = cliSuite();

  void it("netmaster's message is printed as one line, its control characters escaped", async () => {
    nm.on('GET', '/api/v1/inspect/networks/default:n1/', { status: 409, json: { error: { code: 'X', message: 'line one\nline two\r\n\u001b[2J\u001b[31mred\u0007' } } });
    const r = await run('network', 'inspect', 'n1');
    assert.equal(r.code, 3);
    assert.equal(r.stderr, 'line one line two \\u001b[2J\\u001b[31mred\\u0007\n');
  });

  void it('a usage error quoting a control character or a huge argument stays one short line', async () => {
    const esc = await run('network', 'create', 'n1', '-s', '10.1.1.0/24', '--bogus\u001b[31m');
    assert.equal(esc.code, 1);
    const [line, hint] = esc.stderr.split('\n');
    assert.equal(line, "error: unknown option '--bogus\\u001b[31m'");
    assert.match(hint ?? '', /^\(run 'netctl network create --help' for usage\)$/);
    const huge = await run('global', 'info', `--${'a'.repeat(5000)}`);
    assert.equal(huge.code, 1);
    assert.match(huge.stderr, /^error: unknown option '--a{57}\.\.\. \(5004 characters\)\n/);
    assert.deepEqual(nm.calls(), []);
  });

  void it('a name that is not valid Unicode is a usage error and nothing is sent', async () => {
    const r = await run('network', 'rm', '\ud800');
    assert.equal(r.code, 1);
    assert.equal(r.stderr.split('\n')[0], 'error: "default:\\ud800" is not valid Unicode text (it holds a lone surrogate)');
    assert.deepEqual(nm.calls(), []);
  });

  void it('an answer nested 100,000 deep is a bad response, not a stack overflow', async () => {
    nm.on('GET', '/api/v1/inspect/networks/default:n1/', { status: 200, json: JSON.parse(`${'['.repeat(1000)}${']'.repeat(1000)}`) as unknown });
    const r = await run('network', 'inspect', 'n1');
    assert.equal(r.code, 3);
    assert.equal(r.stderr, 'netmaster sent JSON nested more than 64 levels deep (GET /api/v1/inspect/networks/default:n1/)\n');
  });

  void it('terminalLine escapes C0/C1 controls, separators and bidi overrides, and shortens long words', () => {
    assert.equal(terminalLine('a\tb\u0000c\u009bd\u2028e\u202ef'), 'a\\tb\\u0000c\\u009bd\\u2028e\\u202ef');
    assert.equal(terminalLine('plain words, é and 😀 stay'), 'plain words, é and 😀 stay');
    assert.equal(terminalLine(`x ${'y'.repeat(300)}`), `x ${'y'.repeat(60)}... (300 characters)`);
  });

  void it('a redirect is not followed: the token stays with netmaster, the answer is one line', async () => {
    const elsewhere = new ScriptedNetmaster();
    const nmx = new ScriptedNetmaster();
    await elsewhere.listen();
    await nmx.listen();
    try {
      elsewhere.answer = { status: 200, headers: { 'content-type': 'application/json' }, body: '[]' };
      nmx.answer = { status: 302, headers: { location: `${elsewhere.url}/steal` }, body: '' };
      const r = await runCli(['network', 'ls'], { NETMASTER: nmx.url, NETCTL_TOKEN: 'secret-token' });
      assert.equal(r.code, 3);
      assert.equal(r.stderr, 'HTTP 302 Found\n');
      assert.equal(nmx.count, 1);
      assert.equal(elsewhere.count, 0);
    } finally {
      await elsewhere.close();
      await nmx.close();
    }
  });
});
