import type { Etcd3, IKeyValue, IRequestOp, ITxnResponse } from 'etcd3';
import { StoreError } from '../errors';
import { deferred } from '../internal/deferred';
import { delay } from '../internal/delay';
import { prefixRangeEnd } from '../internal/prefix';
import { checkFromRevision } from '../internal/validate';
import { acquireLeaseLock } from '../lock/lease-lock';
import { noopLogger, type Logger } from '../logger';
import type {
  CasResult,
  Lease,
  ListResult,
  Lock,
  LockOptions,
  PutOptions,
  Store,
  StoreEntry,
  TxnCondition,
  TxnOp,
  TxnResult,
  Watch,
  WatchHandlers,
  WatchOptions,
} from '../store';
import { createEtcdClient } from './etcd-client';
import { CallDeadlineError, classifyEtcdError, errorMessage, isCompactedError } from './etcd-errors';
import { EtcdLease, type CallOpts } from './etcd-lease';
import { EtcdWatch } from './etcd-watch';

export interface EtcdStoreOptions {
  /** Client endpoints, `http://host:port`. */
  readonly endpoints: readonly string[];
  /** Shown in logs and errors; default `etcd://host:port[,host:port]`. */
  readonly url?: string;
  readonly logger?: Logger;
  /** Bound on every operation, retries included (default 5000 ms). */
  readonly timeoutMs?: number;
}

export const DEFAULT_STORE_TIMEOUT_MS = 5000;
/** Keys per page when listing, so a large prefix never hits gRPC's message size limit. */
const LIST_PAGE_SIZE = 500;
const RETRY_FIRST_MS = 50;
const RETRY_MAX_MS = 1000;
/** Our own timer fires this long after the gRPC deadline, should a call ignore it. */
const BACKSTOP_GRACE_MS = 250;
const ZERO_KEY = Buffer.from([0]);

/**
 * The Store on etcd v3 through the `etcd3` client. Every operation has one
 * deadline (`timeoutMs`) covering its retries, so a dead etcd gives
 * STORE_UNAVAILABLE within that time. Within it, a call is retried when the
 * request provably never reached etcd (no connection, no leader), and reads
 * also after any transient failure; a write whose outcome is unknown is not
 * retried (see docs/store.md).
 */
export class EtcdStore implements Store {
  readonly url: string;
  private readonly client: Etcd3;
  private readonly log: Logger;
  private readonly timeoutMs: number;
  private closed = false;
  private readonly closedSignal = deferred();
  private readonly watches = new Set<EtcdWatch>();
  private readonly leases = new Set<EtcdLease>();

  constructor(options: EtcdStoreOptions) {
    if (options.endpoints.length === 0) throw new RangeError('EtcdStore needs at least one endpoint');
    this.url = options.url ?? `etcd://${options.endpoints.map((e) => e.replace(/^https?:\/\//, '')).join(',')}`;
    this.log = (options.logger ?? noopLogger).child({ component: 'store', store: this.url });
    this.timeoutMs = options.timeoutMs ?? DEFAULT_STORE_TIMEOUT_MS;
    this.client = createEtcdClient(options.endpoints);
  }

  async get(key: string): Promise<StoreEntry | undefined> {
    const res = await this.run('get', 'safe', (o) => this.client.kv.range({ key: Buffer.from(key) }, o));
    const kv = res.kvs[0];
    return kv === undefined ? undefined : toEntry(kv);
  }

  async list(prefix: string): Promise<ListResult> {
    return this.run('list', 'safe', async (o) => {
      for (let attempt = 1; ; attempt++) {
        try {
          return await this.listPages(prefix, o);
        } catch (err) {
          // The pinned revision was compacted between two pages: start over.
          if (!isCompactedError(err) || attempt >= 3) throw err;
        }
      }
    });
  }

  async put(key: string, value: string, opts?: PutOptions): Promise<number> {
    const res = await this.run(
      'put',
      'unsafe',
      (o) => this.client.kv.put(putRequest(key, value, opts?.lease), o),
      opts?.lease,
    );
    return Number(res.header.revision);
  }

  async create(key: string, value: string, opts?: PutOptions): Promise<CasResult> {
    const res = await this.txn(
      'create',
      [{ key: Buffer.from(key), target: 'Create', result: 'Equal', create_revision: 0 }],
      [{ request_put: putRequest(key, value, opts?.lease) }],
      key,
      opts?.lease,
    );
    return casResult(res);
  }

