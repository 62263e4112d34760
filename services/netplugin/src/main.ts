#!/usr/bin/env node
/** netplugin entry point: wiring only (the agent logs its own start line). */
import { runDaemon } from '@contiv/runtime';
import { Agent } from './agent';
import { loadConfig, USAGE, UsageError } from './options';

void runDaemon({
  service: 'netplugin',
  usage: USAGE,
  loadConfig,
  // An empty UsageError is --help.
  usageProblems: (err) => (err instanceof UsageError ? [err.message].filter(Boolean) : undefined),
  create: (config, log) => new Agent(config, log),
});
