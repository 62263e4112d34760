import type { Etcd3, IEvent, IWatchResponse, Watcher } from 'etcd3';
import { StoreError } from '../errors';
import { errorMessage } from './etcd-errors';
import type { Logger } from '../logger';
import type { Watch, WatchEvent, WatchHandlers, WatchOptions } from '../store';

/**
 * A prefix watch on etcd3's Watcher, which re-creates itself after a
 * disconnect. etcd3 resumes from the last *header* revision + 1, which skips
 * events when the connection drops while a watch is still catching up on
 * history (etcd sends catch-up batches with the current revision in the
 * header). So this class tracks `lastSeen`, the highest revision whose events
 * were all delivered, rewrites the resume revision to `lastSeen + 1` before
 * every re-attach, and drops any event at or below `lastSeen`. etcd never
 * splits one revision's events across responses (we do not ask for
 * fragments), so whole revisions are either delivered or not.
 */
export class EtcdWatch implements Watch {
  readonly ready: Promise<void>;
  private resolveReady!: () => void;
  private rejectReady!: (err: Error) => void;
  private readonly watcher: Watcher;
  private lastSeen: number | undefined;
  private highestHeader = 0;
  private established = false;
  private closed = false;
  private disconnectedSince: number | undefined;
  private readonly readyTimer: NodeJS.Timeout;

  constructor(
    client: Etcd3,
    private readonly prefix: string,
    private readonly handlers: WatchHandlers,
    opts: WatchOptions,
    private readonly ctx: { readonly log: Logger; readonly url: string; readonly timeoutMs: number; onClose(w: EtcdWatch): void },
  ) {
    this.ready = new Promise<void>((resolve, reject) => {
      this.resolveReady = resolve;
      this.rejectReady = reject;
    });
    // A caller that never awaits `ready` must not see an unhandled rejection.
    this.ready.catch(() => undefined);

    const builder = client.watch().prefix(prefix);
    if (opts.fromRevision !== undefined) {
      builder.startRevision(String(opts.fromRevision));
      this.lastSeen = opts.fromRevision - 1;
    }
    this.watcher = builder.watcher();
    this.watcher.on('connected', (res) => this.onConnected(res));
    this.watcher.on('data', (res) => this.onData(res));
    this.watcher.on('disconnected', (err: unknown) => this.onDisconnected(err));
    this.watcher.on('error', (err: unknown) => this.onCanceled(err));

    this.readyTimer = setTimeout(() => {
      if (this.established || this.closed) return;
      const err = new StoreError(
        'STORE_UNAVAILABLE',
        `Could not establish a watch on ${prefix} with etcd at ${ctx.url} within ${ctx.timeoutMs} ms`,
      );
      this.rejectReady(err);
      void this.close();
    }, ctx.timeoutMs);
    this.readyTimer.unref();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.readyTimer);
    this.rejectReady(new StoreError('STORE_CLOSED', `The watch on ${this.prefix} was closed before it was established`));
    this.ctx.onClose(this);
    await this.detach();
  }

  private onConnected(res: IWatchResponse): void {
    if (this.closed) return;
    const header = Number(res.header.revision);
    if (this.established && header < this.highestHeader) {
      this.resync(`etcd's revision went back from ${this.highestHeader} to ${header} (was its data replaced?)`);
      return;
    }
    this.highestHeader = Math.max(this.highestHeader, header);
    // Without fromRevision the watch starts after the revision it was created at.
    if (this.lastSeen === undefined) this.lastSeen = header;
    this.syncResumeRevision();
    if (!this.established) {
      this.established = true;
      clearTimeout(this.readyTimer);
      this.resolveReady();
      this.ctx.log.debug('Watch established', { prefix: this.prefix, fromRevision: this.lastSeen + 1 });
    } else {
      this.ctx.log.info('Watch resumed', {
        prefix: this.prefix,
        fromRevision: this.lastSeen + 1,
        downMs: this.disconnectedSince === undefined ? undefined : Date.now() - this.disconnectedSince,
      });
    }
    this.disconnectedSince = undefined;
  }

  private onData(res: IWatchResponse): void {
    if (this.closed) return;
    const header = Number(res.header.revision);
    this.highestHeader = Math.max(this.highestHeader, header);
    if (res.events.length === 0) {
      // A progress notification: every event up to `header` has been sent.
      // Resume at `header` (not after it), as etcd's Go client does.
      if (!res.created && !res.canceled && this.lastSeen !== undefined) {
        this.lastSeen = Math.max(this.lastSeen, header - 1);
      }
    } else {
      const floor = this.lastSeen ?? 0;
      let highest = floor;
      for (const ev of res.events) {
        const rev = Number(ev.kv.mod_revision);
        if (rev <= floor) {
          this.ctx.log.debug('Dropped a watch event delivered before', { prefix: this.prefix, revision: rev });
          continue;
        }
        this.deliver(toWatchEvent(ev, rev));
        if (this.closed) return;
        highest = Math.max(highest, rev);
      }
      this.lastSeen = highest;
    }
    this.syncResumeRevision();
  }

  private onDisconnected(err: unknown): void {
    if (this.closed) return;
    this.syncResumeRevision();
    if (this.disconnectedSince === undefined) {
      this.disconnectedSince = Date.now();
      this.ctx.log.warn('Watch disconnected; reconnecting', {
        prefix: this.prefix,
        url: this.ctx.url,
        resumeFrom: this.lastSeen === undefined ? undefined : this.lastSeen + 1,
        err: errorMessage(err),
      });
    }
  }

  private onCanceled(err: unknown): void {
    if (this.closed) return;
    // etcd 3.4 cancels with an empty reason when the start revision was compacted.
    const detail = errorMessage(err).replace(/^\w*Error: /, '').replace(/^Watcher canceled: ?/, '');
    const from = this.lastSeen === undefined ? 'now' : String(this.lastSeen + 1);
    this.resync(`etcd canceled the watch from revision ${from}: ${detail || 'that revision has been compacted'}`);
  }

  private resync(reason: string): void {
    this.closed = true;
    clearTimeout(this.readyTimer);
    // `ready` resolves: onResyncRequired is the one signal the caller acts on.
    this.resolveReady();
    this.ctx.onClose(this);
    void this.detach();
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

  private deliver(event: WatchEvent): void {
    try {
      this.handlers.onEvent(event);
    } catch (err) {
      this.ctx.log.error('Watch handler threw', { prefix: this.prefix, err });
    }
  }

  /** etcd3 re-sends `watcher.request` when it re-attaches: keep its start revision ours. */
  private syncResumeRevision(): void {
    if (this.lastSeen !== undefined) this.watcher.request.start_revision = String(this.lastSeen + 1);
  }

  private async detach(): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    try {
      // cancel() waits for etcd's answer; do not hang on a dead server.
      await Promise.race([
        this.watcher.cancel(),
        new Promise<void>((resolve) => {
          timer = setTimeout(resolve, this.ctx.timeoutMs);
          timer.unref();
        }),
      ]);
    } catch (err) {
      this.ctx.log.debug('Could not cancel a watch cleanly', { prefix: this.prefix, err });
    } finally {
      if (timer !== undefined) clearTimeout(timer);
    }
  }
}

function toWatchEvent(ev: IEvent, modRevision: number): WatchEvent {
  const key = ev.kv.key.toString();
  return ev.type === 'Delete'
    ? { type: 'delete', key, modRevision }
    : { type: 'put', key, value: ev.kv.value.toString(), modRevision };
}
