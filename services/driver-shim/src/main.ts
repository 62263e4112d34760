#!/usr/bin/env node
/** driver-shim entry point: wiring only. */
import { buildInfo, runDaemon } from '@contiv/runtime';
import { loadConfig, USAGE, UsageError } from './options';
import { startShim, type RunningShim } from './shim';

void runDaemon({
  service: 'driver-shim',
  command: 'contiv-driver-shim',
  usage: USAGE,
  loadConfig,
  // An empty UsageError is --help.
  usageProblems: (err) => (err instanceof UsageError ? [err.message].filter(Boolean) : undefined),
  create(config, log) {
    log.info('Starting driver-shim', { ...buildInfo(), socket: config.socket, agentSocket: config.agentSocket });
    let shim: RunningShim | undefined;
    return {
      start: async () => {
        shim = await startShim(config, log);
      },
      stop: async () => {
        await shim?.close();
      },
    };
  },
});
