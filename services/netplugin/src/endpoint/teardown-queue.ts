/**
 * Netmaster's part of a teardown, off Docker's critical path.
 *
 * Docker's DeleteEndpoint and ReleaseAddress are answered as soon as the local
 * port and veth are gone; deleting the endpoint record and freeing the address
 * at netmaster happens here, in the background, retried until netmaster
 * answers. Docker sends ReleaseAddress right after DeleteEndpoint: when it
 * names the address of an endpoint whose record delete has not been sent yet,
 * the two become one call (DeleteEndpoint with release_address, one store
 * transaction at netmaster, conditional on the address still being that
 * endpoint's). An address Docker released is never freed before Docker said
 * so. A separate ReleaseAddress carries a guard (this host, and the pending
 * owner the address was allocated under): netmaster frees the address only
 * while that owner, or an endpoint of this host whose record is gone, holds
 * it, so a retry after a lost answer cannot take it from a newer holder. Such
 * a release waits for a record delete of the same address that is under way.
 *
 * A crash loses what is queued here. The startup reconcile
 * (controller/endpoint-reconciler.ts) finds it again: records of this host
 * whose port is gone, and addresses of this host that no endpoint holds.
 */
import { isRpcError } from '@contiv/rpc';
import type { Logger } from '@contiv/runtime';
import type { ControlApi } from '../control/control-api';
import { errorMessage } from '../errors';

/** An address in a Contiv network. */
export interface NetworkAddress {
  readonly tenantName: string;
  readonly networkName: string;
  /** Bare IPv4. */
  readonly ip: string;
}

export interface TeardownQueueOptions {
  readonly control: Pick<ControlApi, 'DeleteEndpoint' | 'ReleaseAddress'>;
  readonly log: Logger;
  /** How long a record delete waits for Docker's ReleaseAddress of the same address, to send both as one call. */
  readonly mergeWaitMs?: number;
  /** First retry delay after a failure (doubles up to retryMaxMs). */
  readonly retryFirstMs?: number;
  readonly retryMaxMs?: number;
}

interface EndpointJob {
  readonly kind: 'endpoint';
  readonly endpointId: string;
  readonly address: NetworkAddress | undefined;
  release: boolean;
  readonly requestId: string | undefined;
}

interface AddressJob {
  readonly kind: 'address';
  readonly address: NetworkAddress;
  readonly requestId: string | undefined;
  readonly guard: ReleaseGuard | undefined;
}

/**
 * Who the address is freed for (ReleaseNetworkAddressRequest's host and
 * owner): netmaster frees it only while its holder is `owner` or an endpoint
 * of `host` whose record is gone, so a release that arrives late or is
 * retried after a lost answer never frees an address handed out again.
 */
export interface ReleaseGuard {
  readonly host: string;
  /** The pending owner the address was allocated under, "" if not known. */
  readonly owner: string;
}

type Job = EndpointJob | AddressJob;

interface Entry {
  readonly job: Job;
  /** Sent at least once: a record delete is then never widened to release the address (see releaseAddress). */
  sent: boolean;
  /** A call is in flight right now. */
  sending: boolean;
  attempt: number;
  /** Waiting for a merge or for the next retry. */
  timer: NodeJS.Timeout | undefined;
  /** Address releases that wait for this record delete (a guarded release needs the record gone first). */
  readonly then: Entry[];
  /** Set on a release queued behind a record delete. */
  blocked: boolean;
}

export const addressKey = (a: NetworkAddress): string => `${a.tenantName}/${a.networkName}/${a.ip}`;

export class TeardownQueue {
  private readonly entries = new Set<Entry>();
  /** Record deletes not sent yet, by the address their endpoint held (for merging Docker's ReleaseAddress). */
  private readonly awaitingRelease = new Map<string, Entry>();
  /** Record deletes sent and not done yet, by the address their endpoint held. */
  private readonly deleting = new Map<string, Entry>();
  private idleWaiters: Array<() => void> = [];
  private stopped = false;

  constructor(private readonly o: TeardownQueueOptions) {}

  /** Deletes the record of an endpoint whose port and veth are gone (and its address, if Docker releases it meanwhile). */
  deleteEndpoint(endpointId: string, address: NetworkAddress | undefined, requestId?: string): void {
    const entry = this.add({ kind: 'endpoint', endpointId, address, release: false, requestId });
    if (!address) {
      this.run(entry);
      return;
    }
    this.awaitingRelease.set(addressKey(address), entry);
    entry.timer = setTimeout(() => this.run(entry), this.o.mergeWaitMs ?? 200);
  }

  /**
   * Frees an address Docker released. Merged into the record delete of the
   * endpoint that held it only if that delete was never sent: a delete that
   * may have succeeded already would find no record and free nothing.
   */
  releaseAddress(address: NetworkAddress, requestId?: string, guard?: ReleaseGuard): void {
    const key = addressKey(address);
    const waiting = this.awaitingRelease.get(key);
    if (waiting && !waiting.sent && waiting.job.kind === 'endpoint') {
      waiting.job.release = true;
      this.run(waiting);
      return;
    }
    const entry = this.add({ kind: 'address', address, requestId, guard });
    const deleting = this.deleting.get(key);
    if (guard && deleting) {
      // Netmaster keeps an address whose endpoint record still exists: free it once the record is gone.
      entry.blocked = true;
      deleting.then.push(entry);
      return;
    }
    this.run(entry);
  }

