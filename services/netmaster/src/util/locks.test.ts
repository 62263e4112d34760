import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RwLock } from './locks';

const tick = () => new Promise((r) => setImmediate(r));

void describe('RwLock', () => {
  void it('lets readers share and writers exclude', async () => {
    const lock = new RwLock();
    const log: string[] = [];
    let releaseReaders: () => void = () => undefined;
    const gate = new Promise<void>((r) => (releaseReaders = r));
    const r1 = lock.read(async () => {
      log.push('r1 in');
      await gate;
      log.push('r1 out');
    });
    const r2 = lock.read(async () => {
      log.push('r2 in');
      await gate;
      log.push('r2 out');
    });
    const w = lock.write(async () => {
      log.push('w');
    });
    const r3 = lock.read(async () => {
      log.push('r3');
    });
    await tick();
    assert.deepEqual(log, ['r1 in', 'r2 in'], 'the writer waits for readers; a later reader waits for the writer');
    releaseReaders();
    await Promise.all([r1, r2, w, r3]);
    assert.deepEqual(log.slice(2), ['r1 out', 'r2 out', 'w', 'r3']);
    assert.ok(lock.idle);
  });

  void it('releases on failure', async () => {
    const lock = new RwLock();
    await assert.rejects(lock.write(() => Promise.reject(new Error('boom'))), /boom/);
    assert.equal(await lock.write(async () => 1), 1);
  });
});
