import { delay } from '../internal/delay';
import { LostSignal } from '../internal/lost-signal';
import type { Logger } from '../logger';
import type { Lease } from '../store';
import type { CallCtx, ConsulApi } from './consul-api';

/** Consul refuses session TTLs outside 10 s .. 24 h. */
export const CONSUL_MIN_TTL_SECONDS = 10;
export const CONSUL_MAX_TTL_SECONDS = 86_400;

/** What a lease needs from its store. */
export interface LeaseHost {
  readonly api: ConsulApi;
  readonly log: Logger;
  readonly timeoutMs: number;
  /** Aborted when the store closes: background calls stop then. */
  readonly signal: AbortSignal;
  /** Runs a call under the store's deadline and retry rules (idempotent calls only). */
  run<T>(op: string, fn: (ctx: CallCtx) => Promise<T>): Promise<T>;
  /** Journals the deletion of the keys the ended session held; best effort, never throws. */
  reapSession(sessionId: string): Promise<void>;
  onEnded(lease: ConsulLease): void;
}

/**
 * A lease is a Consul session with a TTL and behavior "release", renewed every
 * TTL/3. A watchdog counts it lost when no renewal was acknowledged for a whole
 * TTL (Consul itself waits up to twice the TTL), and a 404 on renewal means
 * Consul has already ended it. A lost lease is destroyed best effort so its
 * keys go now rather than after Consul's grace period.
 */
export class ConsulLease implements Lease {
  private readonly lost: LostSignal;
  private lastAck = Date.now();
  private readonly renewTimer: NodeJS.Timeout;
  private readonly watchdog: NodeJS.Timeout;
  private renewing = false;
  private ended = false;

  private constructor(
    private readonly host: LeaseHost,
    readonly id: string,
    readonly ttlSeconds: number,
  ) {
    this.lost = new LostSignal(host.log, `lease ${id}`);
    this.renewTimer = setInterval(() => void this.renew(), (ttlSeconds * 1000) / 3);
    this.renewTimer.unref();
    this.watchdog = setInterval(() => this.checkRenewals(), Math.max(100, (ttlSeconds * 1000) / 6));
    this.watchdog.unref();
  }

  static async grant(host: LeaseHost, requestedTtl: number): Promise<ConsulLease> {
    if (!(requestedTtl >= 1)) throw new RangeError(`A lease TTL must be at least 1 second, got ${requestedTtl}`);
    if (requestedTtl > CONSUL_MAX_TTL_SECONDS) {
      throw new RangeError(`Consul leases last at most ${CONSUL_MAX_TTL_SECONDS} s, got ${requestedTtl}`);
    }
    const ttl = Math.max(CONSUL_MIN_TTL_SECONDS, Math.ceil(requestedTtl));
    // A retried create may leave an unused session behind; it ends after its TTL.
    const id = await host.run('grantLease', (ctx) => host.api.createSession(ttl, 'contiv-store lease', ctx));
    host.log.debug('Granted lease', { leaseId: id, ttlSeconds: ttl });
    return new ConsulLease(host, id, ttl);
  }

  get isEnded(): boolean {
    return this.ended || this.lost.fired;
  }

  onLost(listener: (reason: string) => void): void {
    this.lost.add(listener);
  }

  async revoke(): Promise<void> {
    if (this.ended) return;
    this.end();
    await this.host.run('revokeLease', (ctx) => this.host.api.destroySession(this.id, ctx));
    this.host.log.debug('Revoked lease', { leaseId: this.id });
    await this.host.reapSession(this.id);
  }

  /** Stops renewing without destroying (store close): Consul ends the session after its TTL. */
  release(): void {
    if (this.ended) return;
    this.end();
  }

  /** Consul ended the session, or renewals went quiet for a TTL. */
  markLost(reason: string): void {
    if (this.ended || this.lost.fired) return;
    this.stopTimers();
    this.host.onEnded(this);
    this.lost.fire(reason);
    this.host.log.warn('Lost lease', { leaseId: this.id, reason });
    void this.destroyAfterLoss();
  }

  private end(): void {
    this.ended = true;
    this.stopTimers();
    this.lost.dispose();
    this.host.onEnded(this);
  }

  private stopTimers(): void {
    clearInterval(this.renewTimer);
    clearInterval(this.watchdog);
  }

  private async renew(): Promise<void> {
    if (this.renewing || this.isEnded) return;
    this.renewing = true;
    try {
      const known = await this.host.api.renewSession(this.id, this.ctx());
      if (this.isEnded) return;
      if (known) this.lastAck = Date.now();
      else this.markLost('Consul no longer has the session (it expired or was destroyed)');
    } catch (err) {
      this.host.log.debug('Lease renewal failed', { leaseId: this.id, err });
    } finally {
      this.renewing = false;
    }
  }

  private ctx(): CallCtx {
    return { deadline: Date.now() + this.host.timeoutMs, signal: this.host.signal };
  }

  private checkRenewals(): void {
    const silentMs = Date.now() - this.lastAck;
    if (silentMs > this.ttlSeconds * 1000) {
      this.markLost(`no renewal acknowledged by Consul for ${Math.round(silentMs / 1000)} s (TTL ${this.ttlSeconds} s)`);
    }
  }

  /**
   * Keeps trying for two TTLs, which is when Consul ends an unrenewed session
   * by itself: a holder cut off from Consul must not block its successor longer.
   */
  private async destroyAfterLoss(): Promise<void> {
    const giveUpAt = Date.now() + 2 * this.ttlSeconds * 1000;
    for (let wait = 250; Date.now() < giveUpAt && !this.host.signal.aborted; wait = Math.min(wait * 2, 2000)) {
      try {
        await this.host.api.destroySession(this.id, this.ctx());
        await this.host.reapSession(this.id);
        return;
      } catch (err) {
        this.host.log.debug('Could not destroy a lost lease yet', { leaseId: this.id, err });
      }
      await delay(wait, { background: true });
    }
  }
}
