import { StoreError } from '../errors';
import { delay } from '../internal/delay';
import type { Logger } from '../logger';
import type { Watch, WatchEvent, WatchHandlers, WatchOptions } from '../store';
import type { ConsulApi, CallCtx } from './consul-api';
import { ConsulCallError } from './consul-http';
import { HEAD_KEY, JOURNAL_PREFIX, journalKey, parseJournalKey } from './consul-keys';
import type { ConsulKv } from './consul-kv';
import { decodeJournal } from './journal';

export interface WatchContext {
  readonly api: ConsulApi;
  readonly log: Logger;
  readonly url: string;
  readonly timeoutMs: number;
  onClose(watch: ConsulWatch): void;
}

/** Long enough to keep idle traffic low, short enough that a dead connection is noticed. */
const WAIT_MS = 30_000;
const RETRY_FIRST_MS = 100;
const RETRY_MAX_MS = 2000;

class ResyncNeeded extends Error {}

/**
 * A prefix watch that follows the journal chain (journal.ts): at revision `pos`
 * it waits, with a blocking query, for the record `journalKey(pos)`, delivers
 * its operations under the prefix, and moves to that record's revision. Its
 * only state is `pos`, so after any failure it resumes exactly there: nothing
 * is lost or repeated. It asks for a resync when the records it needs were
 * trimmed, or when Consul's index went backwards (its data was replaced).
 */
export class ConsulWatch implements Watch {
  readonly ready: Promise<void>;
  private resolveReady!: () => void;
  private rejectReady!: (err: Error) => void;
  private readonly abort = new AbortController();
  private closed = false;
  /** Revision whose record (if any) was delivered; the next record is `journalKey(pos)`. */
  private pos = 0;
  /** Records at or below this revision are not delivered (before `fromRevision`). */
  private floor = 0;

  constructor(
    private readonly ctx: WatchContext,
    private readonly prefix: string,
    private readonly handlers: WatchHandlers,
    opts: WatchOptions,
  ) {
    this.ready = new Promise<void>((resolve, reject) => {
      this.resolveReady = resolve;
      this.rejectReady = reject;
    });
    // A caller that never awaits `ready` must not see an unhandled rejection.
    this.ready.catch(() => undefined);
    void this.run(opts.fromRevision);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.abort.abort();
    this.rejectReady(new StoreError('STORE_CLOSED', `The watch on ${this.prefix} was closed before it was established`));
    this.ctx.onClose(this);
  }

  private async run(fromRevision: number | undefined): Promise<void> {
    try {
      if (!(await this.establish(fromRevision))) return;
      await this.follow();
    } catch (err) {
      if (err instanceof ResyncNeeded) this.resync(err.message);
      else if (!this.closed) this.ctx.log.error('Watch stopped unexpectedly', { prefix: this.prefix, err });
    }
  }

  /** Finds the chain position to start from; false if the watch ended meanwhile. */
  private async establish(fromRevision: number | undefined): Promise<boolean> {
    const deadline = Date.now() + this.ctx.timeoutMs;
    for (let attempt = 0; ; attempt++) {
      try {
        const call = { deadline, signal: this.abort.signal };
        if (fromRevision === undefined) {
          this.pos = await this.headRevision(call);
          this.floor = this.pos;
        } else {
          this.floor = fromRevision - 1;
          this.pos = await this.chainPointBefore(fromRevision, call);
        }
        if (this.closed) return false;
        this.resolveReady();
        this.ctx.log.debug('Watch established', { prefix: this.prefix, fromRevision: this.floor + 1 });
        return true;
      } catch (err) {
        if (this.closed || err instanceof ResyncNeeded) throw err;
        const wait = Math.min(RETRY_FIRST_MS * 2 ** attempt, RETRY_MAX_MS, deadline - Date.now());
        if (!isRetryable(err) || wait <= 0) {
          this.rejectReady(
            new StoreError(
              'STORE_UNAVAILABLE',
              `Could not establish a watch on ${this.prefix} with Consul at ${this.ctx.url} within ${this.ctx.timeoutMs} ms: ${message(err)}`,
              { cause: err },
            ),
          );
          await this.close();
          return false;
        }
        await delay(wait);
      }
    }
  }

  /**
   * The last chain revision below `from`: the record stored under it is the
   * first one at or after `from`. Usually `from - 1` itself (a list's or a
   * write's revision); otherwise found in the journal's key listing.
   */
  private async chainPointBefore(from: number, call: CallCtx): Promise<number> {
    if ((await this.ctx.api.getKey(journalKey(from - 1), call)) !== undefined) return from - 1;
    const head = await this.headRevision(call);
    if (head <= from - 1) return head;
    const points = (await this.ctx.api.keys(JOURNAL_PREFIX, call))
      .map(parseJournalKey)
      .filter((p): p is number => p !== undefined && p < from);
    if (points.length === 0) {
      throw new ResyncNeeded(`the journal no longer holds revision ${from} (it keeps the latest writes only)`);
    }
    return Math.max(...points);
  }

