/**
 * Leader election over the store lock `netmasterLeaderLock()`, whose value is
 * the holder's advertised address. Today one netmaster runs and simply holds
 * the lock; with several, the others wait here as followers (reads served
 * from their store copy, writes refused with the leader's address) and take
 * over when the holder's lease expires.
 */
import type { Logger } from '@contiv/runtime';
import type { Lock, Store } from '@contiv/store';

export interface LeaderElectionOptions {
  readonly store: Store;
  readonly lockName: string;
  /** Stored as the lock's value: how others reach the leader. */
  readonly advertiseAddress: string;
  readonly ttlSeconds: number;
  readonly log: Logger;
  /** Runs once the lock is held, before serving writes; a failure gives the lock up and retries. */
  readonly onElected: () => Promise<void>;
  /** The lock was lost (lease expired, store unreachable too long): stop writing at once. */
  readonly onDemoted: (reason: string) => void;
  /** Pause between attempts after a failure. */
  readonly retryDelayMs?: number;
}

export class LeaderElection {
  private lock?: Lock;
  private stopped = false;
  private wakeStop?: () => void;
  private running?: Promise<void>;

  constructor(private readonly opts: LeaderElectionOptions) {}

  get isLeader(): boolean {
    return this.lock !== undefined;
  }

  start(): void {
    this.running ??= this.loop();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.wakeStop?.();
    const lock = this.lock;
    this.lock = undefined;
    if (lock) await lock.release().catch((err: unknown) => this.opts.log.warn('Could not release the leader lock', { err }));
    await this.running;
  }

  private async loop(): Promise<void> {
    const { store, lockName, advertiseAddress, ttlSeconds, log } = this.opts;
    const stopSignal = new Promise<string>((resolve) => (this.wakeStop = () => resolve('stopping')));
    while (!this.stopped) {
      let lock: Lock | undefined;
      try {
        log.info('Waiting for the leader lock', { lock: lockName, advertiseAddress });
        lock = await Promise.race([store.lock(lockName, { value: advertiseAddress, ttlSeconds }), stopSignal.then(() => undefined)]);
        if (!lock) return;
        if (this.stopped) {
          await lock.release();
          return;
        }
        const held = lock;
        const lost = new Promise<string>((resolve) => held.onLost(resolve));
        await this.opts.onElected();
        this.lock = held;
        log.info('Became the leader', { lock: lockName, advertiseAddress });
        const reason = await Promise.race([lost, stopSignal]);
        if (this.stopped) return;
        this.lock = undefined;
        log.error('Lost the leader lock; serving reads only until it is won back', { reason });
        this.opts.onDemoted(reason);
      } catch (err) {
        if (this.stopped) return;
        this.lock = undefined;
        if (lock) await lock.release().catch(() => undefined);
        log.warn('Could not become the leader, retrying', { err });
        await Promise.race([new Promise((r) => setTimeout(r, this.opts.retryDelayMs ?? 1000).unref()), stopSignal]);
      }
    }
  }
}
