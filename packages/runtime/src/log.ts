import fs from 'node:fs';
import path from 'node:path';
import winston from 'winston';
import type { LogMeta, Logger } from './logger';

/** Contiv's log directory; every service writes `<service>.log` here. */
export const DEFAULT_LOG_DIR = '/var/log/contiv';

export type LogLevel = 'error' | 'warn' | 'info' | 'debug';

export interface CreateLoggerOptions {
  /** Service name: the log file is `<logDir>/<service>.log` (netmaster.log, netplugin.log, ...). */
  service: string;
  level?: LogLevel;
  /** Directory for the log file; `null` disables the file (tests, CLIs). */
  logDir?: string | null;
  /** Human-readable lines on stderr as well. */
  console?: boolean;
}

/** Errors do not survive JSON.stringify; turn them into plain fields. */
function serializeErrors(meta: LogMeta): LogMeta {
  const out: LogMeta = {};
  for (const [k, v] of Object.entries(meta)) {
    if (v instanceof Error) {
      const code = (v as { code?: unknown }).code;
      out[k] = { message: v.message, name: v.name, ...(code !== undefined ? { code } : {}), stack: v.stack };
    } else {
      out[k] = v;
    }
  }
  return out;
}

class WinstonLogger implements Logger {
  constructor(private readonly w: winston.Logger) {}
  error(message: string, meta: LogMeta = {}): void {
    this.w.error(message, serializeErrors(meta));
  }
  warn(message: string, meta: LogMeta = {}): void {
    this.w.warn(message, serializeErrors(meta));
  }
  info(message: string, meta: LogMeta = {}): void {
    this.w.info(message, serializeErrors(meta));
  }
  debug(message: string, meta: LogMeta = {}): void {
    this.w.debug(message, serializeErrors(meta));
  }
  child(meta: LogMeta): Logger {
    return new WinstonLogger(this.w.child(meta));
  }
}

const consoleFormat = winston.format.printf((info) => {
  const { level, message, timestamp, service, component, ...rest } = info as Record<string, unknown>;
  const ctx = Object.keys(rest).length > 0 ? ' ' + JSON.stringify(rest, (k, v: unknown) => (k === 'stack' ? undefined : v)) : '';
  const who = component ? `${String(service)}/${String(component)}` : String(service);
  return `${String(timestamp)} ${String(level).toUpperCase().padEnd(5)} [${who}] ${String(message)}${ctx}`;
});

/**
 * Builds the process logger: JSON lines in `<logDir>/<service>.log` and readable
 * lines on stderr. A log directory that cannot be created degrades to console only
 * (a CLI run by a non-root user must still work) and says so once.
 */
export function createLogger(opts: CreateLoggerOptions): Logger {
  const level = opts.level ?? 'info';
  const transports: winston.transport[] = [];
  let fileProblem: string | undefined;
  const logDir = opts.logDir === undefined ? DEFAULT_LOG_DIR : opts.logDir;
  if (logDir !== null) {
    try {
      fs.mkdirSync(logDir, { recursive: true });
      transports.push(
        new winston.transports.File({
          filename: path.join(logDir, `${opts.service}.log`),
          format: winston.format.combine(winston.format.timestamp(), winston.format.json()),
        }),
      );
    } catch (err) {
      fileProblem = (err as Error).message;
    }
  }
  if (opts.console !== false || transports.length === 0) {
    const format = winston.format.combine(winston.format.timestamp(), consoleFormat);
    transports.push(
      process.stderr.isTTY
        ? new winston.transports.Console({ stderrLevels: ['error', 'warn', 'info', 'debug'], format })
        : // A redirected stderr (a file, a pipe, dockerd's plugin log) is written
          // synchronously by process.stderr: a daemon would wait on every line.
          // An fs stream on fd 2 writes from libuv's thread pool instead.
          new winston.transports.Stream({ stream: fs.createWriteStream('', { fd: 2, autoClose: false }), format }),
    );
  }
  const w = winston.createLogger({ level, defaultMeta: { service: opts.service }, transports });
  const logger = new WinstonLogger(w);
  if (fileProblem) logger.warn('Cannot write the log file; logging to the console only', { logDir, reason: fileProblem });
  return logger;
}
