/**
 * Every netmaster write: a store transaction (conditions + operations), then
 * the same change applied to the mirror at the transaction's revision. After a
 * failed condition, `refresh` reads the truth for the keys involved so the
 * next attempt decides on current data.
 */
import type { Store, TxnCondition, TxnOp } from '@contiv/store';
import type { StoreMirror } from './store-mirror';

/** Condition "key does not exist". */
export const absent = (key: string): TxnCondition => ({ key, modRevision: 0 });
/** Condition "key is still at this revision". */
export const unchanged = (key: string, modRevision: number): TxnCondition => ({ key, modRevision });
export const put = (key: string, value: string): TxnOp => ({ op: 'put', key, value });
export const del = (key: string): TxnOp => ({ op: 'delete', key });

/**
 * Transactions in flight at once; more wait here. A burst (1,000 agents'
 * allocations at once) then queues in netmaster, where nothing times out,
 * rather than in the store client, whose per-call deadline would fail the
 * tail of the burst (Consul's client runs its writes one at a time).
 */
export const MAX_TXNS_IN_FLIGHT = 32;

export class StoreWriter {
  private inFlight = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(
    readonly store: Store,
    private readonly mirror: StoreMirror,
  ) {}

  /** Applies `ops` if every condition holds; false when one does not. */
  async txn(conditions: readonly TxnCondition[], ops: readonly TxnOp[]): Promise<boolean> {
    if (this.inFlight >= MAX_TXNS_IN_FLIGHT) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.inFlight++;
    let res;
    try {
      res = await this.store.transact(conditions, ops);
    } finally {
      // Hand the slot to the next waiter, or give it back.
      const next = this.waiting.shift();
      if (next) next();
      else this.inFlight--;
    }
    if (!res.ok) return false;
    for (const op of ops) {
      if (op.op === 'put') this.mirror.applyPut(op.key, op.value, res.revision);
      else this.mirror.applyDelete(op.key, res.revision);
    }
    return true;
  }

  /** Re-reads `keys` from the store into the mirror. */
  async refresh(keys: readonly string[]): Promise<void> {
    await Promise.all(
      keys.map(async (key) => {
        const res = await this.store.list(key);
        const entry = res.entries.find((e) => e.key === key);
        if (entry) this.mirror.applyPut(key, entry.value, entry.modRevision);
        else this.mirror.applyDelete(key, res.revision);
      }),
    );
  }

  /** Re-reads everything under `prefix` into the mirror (keys gone from the store are dropped). */
  async refreshPrefix(prefix: string): Promise<void> {
    const res = await this.store.list(prefix);
    const present = new Set<string>();
    for (const e of res.entries) {
      present.add(e.key);
      this.mirror.applyPut(e.key, e.value, e.modRevision);
    }
    for (const e of this.mirror.list(prefix)) if (!present.has(e.key)) this.mirror.applyDelete(e.key, res.revision);
  }

  /** Deletes everything under `prefix` (may be more keys than one transaction allows). */
  async deletePrefix(prefix: string): Promise<number> {
    const n = await this.store.deletePrefix(prefix);
    await this.refreshPrefix(prefix);
    return n;
  }
}
