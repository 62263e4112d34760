#!/usr/bin/env node
/** netmaster: wiring only (options -> logger -> store -> netmaster -> signals). */
import { createLogger, processEnv } from '@contiv/runtime';
import { createStore } from '@contiv/store';
import { startNetmaster } from './netmaster';
import { ConfigError, loadConfig, USAGE } from './options';

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig(process.argv.slice(2), processEnv());
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    process.stderr.write(`netmaster: ${err.problems.join('\nnetmaster: ')}\n${USAGE}\n`);
    process.exit(2);
  }
  if (config === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const log = createLogger({ service: 'netmaster', level: config.debug ? 'debug' : 'info', logDir: config.logDir, console: true });
  log.info('Starting netmaster', { clusterStore: config.clusterStore, listenUrl: config.listenUrl, advertiseAddress: config.advertiseAddress, pluginMode: config.pluginMode });
  const store = createStore(config.clusterStore, { logger: log.child({ component: 'store' }) });
  const netmaster = await startNetmaster(config, store, log);

  let stopping = false;
  const shutdown = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    log.info('Stopping netmaster', { signal });
    netmaster
      .stop()
      .then(() => store.close())
      .then(
        () => process.exit(0),
        (err: unknown) => {
          log.error('Unclean shutdown', { err });
          process.exit(1);
        },
      );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

main().catch((err: unknown) => {
  process.stderr.write(`netmaster: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
