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

export class StoreWriter {
  constructor(
    readonly store: Store,
    private readonly mirror: StoreMirror,
  ) {}

  /** Applies `ops` if every condition holds; false when one does not. */
  async txn(conditions: readonly TxnCondition[], ops: readonly TxnOp[]): Promise<boolean> {
    const res = await this.store.transact(conditions, ops);
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