  /** Whether a record delete not sent yet would take this address along if it were released now. */
  awaitsRelease(address: NetworkAddress): boolean {
    const waiting = this.awaitingRelease.get(addressKey(address));
    return waiting !== undefined && !waiting.sent;
  }

  /** Whether netmaster work for this endpoint is outstanding (the reconciler leaves it alone). */
  hasEndpoint(endpointId: string): boolean {
    return [...this.entries].some((e) => e.job.kind === 'endpoint' && e.job.endpointId === endpointId);
  }

  /** Whether netmaster work for this address is outstanding. */
  hasAddress(address: NetworkAddress): boolean {
    const key = addressKey(address);
    return [...this.entries].some((e) => e.job.address !== undefined && addressKey(e.job.address) === key);
  }

  get size(): number {
    return this.entries.size;
  }

  /** Resolves when nothing is outstanding. */
  idle(): Promise<void> {
    if (this.entries.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /**
   * On shutdown: sends what waits for a merge now, then waits up to timeoutMs
   * for the rest. Returns how many calls were not made (the next start's
   * reconcile does them).
   */
  async drain(timeoutMs: number): Promise<number> {
    for (const e of this.entries) if (!e.sending && !e.blocked) this.run(e);
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.idle(), new Promise<void>((r) => (timer = setTimeout(r, timeoutMs)))]);
    if (timer) clearTimeout(timer);
    this.stopped = true;
    for (const e of this.entries) if (e.timer) clearTimeout(e.timer);
    const left = this.entries.size;
    if (left > 0) this.o.log.warn('Netmaster calls left undone at shutdown; the next start reconciles them', { left });
    return left;
  }

  private add(job: Job): Entry {
    const entry: Entry = { job, sent: false, sending: false, attempt: 0, timer: undefined, then: [], blocked: false };
    this.entries.add(entry);
    return entry;
  }

  private run(entry: Entry): void {
    if (this.stopped || entry.sending) return;
    if (entry.timer) clearTimeout(entry.timer);
    entry.timer = undefined;
    entry.sent = true;
    entry.sending = true;
    const { job } = entry;
    if (job.kind === 'endpoint' && job.address) {
      const key = addressKey(job.address);
      if (this.awaitingRelease.get(key) === entry) this.awaitingRelease.delete(key);
      this.deleting.set(key, entry);
    }
    void this.send(job).then(
      () => this.done(entry),
      (err: unknown) => {
        entry.sending = false;
        // Nothing to delete any more, or a request netmaster will never accept: done either way.
        if (isRpcError(err, 'NOT_FOUND')) return this.done(entry);
        if (isRpcError(err, 'INVALID_ARGUMENT')) {
          this.o.log.error('Netmaster refused a teardown call; dropping it', { ...describe(job), err: errorMessage(err) });
          return this.done(entry);
        }
        entry.attempt++;
        const wait = Math.min((this.o.retryFirstMs ?? 500) * 2 ** (entry.attempt - 1), this.o.retryMaxMs ?? 30_000);
        const log = entry.attempt === 1 ? 'warn' : 'debug';
        this.o.log[log]('Netmaster teardown call failed; retrying', { ...describe(job), attempt: entry.attempt, retryInMs: wait, err: errorMessage(err) });
        if (this.stopped) return;
        entry.timer = setTimeout(() => this.run(entry), wait);
      },
    );
  }

  private send(job: Job): Promise<void> {
    if (job.kind === 'endpoint') return this.o.control.DeleteEndpoint({ endpointId: job.endpointId, releaseAddress: job.release }, job.requestId);
    const { tenantName, networkName, ip } = job.address;
    return this.o.control.ReleaseAddress({ tenantName, networkName, address: ip, ...(job.guard ? { host: job.guard.host, owner: job.guard.owner } : {}) }, job.requestId);
  }

  private done(entry: Entry): void {
    this.entries.delete(entry);
    const { job } = entry;
    if (job.kind === 'endpoint' && job.address && this.deleting.get(addressKey(job.address)) === entry) this.deleting.delete(addressKey(job.address));
    for (const next of entry.then.splice(0)) {
      next.blocked = false;
      this.run(next);
    }
    if (entry.attempt > 0) this.o.log.info('Netmaster teardown call done after retrying', { ...describe(entry.job), attempts: entry.attempt + 1 });
    if (this.entries.size > 0) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const w of waiters) w();
  }
}

function describe(job: Job): Record<string, unknown> {
  return job.kind === 'endpoint'
    ? { call: 'DeleteEndpoint', endpointId: job.endpointId.slice(0, 12), releaseAddress: job.release, requestId: job.requestId }
    : { call: 'ReleaseAddress', network: `${job.address.tenantName}:${job.address.networkName}`, address: job.address.ip, requestId: job.requestId };
}
