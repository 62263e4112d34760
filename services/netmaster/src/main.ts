#!/usr/bin/env node
/** netmaster: wiring only (options -> logger -> store -> netmaster; signals in runDaemon). */
import { runDaemon } from '@contiv/runtime';
import { createStore } from '@contiv/store';
import { startNetmaster, type NetmasterHandle } from './netmaster';
import { ConfigError, loadConfig, USAGE } from './options';
import { describeSecurity } from './security';

void runDaemon({
  service: 'netmaster',
  usage: USAGE,
  loadConfig,
  usageProblems: (err) => (err instanceof ConfigError ? err.problems : undefined),
  create(config, log) {
    // Chosen fields only: the config holds secrets (they print as [redacted] anyway).
    log.info('Starting netmaster', { clusterStore: config.clusterStore, listenUrl: config.listenUrl, advertiseAddress: config.advertiseAddress, pluginMode: config.pluginMode, ...describeSecurity(config.security) });
    for (const warning of config.security.warnings) log.warn('Security setting', { warning });
    const store = createStore(config.clusterStore, { logger: log.child({ component: 'store' }) });
    let netmaster: NetmasterHandle | undefined;
    return {
      start: async () => {
        netmaster = await startNetmaster(config, store, log);
      },
      stop: async () => {
        await netmaster?.stop();
        await store.close();
      },
    };
  },
});
