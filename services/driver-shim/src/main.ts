#!/usr/bin/env node
/** driver-shim entry point: wiring only. */
import { buildInfo, createLogger, processEnv } from '@contiv/runtime';
import { loadConfig, USAGE, UsageError } from './options';
import { startShim } from './shim';

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig(process.argv.slice(2), processEnv());
  } catch (err) {
    if (err instanceof UsageError) {
      if (err.message) process.stderr.write(`contiv-driver-shim: ${err.message}\n`);
      process.stderr.write(USAGE);
      process.exit(err.message ? 1 : 0);
    }
    throw err;
  }
  const logger = createLogger({ service: 'driver-shim', level: config.debug ? 'debug' : 'info', logDir: config.logDir });
  logger.info('Starting driver-shim', { ...buildInfo(), socket: config.socket, agentSocket: config.agentSocket });
  const shim = await startShim(config, logger);
  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    logger.info('Stopping driver-shim', { signal });
    void shim.close().finally(() => process.exit(0));
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

main().catch((err: unknown) => {
  process.stderr.write(`contiv-driver-shim: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
