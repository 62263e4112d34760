import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BufferIo } from './io';
import { FRAMES, noProgress, terminalProgress, type ProgressStream } from './progress';
import { runNetctl } from '../run';
import { TEST_CLIENT_VERSION } from '../testing/run-cli';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const ERASE = '\r\x1b[2K';

class FakeTerminal implements ProgressStream {
  readonly writes: string[] = [];
  constructor(
    readonly isTTY: boolean,
    readonly columns = 80,
  ) {}
  write(text: string): boolean {
    this.writes.push(text);
    return true;
  }
  get text(): string {
    return this.writes.join('');
  }
}

/** A fetch that answers `json` after `ms`, recording nothing else. */
const slowFetch = (ms: number, answers: Array<{ status: number; json: unknown; headers?: Record<string, string> }>): typeof fetch =>
  (async () => {
    await sleep(ms);
    const a = answers.length > 1 ? answers.shift()! : answers[0]!;
    return new Response(JSON.stringify(a.json), { status: a.status, headers: { 'content-type': 'application/json', ...(a.headers ?? {}) } });
  }) as typeof fetch;

void describe('netctl progress', () => {
  void it('draws nothing at all when stderr is not a terminal', async () => {
    const t = new FakeTerminal(false);
    const factory = terminalProgress(t, { delayMs: 0, intervalMs: 1 });
    assert.equal(factory, noProgress);
    const p = factory('waiting');
    await sleep(20);
    p.update('still');
    p.stop();
    assert.deepEqual(t.writes, []);
  });

  void it('on a terminal: nothing for a quick wait, a spinner for a long one, its line erased at the end', async () => {
    const t = new FakeTerminal(true);
    const quick = terminalProgress(t, { delayMs: 50, intervalMs: 5 })('quick');
    quick.stop();
    await sleep(80);
    assert.deepEqual(t.writes, [], 'a wait shorter than the delay draws nothing');

    const slow = terminalProgress(t, { delayMs: 0, intervalMs: 5 })('waiting for netmaster');
    await sleep(40);
    slow.update('retrying');
    await sleep(20);
    slow.stop();
    const n = t.writes.length;
    await sleep(30);
    assert.equal(t.writes.length, n, 'nothing drawn after stop');
    assert.ok(t.text.includes(`${ERASE}${FRAMES[0]} waiting for netmaster`), JSON.stringify(t.text.slice(0, 80)));
    assert.ok(t.text.includes(`${FRAMES[1]} waiting for netmaster`), 'the frame turns');
    assert.ok(t.text.includes(' retrying'), 'updates show');
    assert.equal(t.writes.at(-1), ERASE);
  });

  void it('never wraps: text is cut to the terminal width', async () => {
    const t = new FakeTerminal(true, 30);
    const p = terminalProgress(t, { delayMs: 0, intervalMs: 1000 })('x'.repeat(100));
    await sleep(10);
    p.stop();
    const drawn = t.writes.find((w) => w.includes('x')) ?? '';
    assert.ok(drawn.replace(ERASE, '').length <= 30, drawn);
    // A terminal that reports no width (0, as under script(1)) is taken as 80 columns.
    const unknown = new FakeTerminal(true, 0);
    const q = terminalProgress(unknown, { delayMs: 0, intervalMs: 1000 })('waiting for netmaster (GET /api/v1/tenants/default/)');
    await sleep(10);
    q.stop();
    assert.ok(unknown.text.includes('waiting for netmaster (GET /api/v1/tenants/default/)'), unknown.text);
  });

  void it('netctl shows a spinner while netmaster takes its time, and stdout/stderr stay as without it', async () => {
    const t = new FakeTerminal(true);
    const io = new BufferIo();
    const code = await runNetctl(['network', 'create', 'net1', '-s', '10.1.1.0/24'], {
      io,
      env: { NETMASTER: 'http://127.0.0.1:9' },
      timeoutMs: 5000,
      clientVersion: TEST_CLIENT_VERSION,
      fetch: slowFetch(60, [{ status: 200, json: {} }]),
      progress: terminalProgress(t, { delayMs: 0, intervalMs: 10 }),
    });
    assert.equal(code, 0, io.stderr);
    assert.equal(io.stdout, 'Creating network default:net1\n');
    assert.equal(io.stderr, '');
    assert.match(t.text, /waiting for netmaster \(POST \/api\/v1\/networks\/default:net1\/\)/);
    assert.equal(t.writes.at(-1), ERASE);
  });

  void it('during a failover the note goes on a clean line and the spinner says it retries', async () => {
    const t = new FakeTerminal(true);
    const io = new BufferIo();
    const notLeader = { status: 503, json: { error: { code: 'NOT_LEADER', message: 'no netmaster leads right now' } }, headers: { 'retry-after': '0' } };
    const code = await runNetctl(['tenant', 'create', 'blue'], {
      io: { out: (s) => io.out(s), err: (s) => (t.write(`[stderr]${s}`), io.err(s)) },
      env: { NETMASTER: 'http://127.0.0.1:9' },
      timeoutMs: 5000,
      clientVersion: TEST_CLIENT_VERSION,
      fetch: slowFetch(30, [notLeader, notLeader, { status: 200, json: {} }]),
      progress: terminalProgress(t, { delayMs: 0, intervalMs: 10 }),
    });
    assert.equal(code, 0, io.stderr);
    assert.match(t.text, /retrying \(POST \/api\/v1\/tenants\/blue\/, attempt 2\)/);
    const note = t.writes.findIndex((w) => w.startsWith('[stderr]netctl: '));
    assert.ok(note > 0 && t.writes[note - 1] === ERASE, 'the spinner line is erased before the note');
  });
});
