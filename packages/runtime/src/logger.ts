/**
 * The logging contract every package codes against. Libraries declare the same
 * structural shape themselves (they import nothing internal); services hand them
 * a child of the winston logger built here.
 *
 * Messages are constant sentences; context goes in `meta` (errors under `err`).
 */
export type LogMeta = Record<string, unknown>;

export interface Logger {
  error(message: string, meta?: LogMeta): void;
  warn(message: string, meta?: LogMeta): void;
  info(message: string, meta?: LogMeta): void;
  debug(message: string, meta?: LogMeta): void;
  child(meta: LogMeta): Logger;
}

/** A logger that drops everything: the default for libraries and unit tests. */
export const noopLogger: Logger = {
  error: () => undefined,
  warn: () => undefined,
  info: () => undefined,
  debug: () => undefined,
  child: () => noopLogger,
};
