import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runDaemon, type Daemon, type DaemonHost, type DaemonSpec } from './daemon';
import type { CreateLoggerOptions } from './log';
import type { LogMeta, Logger } from './logger';

interface TestConfig {
  readonly debug: boolean;
  readonly logDir: string;
  readonly name: string;
}

class UsageError extends Error {}

interface LogLine {
  level: string;
  message: string;
  meta?: LogMeta;
}

/** A process that records what the daemon writes, its exits and its signal handlers. */
class FakeHost implements DaemonHost {
  out = '';
  err = '';
  readonly exits: number[] = [];
  readonly lines: LogLine[] = [];
  loggerOptions: CreateLoggerOptions | undefined;
  private readonly handlers = new Map<string, () => void>();
  private exited: (code: number) => void = () => undefined;
  /** The first exit code. */
  readonly exit$ = new Promise<number>((resolve) => (this.exited = resolve));

  constructor(
    readonly argv: readonly string[],
    readonly env: Record<string, string> = {},
  ) {}

  stdout(text: string): void {
    this.out += text;
  }
  stderr(text: string): void {
    this.err += text;
  }
  exit(code: number): void {
    this.exits.push(code);
    this.exited(code);
  }
  onSignal(signal: 'SIGINT' | 'SIGTERM', handler: () => void): void {
    this.handlers.set(signal, handler);
  }
  signal(signal: 'SIGINT' | 'SIGTERM'): void {
    const h = this.handlers.get(signal);
    assert.ok(h, `no ${signal} handler`);
    h();
  }
  createLogger(opts: CreateLoggerOptions): Logger {
    this.loggerOptions = opts;
    const record =
      (level: string) =>
      (message: string, meta?: LogMeta): void => {
        this.lines.push({ level, message, ...(meta ? { meta } : {}) });
      };
    const logger: Logger = { error: record('error'), warn: record('warn'), info: record('info'), debug: record('debug'), child: () => logger };
    return logger;
  }
  messages(): string[] {
    return this.lines.map((l) => l.message);
  }
}

/** A daemon whose start and stop finish when the test says so. */
class ControlledDaemon implements Daemon {
  readonly calls: string[] = [];
  private startDone: (err?: Error) => void = () => undefined;
  private stopDone: (err?: Error) => void = () => undefined;
  start(): Promise<void> {
    this.calls.push('start');
    return new Promise((resolve, reject) => (this.startDone = (err) => (err ? reject(err) : resolve())));
  }
  stop(): Promise<void> {
    this.calls.push('stop');
    return new Promise((resolve, reject) => (this.stopDone = (err) => (err ? reject(err) : resolve())));
  }
  finishStart(err?: Error): void {
    this.startDone(err);
  }
  finishStop(err?: Error): void {
    this.stopDone(err);
  }
}

const USAGE = 'usage: testd [--name NAME] [--debug]';

function spec(daemon: Daemon = new ControlledDaemon()): DaemonSpec<TestConfig> {
  return {
    service: 'testd',
    command: 'contiv-testd',
    usage: USAGE,
    loadConfig(argv) {
      if (argv.includes('--help')) return 'help';
      if (argv.includes('-h')) throw new UsageError('');
      if (argv.includes('--crash')) throw new Error('config reader broke');
      const bad = argv.filter((a) => !['--debug', '--name', 'n1'].includes(a));
      if (bad.length > 0) throw new UsageError(bad.map((a) => `unknown flag ${a}`).join('|'));
      return { debug: argv.includes('--debug'), logDir: '/tmp/testd-logs', name: 'n1' };
    },
    usageProblems: (err) => (err instanceof UsageError ? err.message.split('|').filter(Boolean) : undefined),
    create(config, log) {
      log.info('Starting testd', { name: config.name });
      return daemon;
    },
  };
}

/** A daemon whose start has finished, and its process. */
async function started(argv: readonly string[] = []): Promise<{ host: FakeHost; daemon: ControlledDaemon }> {
  const host = new FakeHost(argv);
  const daemon = new ControlledDaemon();
  const running = runDaemon(spec(daemon), host);
  daemon.finishStart();
  await running;
  return { host, daemon };
}

/** Lets the promise callbacks queued by the code under test run. */
const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

