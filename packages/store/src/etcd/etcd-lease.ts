import type { Etcd3, ILeaseKeepAliveResponse, Lease as Etcd3Lease } from 'etcd3';
import { LostSignal } from '../internal/lost-signal';
import { CallDeadlineError } from './etcd-errors';
import type { Logger } from '../logger';
import type { Lease } from '../store';

/** gRPC call options EtcdStore passes to every call: one absolute deadline per operation. */
export interface CallOpts {
  readonly deadline: number;
}

/**
 * Runs one etcd call under EtcdStore's deadline and retry rules. `safe` calls
 * (reads, idempotent writes) are retried after any transient failure, `unsafe`
 * ones only when the request provably never reached etcd.
 */
export type EtcdRunner = <T>(op: string, retry: 'safe' | 'unsafe', fn: (opts: CallOpts) => Promise<T>) => Promise<T>;

/**
 * A lease kept alive by etcd3's keep-alive loop, plus a watchdog: if no
 * keep-alive has been acknowledged for a whole TTL, etcd may already have
 * expired the lease, so it counts as lost (onLost fires, keep-alive stops and
 * a best-effort revoke is sent). etcd3 itself would wait two TTLs.
 */
export class EtcdLease implements Lease {
  private readonly lost: LostSignal;
  private lastAck = Date.now();
  private readonly watchdog: NodeJS.Timeout;
  private ended = false;

  private constructor(
    private readonly inner: Etcd3Lease,
    readonly id: string,
    readonly ttlSeconds: number,
    private readonly run: EtcdRunner,
    private readonly timeoutMs: number,
    private readonly log: Logger,
    private readonly onEnded: (lease: EtcdLease) => void,
  ) {
    this.lost = new LostSignal(log, `lease ${id}`);
    inner.on('keepaliveSucceeded', () => {
      this.lastAck = Date.now();
    });
    inner.on('lost', (err) => this.markLost(err.message));
    const period = Math.max(100, (ttlSeconds * 1000) / 6);
    this.watchdog = setInterval(() => this.checkKeepAlive(), period);
    this.watchdog.unref();
  }

  /**
   * Grants a lease and waits for its first keep-alive answer, which carries
   * the TTL etcd really granted (etcd raises TTLs below its minimum, 3 s by default).
   */
  static async grant(
    client: Etcd3,
    requestedTtl: number,
    run: EtcdRunner,
    timeoutMs: number,
    log: Logger,
    onEnded: (lease: EtcdLease) => void,
  ): Promise<EtcdLease> {
    if (!(requestedTtl >= 1)) throw new RangeError(`A lease TTL must be at least 1 second, got ${requestedTtl}`);
    return run('grantLease', 'safe', async (opts) => {
      const inner = client.lease(requestedTtl, { deadline: opts.deadline });
      try {
        const firstAck = new Promise<ILeaseKeepAliveResponse>((resolve, reject) => {
          inner.once('keepaliveSucceeded', resolve);
          inner.once('lost', reject);
          setTimeout(
            () => reject(new CallDeadlineError(`no keep-alive answer within ${timeoutMs} ms`)),
            Math.max(0, opts.deadline - Date.now()),
          ).unref();
        });
        firstAck.catch(() => undefined);
        const id = await inner.grant();
        const ack = await firstAck;
        const ttl = Math.max(requestedTtl, Number(ack.TTL));
        log.debug('Granted lease', { leaseId: id, ttlSeconds: ttl });
        return new EtcdLease(inner, id, ttl, run, timeoutMs, log, onEnded);
      } catch (err) {
        // Never leave a keep-alive loop running for a lease nobody holds.
        inner.release();
        throw err;
      }
    });
  }

  onLost(listener: (reason: string) => void): void {
    this.lost.add(listener);
  }

  async revoke(): Promise<void> {
    if (this.ended) return;
    this.end();
    await this.run('revokeLease', 'safe', (opts) => this.inner.revoke(opts));
    this.log.debug('Revoked lease', { leaseId: this.id });
  }

  /** Stops the keep-alive without revoking (store close): the lease expires after its TTL. */
  release(): void {
    if (this.ended) return;
    this.end();
    this.inner.release();
  }

  /** Called when etcd says the lease is gone, or the keep-alive went quiet for a TTL. */
  markLost(reason: string): void {
    if (this.ended || this.lost.fired) return;
    clearInterval(this.watchdog);
    this.onEnded(this);
    this.lost.fire(reason);
    this.log.warn('Lost lease', { leaseId: this.id, reason });
    // If etcd still has it, make sure its keys go now rather than after the TTL.
    this.inner.revoke({ deadline: Date.now() + this.timeoutMs }).catch((err: unknown) => {
      this.log.debug('Could not revoke a lost lease', { leaseId: this.id, err });
    });
  }

  private end(): void {
    this.ended = true;
    clearInterval(this.watchdog);
    this.lost.dispose();
    this.onEnded(this);
  }

  private checkKeepAlive(): void {
    const silentMs = Date.now() - this.lastAck;
    if (silentMs > this.ttlSeconds * 1000) {
      this.markLost(`no keep-alive answer from etcd for ${Math.round(silentMs / 1000)} s (TTL ${this.ttlSeconds} s)`);
    }
  }
}
