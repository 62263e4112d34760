/**
 * One check both store itests run against their real server: a watch
 * replaying history keeps going through a crash of the server in the middle
 * of the replay, with no event missing or repeated.
 */
import assert from 'node:assert/strict';
import type { Store, WatchEvent } from '@contiv/store';
import { eventually } from '../harness/eventually';

export interface CrashableServer {
  kill(): Promise<void>;
  restart(): Promise<void>;
}

export interface CrashReplayOptions {
  /** How many keys of history to write before watching. */
  readonly keys: number;
  /** Keys written in parallel at a time. */
  readonly batch: number;
  /** How long the watch may take to deliver everything after the restart. */
  readonly deliverTimeoutMs: number;
}

export async function checkWatchSurvivesCrashMidReplay(store: Store, server: CrashableServer, o: CrashReplayOptions): Promise<void> {
  const start = (await store.list('/replay/')).revision + 1;
  const expected: WatchEvent[] = [];
  const keys = Array.from({ length: o.keys }, (_, i) => `/replay/k${String(i).padStart(4, '0')}`);
  for (let i = 0; i < keys.length; i += o.batch) {
    const batch = keys.slice(i, i + o.batch);
    const revs = await Promise.all(batch.map((k) => store.put(k, k)));
    batch.forEach((k, j) => expected.push({ type: 'put', key: k, value: k, modRevision: revs[j] as number }));
  }
  expected.sort((a, b) => a.modRevision - b.modRevision);

  const events: WatchEvent[] = [];
  const resyncs: string[] = [];
  let crashed: Promise<void> | undefined;
  const watch = store.watch(
    '/replay/',
    {
      onEvent: (ev) => {
        events.push(ev);
        // Crash the server while the rest of the history is still to come.
        crashed ??= server.kill().then(() => server.restart());
      },
      onResyncRequired: (reason) => resyncs.push(reason),
    },
    { fromRevision: start },
  );
  await eventually(() => crashed !== undefined, { timeoutMs: 15_000, what: 'the first replayed event' });
  await crashed;
  const last = await store.put('/replay/zz-end', 'end');
  expected.push({ type: 'put', key: '/replay/zz-end', value: 'end', modRevision: last });
  await eventually(() => events.some((e) => e.key === '/replay/zz-end'), {
    timeoutMs: o.deliverTimeoutMs,
    what: 'the watch to deliver the whole history after the crash',
  });
  assert.deepEqual(resyncs, []);
  assert.equal(events.length, expected.length, 'no event missing or repeated');
  assert.deepEqual(events, expected);
  await watch.close();
}
