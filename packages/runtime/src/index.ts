/**
 * @module @contiv/runtime
 * Logger factory, env helpers, build info and the daemons' entry-point wiring
 * (runDaemon) shared by the services.
 * The only package that imports winston or reads `process.env`.
 */
export type { Logger, LogMeta } from './logger';
export { noopLogger } from './logger';
export type { CreateLoggerOptions, LogLevel } from './log';
export { createLogger, DEFAULT_LOG_DIR } from './log';
export type { Env } from './config';
export { processEnv, envString, envList, envBool, isDebugFlag } from './config';
export type { BuildInfo } from './version';
export { buildInfo } from './version';
export type { Daemon, DaemonConfig, DaemonHost, DaemonSpec } from './daemon';
export { runDaemon } from './daemon';
export type { SecretFile } from './secret';
export { Secret, readSecretFile } from './secret';
