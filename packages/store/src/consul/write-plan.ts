/**
 * Turns store writes into Consul transaction operations plus the journal
 * operations that describe them, given the key's current raw entry (read in
 * the same snapshot as the journal head). Leased keys are held by the lease's
 * session; changing a key's lease releases the old session's hold first.
 */
import { leaseIndexKey, fromWireKey } from './consul-keys';
import { isOrphaned, kvOp, writeFlags, type ConsulKv, type TxnKvOp } from './consul-kv';
import type { JournalOp } from './journal';

export class WritePlan {
  readonly ops: TxnKvOp[] = [];
  readonly journal: JournalOp[] = [];

  /** `head`: the journal head of the snapshot the plan is made from (stamped into the flags). */
  constructor(private readonly head: number) {}

  /** Puts `value` at `wire`, held by `session` when given (a leased put), else unleased. */
  put(wire: string, current: ConsulKv | undefined, value: string, session?: string): void {
    const key = fromWireKey(wire);
    const live = this.dropOrphan(wire, current);
    if (session !== undefined) {
      const flags = writeFlags(this.head, true);
      if (live?.Session !== undefined && live.Session !== session) this.ops.push(kvOp.unlock(wire, value, live.Session, flags));
      this.ops.push(kvOp.lock(wire, value, session, flags));
      // Lets whoever sees the session end find this key and journal its deletion.
      this.ops.push(kvOp.lock(leaseIndexKey(session, wire), '', session, 0));
    } else if (live?.Session !== undefined) {
      this.ops.push(kvOp.unlock(wire, value, live.Session, writeFlags(this.head, false)));
    } else {
      this.ops.push(kvOp.set(wire, value, writeFlags(this.head, false)));
    }
    this.journal.push({ type: 'put', key, value });
  }

  /** Deletes the key; returns whether a reader could see it (orphans are deleted but count as absent). */
  delete(wire: string, current: ConsulKv | undefined): boolean {
    if (current === undefined) return false;
    this.ops.push(kvOp.delete(wire));
    this.journal.push({ type: 'delete', key: fromWireKey(wire) });
    return !isOrphaned(current);
  }

  /** Journals an orphan's deletion first, so a watcher sees its lease's end before the new value. */
  private dropOrphan(wire: string, current: ConsulKv | undefined): ConsulKv | undefined {
    if (current === undefined || !isOrphaned(current)) return current;
    this.delete(wire, current);
    return undefined;
  }
}
