import assert from 'node:assert/strict';
import { test } from 'node:test';
import { nodeKey, nodeRecordCodec } from '@contiv/model';
import { noopLogger } from '@contiv/runtime';
import { MemoryStore } from '@contiv/store';
import { eventually } from '../testing/state';
import { NodeRegistration } from './node-registration';

void test('the node record lives under a lease and comes back after the lease is lost', async () => {
  const store = new MemoryStore();
  const record = { hostname: 'h1', ctrlIp: '10.0.0.1', vtepIp: '10.0.0.1', uplinks: [], agentVersion: '0.1.0', startedAt: new Date().toISOString() };
  const reg = new NodeRegistration({ store, record, log: noopLogger, maxBackoffMs: 50 });
  reg.start();
  await eventually(async () => (await store.get(nodeKey('h1'))) !== undefined);
  const first = await store.get(nodeKey('h1'));
  assert.deepEqual(nodeRecordCodec.decode(first?.value ?? ''), record);
  assert.ok(first?.leaseId);
  store.expireLease(first.leaseId);
  await eventually(async () => {
    const e = await store.get(nodeKey('h1'));
    return e !== undefined && e.leaseId !== first.leaseId;
  }, 3_000, 're-registration');
  await reg.stop();
  assert.equal(await store.get(nodeKey('h1')), undefined);
  await store.close();
});

void test('a store that is down is retried', async () => {
  const store = new MemoryStore();
  store.setAvailable(false);
  const reg = new NodeRegistration({ store, record: { hostname: 'h2', ctrlIp: '', vtepIp: '', uplinks: [], agentVersion: '', startedAt: '' }, log: noopLogger, maxBackoffMs: 20 });
  reg.start();
  await new Promise((r) => setTimeout(r, 50));
  assert.equal(reg.isRegistered(), false);
  store.setAvailable(true);
  await eventually(() => reg.isRegistered(), 3_000, 'registration');
  await reg.stop();
  await store.close();
});
