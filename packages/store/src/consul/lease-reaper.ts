import { delay } from '../internal/delay';
import type { Logger } from '../logger';
import type { ConsulApi } from './consul-api';
import { ConsulCallError } from './consul-http';
import { LEASE_INDEX_PREFIX, parseLeaseIndexKey } from './consul-keys';
import type { ConsulKv } from './consul-kv';

export interface ReaperHost {
  readonly api: ConsulApi;
  readonly log: Logger;
  readonly timeoutMs: number;
  readonly signal: AbortSignal;
  /** Journals the deletion of the orphans these released index entries point at, and drops the entries. */
  reap(released: readonly ConsulKv[]): Promise<void>;
  /** A session this store may hold as a lease has ended. */
  sessionEnded(sessionId: string): void;
}

const WAIT_MS = 30_000;
const RETRY_MAX_MS = 2000;

/**
 * When a session ends, Consul releases its keys but cannot journal their
 * deletion. Every leased put also locks a lease-index entry
 * (`_store/leases/<session>/<key>`) with the same session, so a released entry
 * means "this key's lease ended". The reaper follows the lease index with a
 * blocking query and journals those deletions. Every store that watches or
 * holds leases runs one; they race harmlessly (the journal head serialises them).
 */
export class LeaseReaper {
  private stopped = false;
  private readonly done: Promise<void>;

  constructor(private readonly host: ReaperHost) {
    this.done = this.loop();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.done;
  }

  private async loop(): Promise<void> {
    let index = 0;
    let failures = 0;
    while (!this.stopped && !this.host.signal.aborted) {
      try {
        const res = await this.host.api.watchTree(LEASE_INDEX_PREFIX, index, WAIT_MS, {
          deadline: Date.now() + this.host.timeoutMs,
          signal: this.host.signal,
        });
        // Consul's rule for blocking queries: start over when the index goes backwards.
        index = res.index === undefined || res.index < index ? 0 : res.index;
        failures = 0;
        const released = res.kvs.filter((kv) => kv.Session === undefined);
        if (released.length === 0) continue;
        for (const sessionId of new Set(released.map((kv) => parseLeaseIndexKey(kv.Key)?.sessionId))) {
          if (sessionId !== undefined) this.host.sessionEnded(sessionId);
        }
        await this.host.reap(released);
      } catch (err) {
        if (this.stopped || (err instanceof ConsulCallError && err.failure === 'aborted')) return;
        failures++;
        index = 0;
        this.host.log.debug('Lease reaper could not read or reap; retrying', { err, failures });
        await delay(Math.min(100 * 2 ** failures, RETRY_MAX_MS), { background: true });
      }
    }
  }
}