  private async follow(): Promise<void> {
    let waitIndex = 0;
    let failures = 0;
    let downSince: number | undefined;
    while (!this.closed) {
      try {
        const call = { deadline: Date.now() + this.ctx.timeoutMs, signal: this.abort.signal };
        const res = await this.ctx.api.watchKey(journalKey(this.pos), waitIndex, WAIT_MS, call);
        if (this.closed) return;
        if (downSince !== undefined) {
          this.ctx.log.info('Watch resumed', { prefix: this.prefix, fromRevision: this.pos + 1, downMs: Date.now() - downSince });
          downSince = undefined;
        }
        failures = 0;
        if (res.kv !== undefined) {
          this.deliverRecord(res.kv);
          waitIndex = 0;
          continue;
        }
        const next = await this.recordAfterMiss(call);
        if (next !== undefined) {
          this.deliverRecord(next);
          waitIndex = 0;
        } else {
          waitIndex = res.index ?? 0;
        }
      } catch (err) {
        if (this.closed || err instanceof ResyncNeeded) throw err;
        failures++;
        // Anything else is retried from `pos` too, an answer we did not expect included (a 4xx from
        // an agent or proxy in trouble, a body cut short): a watch that stopped would miss every
        // later update without anyone noticing. Such answers are logged as errors each time.
        if (!isRetryable(err)) {
          this.ctx.log.error('Watch got an unexpected answer from Consul; retrying', { prefix: this.prefix, url: this.ctx.url, resumeFrom: this.pos + 1, err: message(err) });
        }
        if (downSince === undefined) {
          downSince = Date.now();
          this.ctx.log.warn('Watch disconnected; reconnecting', {
            prefix: this.prefix,
            url: this.ctx.url,
            resumeFrom: this.pos + 1,
            err: message(err),
          });
        }
        waitIndex = 0;
        await delay(Math.min(RETRY_FIRST_MS * 2 ** failures, RETRY_MAX_MS));
      }
    }
  }

  /**
   * The record at `pos` was missing. It is written with the head's move past
   * `pos`, so: head at `pos` = nothing new yet (block); head past `pos` = look
   * again (it may have just been written), and if it is still missing it was
   * trimmed; head before `pos` = Consul's data went back.
   */
  private async recordAfterMiss(call: CallCtx): Promise<ConsulKv | undefined> {
    const head = await this.headRevision(call);
    if (head === this.pos) return undefined;
    if (head < this.pos) {
      throw new ResyncNeeded(`Consul's revision went back from ${this.pos} to ${head} (was its data replaced?)`);
    }
    const record = await this.ctx.api.getKey(journalKey(this.pos), call);
    if (record === undefined) {
      throw new ResyncNeeded(`the journal no longer holds revision ${this.pos + 1}: the watch fell too far behind`);
    }
    return record;
  }

  private deliverRecord(kv: ConsulKv): void {
    const revision = kv.ModifyIndex;
    let ops;
    try {
      ops = decodeJournal(kv.Value === null ? '' : Buffer.from(kv.Value, 'base64').toString('utf8'));
    } catch (err) {
      throw new ResyncNeeded(`the journal record for revision ${revision} is unreadable: ${message(err)}`);
    }
    this.pos = revision;
    if (revision <= this.floor) return;
    for (const op of ops) {
      if (this.closed) return;
      if (!op.key.startsWith(this.prefix)) continue;
      const event: WatchEvent =
        op.type === 'put'
          ? { type: 'put', key: op.key, value: op.value, modRevision: revision }
          : { type: 'delete', key: op.key, modRevision: revision };
      try {
        this.handlers.onEvent(event);
      } catch (err) {
        this.ctx.log.error('Watch handler threw', { prefix: this.prefix, err });
      }
    }
  }

  private async headRevision(call: CallCtx): Promise<number> {
    return (await this.ctx.api.getKey(HEAD_KEY, call))?.ModifyIndex ?? 0;
  }

  private resync(reason: string): void {
    if (this.closed) return;
    this.closed = true;
    this.abort.abort();
    // `ready` resolves: onResyncRequired is the one signal the caller acts on.
    this.resolveReady();
    this.ctx.onClose(this);
    if (this.handlers.onResyncRequired === undefined) {
      this.ctx.log.warn('Watch needs a resync but has no onResyncRequired handler', { prefix: this.prefix, reason });
      return;
    }
    this.ctx.log.info('Watch needs a resync', { prefix: this.prefix, reason });
    try {
      this.handlers.onResyncRequired(reason);
    } catch (err) {
      this.ctx.log.error('Watch handler threw', { prefix: this.prefix, err });
    }
  }
}

function isRetryable(err: unknown): boolean {
  return err instanceof ConsulCallError && err.failure !== 'aborted';
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