  async compareAndSwap(key: string, expectedModRevision: number, value: string, opts?: PutOptions): Promise<CasResult> {
    const res = await this.txn(
      'compareAndSwap',
      [modRevisionIs(key, expectedModRevision)],
      [{ request_put: putRequest(key, value, opts?.lease) }],
      key,
      opts?.lease,
    );
    return casResult(res);
  }

  async delete(key: string): Promise<boolean> {
    const res = await this.run('delete', 'unsafe', (o) => this.client.kv.deleteRange({ key: Buffer.from(key) }, o));
    return Number(res.deleted) > 0;
  }

  async compareAndDelete(key: string, expectedModRevision: number): Promise<CasResult> {
    const res = await this.txn(
      'compareAndDelete',
      [modRevisionIs(key, expectedModRevision)],
      [{ request_delete_range: { key: Buffer.from(key) } }],
      key,
    );
    return casResult(res);
  }

  async deletePrefix(prefix: string): Promise<number> {
    const res = await this.run('deletePrefix', 'unsafe', (o) => this.client.kv.deleteRange(prefixRange(prefix), o));
    return Number(res.deleted);
  }

  async transact(conditions: readonly TxnCondition[], ops: readonly TxnOp[]): Promise<TxnResult> {
    const seen = new Set<string>();
    for (const op of ops) {
      if (seen.has(op.key)) throw new RangeError(`A transaction names key ${op.key} twice`);
      seen.add(op.key);
    }
    const success: IRequestOp[] = ops.map((op) =>
      op.op === 'put'
        ? { request_put: putRequest(op.key, op.value, op.lease) }
        : { request_delete_range: { key: Buffer.from(op.key) } },
    );
    const res = await this.run('transact', 'unsafe', (o) =>
      this.client.kv.txn({ compare: conditions.map((c) => modRevisionIs(c.key, c.modRevision)), success }, o),
    );
    return res.succeeded ? { ok: true, revision: Number(res.header.revision) } : { ok: false };
  }

  watch(prefix: string, handlers: WatchHandlers, opts: WatchOptions = {}): Watch {
    this.checkOpen('watch');
    checkFromRevision(opts.fromRevision);
    const watch = new EtcdWatch(this.client, prefix, handlers, opts, {
      log: this.log,
      url: this.url,
      timeoutMs: this.timeoutMs,
      onClose: (w) => this.watches.delete(w),
    });
    this.watches.add(watch);
    return watch;
  }

  async grantLease(ttlSeconds: number): Promise<Lease> {
    const lease = await EtcdLease.grant(this.client, ttlSeconds, this.run, this.timeoutMs, this.log, (l) =>
      this.leases.delete(l),
    );
    this.leases.add(lease);
    return lease;
  }

  lock(name: string, opts?: LockOptions): Promise<Lock> {
    return acquireLeaseLock(this, this.log, this.closedSignal.promise, name, opts);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.closedSignal.resolve();
    await Promise.all([...this.watches].map((w) => w.close()));
    for (const lease of this.leases) lease.release();
    this.leases.clear();
    this.client.close();
  }

  private async listPages(prefix: string, o: CallOpts): Promise<ListResult> {
    const range = prefixRange(prefix);
    const entries: StoreEntry[] = [];
    let revision: string | undefined;
    let start = range.key;
    for (;;) {
      const res = await this.client.kv.range(
        { key: start, range_end: range.range_end, limit: LIST_PAGE_SIZE, revision: revision ?? 0 },
        o,
      );
      // Later pages read at the first page's revision, so the listing is one snapshot.
      revision ??= res.header.revision;
      for (const kv of res.kvs) entries.push(toEntry(kv));
      const last = res.kvs[res.kvs.length - 1];
      if (!res.more || last === undefined) break;
      start = Buffer.concat([last.key, ZERO_KEY]);
    }
    return { entries, revision: Number(revision) };
  }

  private txn(
    op: string,
    compare: NonNullable<Parameters<Etcd3['kv']['txn']>[0]['compare']>,
    success: IRequestOp[],
    key: string,
    lease?: Lease,
  ): Promise<ITxnResponse> {
    // On failure the same transaction reads the key, so a conflict reports what won.
    const failure: IRequestOp[] = [{ request_range: { key: Buffer.from(key) } }];
    return this.run(op, 'unsafe', (o) => this.client.kv.txn({ compare, success, failure }, o), lease);
  }

