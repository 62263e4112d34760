#!/usr/bin/env node
/** netplugin entry point: wiring only. */
import { createLogger, processEnv } from '@contiv/runtime';
import { Agent } from './agent';
import { loadConfig, USAGE, UsageError } from './options';

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig(process.argv.slice(2), processEnv());
  } catch (err) {
    if (err instanceof UsageError) {
      if (err.message) process.stderr.write(`netplugin: ${err.message}\n`);
      process.stderr.write(USAGE);
      process.exit(err.message ? 1 : 0);
    }
    throw err;
  }
  const logger = createLogger({ service: 'netplugin', level: config.debug ? 'debug' : 'info', logDir: config.logDir });
  const agent = new Agent(config, logger);
  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    logger.info('Stopping netplugin', { signal });
    void agent.stop().finally(() => process.exit(0));
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  await agent.start();
}

main().catch((err: unknown) => {
  process.stderr.write(`netplugin: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
