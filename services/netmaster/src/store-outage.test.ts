import assert from 'node:assert/strict';
import test from 'node:test';
import { noopLogger } from '@contiv/runtime';
import { isStoreError, MemoryStore } from '@contiv/store';
import { Gate } from './gate';
import { isNetmasterError } from './errors';
import { StoreOutage } from './store-outage';

const until = async (cond: () => boolean): Promise<void> => {
  for (let i = 0; i < 200 && !cond(); i++) await new Promise((r) => setTimeout(r, 5));
  assert.ok(cond());
};

/** What a write would be refused with, or undefined when it may go ahead. */
function refusal(gate: Gate): unknown {
  try {
    gate.assertWritable();
    return undefined;
  } catch (err) {
    return err;
  }
}

void test('lock lost with the store away: writes are refused as STORE_UNAVAILABLE until the store answers, then as NOT_LEADER', async () => {
  const store = new MemoryStore();
  const gate = new Gate(store.url, '10.0.0.1:9999');
  gate.setLoaded(true);
  gate.setLeader(true);
  const outage = new StoreOutage({ store, gate, probeKey: '/lock', log: noopLogger, retryMs: 5 });
  assert.equal(refusal(gate), undefined);

  store.setAvailable(false);
  gate.setLeader(false);
  outage.demoted('no keep-alive answer for 4 s');
  const first = refusal(gate);
  assert.ok(isStoreError(first, 'STORE_UNAVAILABLE'), String(first));
  assert.match((first as Error).message, /does not keep this netmaster's leader lock \(no keep-alive answer for 4 s\)/);
  // The probe's own error replaces it.
  await until(() => /simulated outage/.test(String((refusal(gate) as Error).message)));

  store.setAvailable(true);
  await until(() => isNetmasterError(refusal(gate), 'NOT_LEADER'));
  outage.stop();
  await store.close();
});

void test('lock lost to another netmaster (the store answers): NOT_LEADER after one read', async () => {
  const store = new MemoryStore();
  const gate = new Gate(store.url, '10.0.0.1:9999');
  gate.setLoaded(true);
  const outage = new StoreOutage({ store, gate, probeKey: '/lock', log: noopLogger });
  outage.demoted('revoked');
  await until(() => isNetmasterError(refusal(gate), 'NOT_LEADER'));
  // A watch event or an election won clears it at once, too.
  store.setAvailable(false);
  outage.demoted('again');
  assert.ok(isStoreError(refusal(gate), 'STORE_UNAVAILABLE'));
  // A write already past the gate when the lock went (FencedStore's fence) gets the same answer.
  assert.throws(() => outage.throwIfDown(), (err: unknown) => isStoreError(err, 'STORE_UNAVAILABLE'));
  outage.available();
  assert.ok(isNetmasterError(refusal(gate), 'NOT_LEADER'));
  assert.doesNotThrow(() => outage.throwIfDown());
  outage.stop();
  await store.close();
});
