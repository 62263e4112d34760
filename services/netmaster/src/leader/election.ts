/**
 * Leader election over the store lock `netmasterLeaderLock()`, whose value is
 * the holder's advertised address (docs/architecture.md, "Several netmasters").
 * Every netmaster runs one; the holder leads, the others wait here as
 * followers (they forward requests to the leader, see rest-forward.ts and
 * control-forward.ts) and take over when the holder's lease expires.
 *
 * Fencing: once the lock is won, `fence` is the condition "the lock key is
 * still the one this netmaster created" (its modRevision). The FencedStore
 * adds it to every write, so a leader whose lease expired behind its back (a
 * partition, a long pause) cannot commit anything, even before it notices.
 */
import type { Logger } from '@contiv/runtime';
import type { Lock, Store, TxnCondition } from '@contiv/store';

export interface LeaderElectionOptions {
  readonly store: Store;
  readonly lockName: string;
  /** Stored as the lock's value: how others reach the leader. */
  readonly advertiseAddress: string;
  readonly ttlSeconds: number;
  readonly log: Logger;
  /**
   * Runs once the lock is held and the fence is set, before serving writes
   * (catch up with the store, bootstrap); its argument is the lock key's
   * revision. A failure gives the lock up and retries.
   */
  readonly onElected: (lockRevision: number) => Promise<void>;
  /** The lock was lost (lease expired, store unreachable too long): stop writing at once. */
  readonly onDemoted: (reason: string) => void;
  /** Pause between attempts after a failure. */
  readonly retryDelayMs?: number;
}

export class LeaderElection {
  private lock?: Lock;
  private fenceCondition?: TxnCondition;
  private stopped = false;
  private wakeStop?: () => void;
  private abdicate?: (reason: string) => void;
  private running?: Promise<void>;

  constructor(private readonly opts: LeaderElectionOptions) {}

  get isLeader(): boolean {
    return this.lock !== undefined;
  }

  /**
   * The condition every write of this netmaster must carry: the lock key is
   * still ours. Undefined while not holding the lock (then nothing may be written).
   */
  get fence(): TxnCondition | undefined {
    return this.fenceCondition;
  }

  start(): void {
    this.running ??= this.loop();
  }

  /**
   * The store refused a fenced write: the lock is no longer ours even if the
   * lock's own watch has not said so yet. Stop leading now and wait for the lock again.
   */
  lost(reason: string): void {
    this.fenceCondition = undefined;
    this.abdicate?.(reason);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.fenceCondition = undefined;
    this.wakeStop?.();
    const lock = this.lock;
    this.lock = undefined;
    if (lock) await lock.release().catch((err: unknown) => this.opts.log.warn('Could not release the leader lock', { err }));
    await this.running;
  }

  /** The fence for a lock just won: the lock key's revision, read back (the Lock API does not expose it). */
  private async readFence(): Promise<TxnCondition> {
    const { store, lockName, advertiseAddress } = this.opts;
    const entry = await store.get(lockName);
    if (!entry || entry.value !== advertiseAddress) {
      throw new Error(`the leader lock ${lockName} was gone or held by ${entry?.value ?? 'nobody'} right after it was acquired`);
    }
    return { key: lockName, modRevision: entry.modRevision };
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
        let lostReason: string | undefined;
        const lost = new Promise<string>((resolve) =>
          held.onLost((reason) => {
            // Unfence at once, before anything awaits: no write may start after this.
            lostReason = reason;
            this.fenceCondition = undefined;
            resolve(reason);
          }),
        );
        const fence = await this.readFence();
        if (lostReason !== undefined) throw new Error(`lost the leader lock while taking over: ${lostReason}`);
        this.fenceCondition = fence;
        await this.opts.onElected(fence.modRevision);
        if (lostReason !== undefined) throw new Error(`lost the leader lock while taking over: ${lostReason}`);
        this.lock = held;
        log.info('Became the leader', { lock: lockName, advertiseAddress, lockRevision: fence.modRevision });
        const abdicated = new Promise<string>((resolve) => (this.abdicate = resolve));
        const reason = await Promise.race([lost, stopSignal, abdicated]);
        this.abdicate = undefined;
        if (this.stopped) return;
        this.fenceCondition = undefined;
        this.lock = undefined;
        // Revoking our lease is harmless if the key is someone else's now, and frees it if not.
        await held.release().catch(() => undefined);
        log.error('Lost the leader lock; following the new leader until it is won back', { reason });
        this.opts.onDemoted(reason);
      } catch (err) {
        this.fenceCondition = undefined;
        if (this.stopped) return;
        this.lock = undefined;
        if (lock) await lock.release().catch(() => undefined);
        this.opts.onDemoted(err instanceof Error ? err.message : String(err));
        log.warn('Could not become the leader, retrying', { err });
        await Promise.race([new Promise((r) => setTimeout(r, this.opts.retryDelayMs ?? 1000).unref()), stopSignal]);
      }
    }
  }
}
