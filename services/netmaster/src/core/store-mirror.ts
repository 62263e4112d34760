/**
 * An in-memory copy of everything under one store prefix, loaded with a list
 * and kept current by a watch from the listing's revision (so nothing is
 * missed). Netmaster answers reads and picks allocation candidates from it;
 * the store stays the truth: every write is a conditional store operation,
 * applied here right after it succeeds (so a GET after a POST sees it) and
 * again, harmlessly, when the watch delivers it.
 */
import type { Logger } from '@contiv/runtime';
import type { Store, Watch, WatchEvent } from '@contiv/store';

export class MirrorEntry {
  /** Parsed form, cached by the reader that decoded it (entries are replaced, never mutated). */
  decoded?: unknown;
  constructor(
    readonly key: string,
    readonly value: string,
    readonly modRevision: number,
  ) {}
}

export interface MirrorListener {
  onChange(key: string, entry: MirrorEntry | undefined): void;
  /** The whole content was reloaded: rebuild anything derived from it. */
  onReset(): void;
}

export class StoreMirror {
  private readonly entries = new Map<string, MirrorEntry>();
  /** Revision of our own recent deletes, so an older watch event cannot resurrect a key. */
  private readonly tombstones = new Map<string, number>();
  private readonly buckets = new Map<string, Map<string, MirrorEntry>>();
  private readonly listeners: { prefix: string; listener: MirrorListener }[] = [];
  private watch?: Watch;
  private revision = 0;
  private closed = false;
  private loaded = false;

  constructor(
    private readonly store: Store,
    readonly prefix: string,
    private readonly log: Logger,
  ) {}

  get ready(): boolean {
    return this.loaded;
  }

  /** Keeps an index of the keys under `prefix` so `list(prefix)` does not scan everything. */
  addBucket(prefix: string): void {
    const bucket = new Map<string, MirrorEntry>();
    for (const [k, e] of this.entries) if (k.startsWith(prefix)) bucket.set(k, e);
    this.buckets.set(prefix, bucket);
  }

  subscribe(prefix: string, listener: MirrorListener): void {
    this.listeners.push({ prefix, listener });
  }

  /** Lists and starts watching; resolves once the content is loaded. */
  async start(): Promise<void> {
    const res = await this.store.list(this.prefix);
    this.entries.clear();
    this.tombstones.clear();
    for (const b of this.buckets.values()) b.clear();
    for (const e of res.entries) this.set(new MirrorEntry(e.key, e.value, e.modRevision));
    this.revision = res.revision;
    this.loaded = true;
    for (const { listener } of this.listeners) listener.onReset();
    this.watch = this.store.watch(
      this.prefix,
      {
        onEvent: (ev) => this.onEvent(ev),
        onResyncRequired: (reason) => this.resync(reason),
      },
      { fromRevision: res.revision + 1 },
    );
    await this.watch.ready;
    this.log.info('Loaded store content', { prefix: this.prefix, keys: this.entries.size, revision: res.revision });
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.watch?.close();
  }

  get(key: string): MirrorEntry | undefined {
    return this.entries.get(key);
  }

  /** Entries under `prefix`, in no particular order. */
  list(prefix: string): MirrorEntry[] {
    const bucket = this.buckets.get(prefix);
    if (bucket) return [...bucket.values()];
    const out: MirrorEntry[] = [];
    for (const [k, e] of this.entries) if (k.startsWith(prefix)) out.push(e);
    return out;
  }

  /** Records a write that succeeded in the store. */
  applyPut(key: string, value: string, modRevision: number): void {
    const cur = this.entries.get(key);
    if (cur && cur.modRevision >= modRevision) return;
    if ((this.tombstones.get(key) ?? 0) >= modRevision) return;
    this.set(new MirrorEntry(key, value, modRevision));
  }

  /** Records a delete that succeeded in the store at `revision`. */
  applyDelete(key: string, revision: number): void {
    const cur = this.entries.get(key);
    if (cur && cur.modRevision > revision) return;
    this.tombstones.set(key, revision);
    this.remove(key);
  }

  private onEvent(ev: WatchEvent): void {
    this.revision = Math.max(this.revision, ev.modRevision);
    if (ev.type === 'put') this.applyPut(ev.key, ev.value, ev.modRevision);
    else this.applyDelete(ev.key, ev.modRevision);
    if (this.tombstones.size > 256) {
      for (const [k, rev] of this.tombstones) if (rev <= this.revision) this.tombstones.delete(k);
    }
  }

  private resync(reason: string): void {
    if (this.closed) return;
    this.log.warn('Store watch lost its place, reloading', { prefix: this.prefix, reason });
    const retry = (): void => {
      if (this.closed) return;
      this.start().catch((err: unknown) => {
        this.log.warn('Reloading store content failed, retrying', { err });
        setTimeout(retry, 1000).unref();
      });
    };
    retry();
  }

  private set(entry: MirrorEntry): void {
    this.entries.set(entry.key, entry);
    for (const [prefix, bucket] of this.buckets) if (entry.key.startsWith(prefix)) bucket.set(entry.key, entry);
    this.notify(entry.key, entry);
  }

  private remove(key: string): void {
    if (!this.entries.delete(key)) return;
    for (const [prefix, bucket] of this.buckets) if (key.startsWith(prefix)) bucket.delete(key);
    this.notify(key, undefined);
  }

  private notify(key: string, entry: MirrorEntry | undefined): void {
    if (!this.loaded) return;
    for (const { prefix, listener } of this.listeners) if (key.startsWith(prefix)) listener.onChange(key, entry);
  }
}
