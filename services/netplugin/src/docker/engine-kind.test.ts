import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { noopLogger } from '@contiv/runtime';
import { classifyEngine, EngineKindFile } from './engine-kind';
import { EngineKindTracker } from './engine-kind-tracker';

void test('scope by engine kind', () => {
  assert.deepEqual(classifyEngine({ ClusterStore: '' }, 'h1'), { flavor: 'standalone', driverScope: 'local', docknetScope: 'h1' });
  assert.deepEqual(classifyEngine({ ClusterStore: 'etcd://127.0.0.1:2379' }, 'h1'), { flavor: 'cluster-store', driverScope: 'global', docknetScope: 'cluster' });
  assert.deepEqual(classifyEngine({ Swarm: { LocalNodeState: 'active' } }, 'h1'), { flavor: 'swarm', driverScope: 'global', docknetScope: 'cluster' });
  assert.equal(classifyEngine({ Swarm: { LocalNodeState: 'inactive' } }, 'h1').driverScope, 'local');
});

void test('an engine that does not answer yet: the remembered kind, else standalone', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'np-kind-'));
  const file = new EngineKindFile(path.join(dir, 'k.json'), noopLogger);
  const never = { info: () => new Promise<never>(() => undefined) };
  const t1 = new EngineKindTracker({ engine: never, hostName: 'h1', file, log: noopLogger });
  assert.deepEqual(await t1.resolve(10), { kind: { flavor: 'standalone', driverScope: 'local', docknetScope: 'h1' }, detected: false });
  // A plugin installed for swarm mode assumes a swarm engine until it knows better.
  const swarmPlugin = new EngineKindTracker({ engine: never, hostName: 'h1', file, log: noopLogger, assumeSwarm: true });
  assert.deepEqual(await swarmPlugin.resolve(10), { kind: { flavor: 'swarm', driverScope: 'global', docknetScope: 'cluster' }, detected: false });
  const t2 = new EngineKindTracker({ engine: { info: () => Promise.resolve({ ClusterStore: 'etcd://x:1' }) }, hostName: 'h1', file, log: noopLogger });
  t2.start();
  assert.equal((await t2.resolve(1_000)).kind.flavor, 'cluster-store');
  t2.stop();
  assert.deepEqual(await t1.resolve(10), { kind: { flavor: 'cluster-store', driverScope: 'global', docknetScope: 'cluster' }, detected: false });
  fs.rmSync(dir, { recursive: true, force: true });
});
