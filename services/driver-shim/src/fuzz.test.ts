/**
 * The plugin-socket fuzz (testing/plugin-fuzz.ts) against the real shim and a
 * fake agent that refuses every call: every answer must be a Docker error,
 * and what the shim refused itself must never reach the agent. Fixed seed;
 * FUZZ_SEED, FUZZ_RUNS, FUZZ_PATH, FUZZ_ONLY replay or run longer (docs/testing.md).
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { RpcErrorCode } from '@contiv/rpc';
import { noopLogger } from '@contiv/runtime';
import { startShim, type RunningShim } from './shim';
import { FakeAgent } from './testing/fake-agent';
import { formatReports, PLUGIN_PROPERTIES, runPluginFuzz, type PluginFuzzTarget, type PluginProperty } from './testing/plugin-fuzz';

const SEED = Number(process.env.FUZZ_SEED ?? 6006);
const RUNS = Number(process.env.FUZZ_RUNS ?? 150);
const ONLY = (process.env.FUZZ_ONLY ?? '').split(',').filter((x): x is PluginProperty => (PLUGIN_PROPERTIES as readonly string[]).includes(x));

const AGENT_METHODS = [
  'GetCapabilities', 'CreateNetwork', 'DeleteNetwork', 'AllocateNetwork', 'FreeNetwork', 'CreateEndpoint', 'DeleteEndpoint', 'EndpointOperInfo', 'Join', 'Leave',
  'DiscoverNew', 'DiscoverDelete', 'ProgramExternalConnectivity', 'RevokeExternalConnectivity', 'Ipam.GetCapabilities', 'GetDefaultAddressSpaces', 'RequestPool',
  'ReleasePool', 'RequestAddress', 'ReleaseAddress',
];
/** Answered by the shim alone (GetCapabilities: the fallback scope when the agent fails). */
const SHIM_ANSWERS = new Set(['/Plugin.Activate', '/Plugin.Deactivate', '/NetworkDriver.GetCapabilities']);

void describe('plugin socket fuzz (shim + refusing fake agent)', { timeout: Math.max(300_000, RUNS * 2_000) }, () => {
  let dir: string;
  let agent: FakeAgent;
  let shim: RunningShim;
  let target: PluginFuzzTarget;
  const escaped: unknown[] = [];
  const onEscape = (err: unknown): void => {
    escaped.push(err);
  };

  before(async () => {
    process.on('unhandledRejection', onEscape);
    process.on('uncaughtException', onEscape);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'shim-fuzz-'));
    agent = new FakeAgent(path.join(dir, 'agent.sock'));
    const code: RpcErrorCode = 'INVALID_ARGUMENT';
    for (const m of AGENT_METHODS) agent.fail(m, code, `the fake agent refuses ${m}`);
    await agent.start();
    shim = await startShim(
      { socket: path.join(dir, 'plugins', 'netplugin.sock'), agentSocket: path.join(dir, 'agent.sock'), connectTimeoutMs: 500, callTimeoutMs: 5_000, capabilitiesWaitMs: 300 },
      noopLogger,
    );
    target = {
      socketPath: shim.server.socketPath,
      agentCalls: () => agent.calls.length,
      successAllowed: (m) => SHIM_ANSWERS.has(m),
      health: () => Promise.resolve(escaped.length > 0 ? `unhandled: ${String(escaped[0])}` : undefined),
    };
  });
  after(async () => {
    await shim.close();
    await agent.stop();
    fs.rmSync(dir, { recursive: true, force: true });
    process.off('unhandledRejection', onEscape);
    process.off('uncaughtException', onEscape);
  });

  for (const name of ONLY.length > 0 ? ONLY : PLUGIN_PROPERTIES) {
    it(`${name}: answered with a Docker error, nothing refused reaches the agent`, async (t) => {
      const [report] = await runPluginFuzz(target, { seed: SEED, numRuns: RUNS, only: [name], ...(process.env.FUZZ_PATH ? { path: process.env.FUZZ_PATH } : {}) });
      assert.ok(report);
      t.diagnostic(formatReports([report]));
      assert.equal(report.failure, undefined, formatReports([report]));
      assert.deepEqual(escaped, []);
    });
  }
});
