import { StoreError, isStoreError } from '../errors';
import { LostSignal } from '../internal/lost-signal';
import { delay } from '../internal/delay';
import type { Logger } from '../logger';
import type { Lease, Lock, LockOptions, Store, Watch } from '../store';

export const DEFAULT_LOCK_TTL_SECONDS = 10;

/**
 * A lock built only from Store primitives, so every backend gets the same
 * semantics: the lock is the key `name` itself, created if absent under a fresh
 * lease and holding `opts.value`. Waiters watch the key for its deletion and
 * then race to create it again (no FIFO fairness). The holder watches its own
 * key, so it learns when the lease expires or someone deletes or overwrites it.
 */
export async function acquireLeaseLock(
  store: Store,
  log: Logger,
  closed: Promise<void>,
  name: string,
  opts: LockOptions = {},
): Promise<Lock> {
  const ttlSeconds = opts.ttlSeconds ?? DEFAULT_LOCK_TTL_SECONDS;
  const value = opts.value ?? '';
  const deadline = opts.timeoutMs === undefined ? undefined : Date.now() + opts.timeoutMs;

  const lease = await store.grantLease(ttlSeconds);
  let leaseLost: string | undefined;
  const leaseLostWaiters = new Set<() => void>();
  lease.onLost((reason) => {
    leaseLost = reason;
    for (const wake of leaseLostWaiters) wake();
  });

  try {
    for (;;) {
      if (leaseLost !== undefined) {
        throw new StoreError('STORE_LEASE_LOST', `The lease for lock ${name} was lost while waiting: ${leaseLost}`);
      }
      const created = await store.create(name, value, { lease });
      if (created.ok) {
        log.debug('Acquired lock', { lock: name, revision: created.modRevision });
        return new LeaseLock(store, log, closed, name, lease, created.modRevision);
      }
      // Watch from a fresh listing rather than from the holder's modRevision,
      // which may already be compacted.
      const { entries, revision } = await store.list(name);
      const holder = entries.find((e) => e.key === name);
      if (holder === undefined) continue;
      const outcome = await waitForDeletion(store, name, revision + 1, deadline, leaseLostWaiters, closed);
      if (outcome === 'closed') throw new StoreError('STORE_CLOSED', `The store closed while waiting for lock ${name}`);
      if (outcome === 'timeout') {
        throw new StoreError(
          'STORE_LOCK_TIMEOUT',
          `Timed out after ${opts.timeoutMs ?? 0} ms waiting for lock ${name} (held by ${JSON.stringify(holder.value)})`,
        );
      }
    }
  } catch (err) {
    await lease.revoke().catch((revokeErr: unknown) => {
      log.debug('Could not revoke the lease of an abandoned lock attempt', { lock: name, err: revokeErr });
    });
    throw err;
  }
}

type WaitOutcome = 'deleted' | 'resync' | 'timeout' | 'lease-lost' | 'closed';

async function waitForDeletion(
  store: Store,
  key: string,
  fromRevision: number,
  deadline: number | undefined,
  leaseLostWaiters: Set<() => void>,
  closed: Promise<void>,
): Promise<WaitOutcome> {
  let watch: Watch | undefined;
  let timer: NodeJS.Timeout | undefined;
  let wakeOnLeaseLoss: (() => void) | undefined;
  try {
    return await new Promise<WaitOutcome>((resolve, reject) => {
      // The store closes its watches silently, so a closing store must wake us itself.
      void closed.then(() => resolve('closed'));
      wakeOnLeaseLoss = () => resolve('lease-lost');
      leaseLostWaiters.add(wakeOnLeaseLoss);
      if (deadline !== undefined) {
        timer = setTimeout(() => resolve('timeout'), Math.max(0, deadline - Date.now()));
      }
      watch = store.watch(
        key,
        {
          onEvent: (ev) => {
            if (ev.key === key && ev.type === 'delete') resolve('deleted');
          },
          onResyncRequired: () => resolve('resync'),
        },
        { fromRevision },
      );
      watch.ready.catch(reject);
    });
  } finally {
    if (timer !== undefined) clearTimeout(timer);
    if (wakeOnLeaseLoss !== undefined) leaseLostWaiters.delete(wakeOnLeaseLoss);
    await watch?.close();
  }
}

class LeaseLock implements Lock {
  private readonly lost: LostSignal;
  private released = false;
  private watch: Watch | undefined;

  constructor(
    private readonly store: Store,
    private readonly log: Logger,
    private readonly closed: Promise<void>,
    readonly name: string,
    private readonly lease: Lease,
    private readonly createRevision: number,
  ) {
    this.lost = new LostSignal(log, `lock ${name}`);
    lease.onLost((reason) => this.markLost(`its lease expired or was revoked: ${reason}`));
    this.monitor(createRevision + 1).catch((err: unknown) => {
      // Only a closed store ends up here (watch() throws synchronously then).
      this.log.debug('Stopped watching a held lock', { lock: name, err });
    });
  }

  onLost(listener: (reason: string) => void): void {
    this.lost.add(listener);
  }

  async release(): Promise<void> {
    if (this.released) return;
    this.released = true;
    this.lost.dispose();
    await this.watch?.close();
    // Revoking the lease deletes the key, which wakes the waiters.
    await this.lease.revoke();
    this.log.debug('Released lock', { lock: this.name });
  }

  private markLost(reason: string): void {
    if (this.released) return;
    if (this.lost.fire(reason)) {
      this.log.warn('Lost lock', { lock: this.name, reason });
      void this.watch?.close();
    }
  }

  /** Watches the lock key until release or loss; re-verifies after any watch gap. */
  private async monitor(fromRevision: number): Promise<void> {
    let from = fromRevision;
    while (!this.released && !this.lost.fired) {
      const outcome = await new Promise<'changed' | 'gap' | 'closed'>((resolve) => {
        void this.closed.then(() => resolve('closed'));
        this.watch = this.store.watch(
          this.name,
          {
            onEvent: (ev) => {
              if (ev.key === this.name) resolve('changed');
            },
            onResyncRequired: () => resolve('gap'),
          },
          { fromRevision: from },
        );
        this.watch.ready.catch(() => resolve('gap'));
      });
      if (this.released || this.lost.fired || outcome === 'closed') return;
      if (outcome === 'changed') {
        this.markLost('the lock key was deleted or overwritten');
        return;
      }
      await this.watch?.close();
      try {
        const { entries, revision } = await this.store.list(this.name);
        const mine = entries.find((e) => e.key === this.name);
        if (mine === undefined || mine.createRevision !== this.createRevision) {
          this.markLost('the lock key was deleted or replaced');
          return;
        }
        from = revision + 1;
      } catch (err) {
        if (isStoreError(err, 'STORE_CLOSED')) return;
        this.log.debug('Could not verify a held lock; retrying', { lock: this.name, err });
        await delay(1000, { background: true });
      }
    }
  }
}
