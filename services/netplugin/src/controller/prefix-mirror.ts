/**
 * A local copy of every record under one store prefix: list, then watch from
 * the listed revision (no missed events), re-list when the store says the
 * watch cannot continue, and retry with backoff while the store is down. The
 * copy is kept (and used) while the store is unreachable: the agent must keep
 * working without it.
 */
import type { Logger } from '@contiv/runtime';
import type { Store, Watch, WatchEvent } from '@contiv/store';

export interface PrefixMirrorOptions<T> {
  readonly store: Store;
  readonly prefix: string;
  /** Name for logs ("networks"). */
  readonly what: string;
  readonly decode: (raw: string, key: string) => T;
  readonly log: Logger;
  readonly minBackoffMs?: number;
  readonly maxBackoffMs?: number;
}

export type MirrorListener<T> = (key: string, value: T | undefined) => void;

export class PrefixMirror<T> {
  readonly entries = new Map<string, T>();
  private listeners: Array<MirrorListener<T>> = [];
  private syncWaiters: Array<() => void> = [];
  private syncListeners: Array<() => void> = [];
  private watch: Watch | undefined;
  private stopped = false;
  private synced = false;
  private timer: NodeJS.Timeout | undefined;
  private backoffMs: number;

  constructor(private readonly opts: PrefixMirrorOptions<T>) {
    this.backoffMs = opts.minBackoffMs ?? 500;
  }

  /** True once a first listing has been loaded. */
  isSynced(): boolean {
    return this.synced;
  }

  onChange(listener: MirrorListener<T>): void {
    this.listeners.push(listener);
  }

  /**
   * Called once, when the first listing is in. Change events of that listing
   * come before isSynced() turns true, so a consumer that ignores changes
   * until synced needs this to start.
   */
  onSynced(listener: () => void): void {
    if (this.synced) queueMicrotask(listener);
    else this.syncListeners.push(listener);
  }

  start(): void {
    void this.sync();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.watch?.close().catch(() => undefined);
  }

  /** Resolves true once synced, or false after `timeoutMs`. */
  waitSynced(timeoutMs: number): Promise<boolean> {
    if (this.synced) return Promise.resolve(true);
    return new Promise((resolve) => {
      const t = setTimeout(() => {
        this.syncWaiters = this.syncWaiters.filter((w) => w !== done);
        resolve(false);
      }, timeoutMs);
      const done = (): void => {
        clearTimeout(t);
        resolve(true);
      };
      this.syncWaiters.push(done);
    });
  }

  private async sync(): Promise<void> {
    if (this.stopped) return;
    const { store, prefix, log, what } = this.opts;
    try {
      await this.watch?.close().catch(() => undefined);
      this.watch = undefined;
      const listing = await store.list(prefix);
      const seen = new Set<string>();
      for (const e of listing.entries) {
        seen.add(e.key);
        this.apply(e.key, e.value);
      }
      for (const key of [...this.entries.keys()]) if (!seen.has(key)) this.remove(key);
      const watch = store.watch(
        prefix,
        {
          onEvent: (ev: WatchEvent) => (ev.type === 'put' ? this.apply(ev.key, ev.value) : this.remove(ev.key)),
          onResyncRequired: (reason) => {
            log.warn('Store watch needs a resync', { what, reason });
            this.schedule(0);
          },
        },
        { fromRevision: listing.revision + 1 },
      );
      this.watch = watch;
      await watch.ready;
      if (!this.synced) log.info('Synced state from the store', { what, count: this.entries.size, revision: listing.revision });
      this.synced = true;
      this.backoffMs = this.opts.minBackoffMs ?? 500;
      for (const w of this.syncWaiters.splice(0)) w();
      for (const l of this.syncListeners.splice(0)) l();
    } catch (err) {
      log.warn('Cannot read state from the store; retrying', { what, retryInMs: this.backoffMs, err: (err as Error).message });
      this.schedule(this.backoffMs);
      this.backoffMs = Math.min(this.backoffMs * 2, this.opts.maxBackoffMs ?? 15_000);
    }
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.sync(), ms);
  }

  private apply(key: string, raw: string): void {
    let value: T;
    try {
      value = this.opts.decode(raw, key);
    } catch (err) {
      this.opts.log.warn('Ignoring an invalid store record', { key, err: (err as Error).message });
      return;
    }
    this.entries.set(key, value);
    this.emit(key, value);
  }

  private remove(key: string): void {
    if (!this.entries.delete(key)) return;
    this.emit(key, undefined);
  }

  private emit(key: string, value: T | undefined): void {
    for (const l of this.listeners) {
      try {
        l(key, value);
      } catch (err) {
        this.opts.log.error('State listener failed', { key, err });
      }
    }
  }
}