test('--help prints the usage on stdout and exits 0 without starting anything', async () => {
  for (const flag of ['--help', '-h']) {
    const host = new FakeHost([flag]);
    const daemon = new ControlledDaemon();
    await runDaemon(spec(daemon), host);
    assert.deepEqual(host.exits, [0]);
    assert.equal(host.out, `${USAGE}\n`);
    assert.equal(host.err, '');
    assert.deepEqual(daemon.calls, []);
    assert.equal(host.loggerOptions, undefined);
  }
});

test('a bad command line prints each problem and the usage on stderr and exits 1', async () => {
  const host = new FakeHost(['--bogus', '--other']);
  await runDaemon(spec(), host);
  assert.deepEqual(host.exits, [1]);
  assert.equal(host.err, `contiv-testd: unknown flag --bogus\ncontiv-testd: unknown flag --other\n${USAGE}\n`);
  assert.equal(host.out, '');
});

test('an error that is not a usage problem is fatal: stack on stderr, exit 1', async () => {
  const host = new FakeHost(['--crash']);
  await runDaemon(spec(), host);
  assert.deepEqual(host.exits, [1]);
  assert.match(host.err, /^contiv-testd: Error: config reader broke\n {4}at /);
});

test('starts with a logger named after the service at the configured level', async () => {
  const { host, daemon } = await started(['--debug']);
  assert.deepEqual(host.loggerOptions, { service: 'testd', level: 'debug', logDir: '/tmp/testd-logs' });
  assert.deepEqual(host.lines, [{ level: 'info', message: 'Starting testd', meta: { name: 'n1' } }]);
  assert.deepEqual(daemon.calls, ['start']);
  assert.deepEqual(host.exits, [], 'a started daemon keeps running');
});

test('a failed start is printed on stderr and exits 1', async () => {
  const host = new FakeHost([]);
  const daemon = new ControlledDaemon();
  const running = runDaemon(spec(daemon), host);
  daemon.finishStart(new Error('cannot bind'));
  await running;
  assert.deepEqual(host.exits, [1]);
  assert.match(host.err, /^contiv-testd: Error: cannot bind\n/);
});

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  test(`${signal} stops the daemon, logs it and exits 0 once stop has finished`, async () => {
    const { host, daemon } = await started();
    host.signal(signal);
    assert.deepEqual(daemon.calls, ['start', 'stop']);
    assert.deepEqual(host.lines.at(-1), { level: 'info', message: 'Stopping testd', meta: { signal } });
    await settle();
    assert.deepEqual(host.exits, [], 'no exit before stop has finished');
    daemon.finishStop();
    assert.equal(await host.exit$, 0);
    assert.deepEqual(host.exits, [0]);
  });
}

test('a failed stop is logged and exits 1', async () => {
  const { host, daemon } = await started();
  host.signal('SIGTERM');
  daemon.finishStop(new Error('socket busy'));
  assert.equal(await host.exit$, 1);
  const last = host.lines.at(-1);
  assert.equal(last?.message, 'Unclean shutdown');
  assert.equal(last?.level, 'error');
  assert.match(String((last?.meta?.['err'] as Error).message), /socket busy/);
});

test('a second signal while stopping exits 1 at once without a second stop', async () => {
  const { host, daemon } = await started();
  host.signal('SIGTERM');
  host.signal('SIGINT');
  assert.deepEqual(host.exits, [1]);
  assert.deepEqual(daemon.calls, ['start', 'stop']);
  assert.deepEqual(host.lines.at(-1), { level: 'warn', message: 'Second signal while stopping; exiting now', meta: { signal: 'SIGINT' } });
});

test('a signal during start stops the daemon; the start it cuts short is not reported as a failure', async () => {
  const host = new FakeHost([]);
  const daemon = new ControlledDaemon();
  const running = runDaemon(spec(daemon), host);
  host.signal('SIGTERM');
  assert.deepEqual(daemon.calls, ['start', 'stop']);
  daemon.finishStop();
  daemon.finishStart(new Error('stopped while connecting'));
  await running;
  assert.equal(await host.exit$, 0);
  assert.deepEqual(host.exits, [0]);
  assert.equal(host.err, '');
});
