/**
 * Why this netmaster does not lead, when the reason is the cluster store.
 * A store outage takes the leader lock with it (the lease cannot be kept
 * alive), and nobody can lead until the store is back; "not the leader" (503
 * NOT_LEADER, which netctl and the agents retry as a failover) would hide
 * that. So from the moment the lock is lost, writes are refused with the
 * store's STORE_UNAVAILABLE (both fail fast on it, naming the store) until a
 * read of the store succeeds again. When the lock went for another reason
 * (the store answers), that read takes milliseconds.
 */
import type { Logger } from '@contiv/runtime';
import { isStoreError, StoreError, type Store } from '@contiv/store';
import type { Gate } from './gate';

export interface StoreOutageOptions {
  readonly store: Pick<Store, 'get' | 'url'>;
  readonly gate: Pick<Gate, 'setStoreError'>;
  /** A key to read (the leader lock). */
  readonly probeKey: string;
  readonly log: Logger;
  /** Between reads while the store does not answer. */
  readonly retryMs?: number;
}

export class StoreOutage {
  private probing = false;
  private down = false;
  private error: Error | undefined;
  /** One warning per outage, not one per probe. */
  private warned = false;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(private readonly o: StoreOutageOptions) {}

  /** The leader lock was lost, or winning it failed (`reason`): refuse writes as a store outage until the store answers. */
  demoted(reason: string): void {
    if (this.stopped) return;
    if (!this.down) {
      this.down = true;
      this.setError(new StoreError('STORE_UNAVAILABLE', `${this.o.store.url} does not keep this netmaster's leader lock (${reason}); no netmaster can write until it answers`));
    }
    void this.probe();
  }

  /** The store answered (an election won, a watch event): writes are a matter of leadership again. */
  available(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (!this.down) return;
    this.down = false;
    this.setError(undefined);
    if (this.warned) this.o.log.info('The cluster store answers again', { store: this.o.store.url });
    this.warned = false;
  }

  /** For a write refused for want of the lock (FencedStore): the store's error while it is away. */
  throwIfDown(): void {
    if (this.error) throw this.error;
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
  }

  private setError(err: Error | undefined): void {
    this.error = err;
    this.o.gate.setStoreError(err);
  }

  private async probe(): Promise<void> {
    if (this.probing || this.stopped) return;
    this.probing = true;
    try {
      await this.o.store.get(this.o.probeKey);
      this.available();
    } catch (err) {
      if (!this.down || this.stopped) return;
      if (isStoreError(err, 'STORE_UNAVAILABLE')) this.setError(err);
      if (!this.warned) this.o.log.warn('The cluster store does not answer: writes are refused until it does', { store: this.o.store.url, err: err instanceof Error ? err.message : String(err) });
      this.warned = true;
      if (this.timer) clearTimeout(this.timer);
      this.timer = setTimeout(() => void this.probe(), this.o.retryMs ?? 1_000);
      this.timer.unref();
    } finally {
      this.probing = false;
    }
  }
}
