/**
 * The entry-point wiring the three daemons share: command line -> logger ->
 * start -> SIGINT/SIGTERM -> graceful stop -> exit. Each service's main.ts
 * only says what its config, logger name and start-up are.
 */
import { processEnv, type Env } from './config';
import { createLogger, type CreateLoggerOptions } from './log';
import type { Logger } from './logger';

/** Exit status of a bad command line (netctl's too) and of a failed start or stop. */
const EXIT_USAGE = 1;
const EXIT_FAILURE = 1;

/** What a daemon's config must carry for its logger. */
export interface DaemonConfig {
  readonly debug: boolean;
  readonly logDir: string;
}

/** A started (or starting) daemon. */
export interface Daemon {
  start(): Promise<void>;
  /**
   * Releases everything. May be called while start() is still running (a
   * signal during start-up): it then releases what start has made so far.
   */
  stop(): Promise<void>;
}

export interface DaemonSpec<C extends DaemonConfig> {
  /** Log file name (`<logDir>/<service>.log`) and the name in log lines. */
  readonly service: string;
  /** Prefix of stderr lines: the name the user typed. Default: `service`. */
  readonly command?: string;
  readonly usage: string;
  /** Reads argv and env; 'help' for --help; throws on a bad command line. */
  loadConfig(argv: readonly string[], env: Env): C | 'help';
  /**
   * The problems of a bad command line when `err` is one (an empty list asks
   * for the usage text, like --help); undefined for any other error.
   */
  usageProblems(err: unknown): readonly string[] | undefined;
  /** Builds the daemon; signals stop it from here on. Logs its own start line. */
  create(config: C, log: Logger): Daemon;
}

/** The process as runDaemon sees it; tests hand in a recording one. */
export interface DaemonHost {
  readonly argv: readonly string[];
  readonly env: Env;
  stdout(text: string): void;
  stderr(text: string): void;
  /** Ends the process (in tests: records the code and returns). */
  exit(code: number): void;
  onSignal(signal: 'SIGINT' | 'SIGTERM', handler: () => void): void;
  createLogger(opts: CreateLoggerOptions): Logger;
}

export function processHost(): DaemonHost {
  return {
    argv: process.argv.slice(2),
    env: processEnv(),
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    exit: (code) => process.exit(code),
    onSignal: (signal, handler) => process.on(signal, handler),
    createLogger,
  };
}

const withNewline = (text: string): string => (text.endsWith('\n') ? text : `${text}\n`);

const describeError = (err: unknown): string => (err instanceof Error ? (err.stack ?? err.message) : String(err));

/**
 * Runs a daemon until a signal stops it. Bad flags: the problems and the usage
 * on stderr, exit 1; --help: the usage on stdout, exit 0. The first SIGINT or
 * SIGTERM stops it gracefully (exit 0, or 1 when stop fails); a second one
 * while it stops exits 1 at once. A failed start is printed on stderr, exit 1.
 * Resolves once start() has settled or the process was told to exit.
 */
export async function runDaemon<C extends DaemonConfig>(spec: DaemonSpec<C>, host: DaemonHost = processHost()): Promise<void> {
  const command = spec.command ?? spec.service;
  const fail = (err: unknown): void => {
    host.stderr(`${command}: ${describeError(err)}\n`);
    host.exit(EXIT_FAILURE);
  };

  let config: C | 'help';
  try {
    config = spec.loadConfig(host.argv, host.env);
  } catch (err) {
    const problems = spec.usageProblems(err);
    if (problems === undefined) return fail(err);
    if (problems.length === 0) {
      config = 'help';
    } else {
      host.stderr(`${problems.map((p) => `${command}: ${p}\n`).join('')}${withNewline(spec.usage)}`);
      return host.exit(EXIT_USAGE);
    }
  }
  if (config === 'help') {
    host.stdout(withNewline(spec.usage));
    return host.exit(0);
  }

  let daemon: Daemon;
  let log: Logger;
  try {
    log = host.createLogger({ service: spec.service, level: config.debug ? 'debug' : 'info', logDir: config.logDir });
    daemon = spec.create(config, log);
  } catch (err) {
    return fail(err);
  }

  let stopping = false;
  const onSignal = (signal: string): void => {
    if (stopping) {
      // Someone is waiting on a stop that hangs (a dead peer, a slow drain).
      log.warn('Second signal while stopping; exiting now', { signal });
      host.exit(EXIT_FAILURE);
      return;
    }
    stopping = true;
    log.info(`Stopping ${spec.service}`, { signal });
    daemon.stop().then(
      () => host.exit(0),
      (err: unknown) => {
        log.error('Unclean shutdown', { err });
        host.exit(EXIT_FAILURE);
      },
    );
  };
  host.onSignal('SIGTERM', () => onSignal('SIGTERM'));
  host.onSignal('SIGINT', () => onSignal('SIGINT'));

  try {
    await daemon.start();
  } catch (err) {
    // A start cut short by stop() is expected to fail; the stop decides the exit.
    if (!stopping) fail(err);
  }
}