  /** See EtcdRunner. An arrow function so leases can hold it. */
  private readonly run = async <T>(
    op: string,
    retry: 'safe' | 'unsafe',
    fn: (opts: CallOpts) => Promise<T>,
    lease?: Lease,
  ): Promise<T> => {
    this.checkOpen(op);
    const deadline = Date.now() + this.timeoutMs;
    for (let attempt = 0; ; attempt++) {
      try {
        return await withBackstop(fn({ deadline }), deadline + BACKSTOP_GRACE_MS, op);
      } catch (err) {
        this.checkOpen(op);
        const failure = classifyEtcdError(err);
        const detail = errorMessage(err);
        switch (failure) {
          case 'closed':
            throw new StoreError('STORE_CLOSED', `The store for ${this.url} was closed (${op})`, { cause: err });
          case 'lease-lost':
            if (lease instanceof EtcdLease) lease.markLost(`etcd no longer has the lease (${op})`);
            throw new StoreError('STORE_LEASE_LOST', `etcd at ${this.url} no longer has the lease used by ${op}`, {
              cause: err,
            });
          case 'rejected':
            throw new Error(`etcd at ${this.url} rejected ${op}: ${detail}`, { cause: err });
          case 'timeout':
            throw new StoreError('STORE_UNAVAILABLE', `etcd at ${this.url} did not answer ${op} within ${this.timeoutMs} ms`, {
              cause: err,
            });
          case 'transient':
          case 'not-sent':
            break;
        }
        const wait = Math.min(RETRY_FIRST_MS * 2 ** attempt, RETRY_MAX_MS, deadline - Date.now() - RETRY_FIRST_MS);
        if (failure === 'transient' && retry === 'unsafe') {
          throw new StoreError(
            'STORE_UNAVAILABLE',
            `etcd at ${this.url} failed during ${op}; the write may or may not have been applied: ${detail}`,
            { cause: err },
          );
        }
        if (wait <= 0) {
          throw new StoreError('STORE_UNAVAILABLE', `etcd at ${this.url} is unavailable (${op}): ${detail}`, { cause: err });
        }
        this.log.debug('Retrying an etcd call', { op, attempt, waitMs: wait, err: detail });
        await delay(wait);
      }
    }
  };

  private checkOpen(op: string): void {
    if (this.closed) throw new StoreError('STORE_CLOSED', `The store for ${this.url} was closed (${op})`);
  }
}

function toEntry(kv: IKeyValue): StoreEntry {
  const entry = {
    key: kv.key.toString(),
    value: kv.value.toString(),
    modRevision: Number(kv.mod_revision),
    createRevision: Number(kv.create_revision),
  };
  return kv.lease === '0' || kv.lease === '' ? entry : { ...entry, leaseId: kv.lease };
}

function putRequest(key: string, value: string, lease: Lease | undefined): NonNullable<IRequestOp['request_put']> {
  return { key: Buffer.from(key), value: Buffer.from(value), ...(lease === undefined ? {} : { lease: lease.id }) };
}

function modRevisionIs(key: string, modRevision: number): NonNullable<Parameters<Etcd3['kv']['txn']>[0]['compare']>[number] {
  // etcd compares a missing key's mod_revision as 0, which gives "0 = absent".
  return { key: Buffer.from(key), target: 'Mod', result: 'Equal', mod_revision: modRevision };
}

function prefixRange(prefix: string): { key: Buffer; range_end: Buffer } {
  // etcd reads key "\0" with range_end "\0" as "every key".
  if (prefix === '') return { key: ZERO_KEY, range_end: ZERO_KEY };
  const key = Buffer.from(prefix);
  return { key, range_end: prefixRangeEnd(key) };
}

function casResult(res: ITxnResponse): CasResult {
  if (res.succeeded) return { ok: true, modRevision: Number(res.header.revision) };
  const kv = res.responses[0]?.response_range?.kvs[0];
  return kv === undefined ? { ok: false } : { ok: false, current: toEntry(kv) };
}

async function withBackstop<T>(call: Promise<T>, at: number, op: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      call,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new CallDeadlineError(`${op} outlived its deadline`)), Math.max(0, at - Date.now()));
      }),
    ]);
  } finally {
    if (timer !== undefined) clearTimeout(timer);
  }
}
