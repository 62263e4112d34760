/**
 * The journal: Consul keeps no history, so every write this store makes also
 * writes a record of what it changed, in the same Consul transaction. Records
 * form a chain: the write that moves the head from revision `p` to `r` stores
 * its record under `journalKey(p)`, and that record's ModifyIndex is `r`. A
 * watcher at revision `p` therefore knows the exact key of the next record and
 * waits for it with a blocking query (docs/store.md, "Consul").
 */
import { HEAD_KEY, journalKey } from './consul-keys';
import { kvOp, type TxnKvOp } from './consul-kv';

export type JournalOp =
  | { readonly type: 'put'; readonly key: string; readonly value: string }
  | { readonly type: 'delete'; readonly key: string };

const FORMAT = 1;

type WireOp = ['p', string, string] | ['d', string];

export function encodeJournal(ops: readonly JournalOp[]): string {
  const wire: WireOp[] = ops.map((op) => (op.type === 'put' ? ['p', op.key, op.value] : ['d', op.key]));
  return JSON.stringify({ f: FORMAT, ops: wire });
}

export function decodeJournal(text: string): JournalOp[] {
  const json = JSON.parse(text) as { f?: unknown; ops?: unknown };
  if (json.f !== FORMAT || !Array.isArray(json.ops)) throw new Error(`not a journal record of format ${FORMAT}`);
  return json.ops.map((item: unknown) => {
    if (Array.isArray(item) && item[0] === 'p' && typeof item[1] === 'string' && typeof item[2] === 'string') {
      return { type: 'put', key: item[1], value: item[2] };
    }
    if (Array.isArray(item) && item[0] === 'd' && typeof item[1] === 'string') return { type: 'delete', key: item[1] };
    throw new Error(`malformed journal operation ${JSON.stringify(item)}`);
  });
}

/** Journal operations that precede a write's own: check the head is where the plan saw it, move it, record. */
export const JOURNAL_TXN_OPS = 3;

export function journalTxnOps(head: number, ops: readonly JournalOp[]): TxnKvOp[] {
  return [
    head === 0 ? kvOp.checkNotExists(HEAD_KEY) : kvOp.checkIndex(HEAD_KEY, head),
    // A new value each time: Consul does not bump the index of a write that changes nothing.
    kvOp.set(HEAD_KEY, String(head)),
    kvOp.set(journalKey(head), encodeJournal(ops)),
  ];
}
