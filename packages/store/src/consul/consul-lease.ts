import { delay } from '../internal/delay';
import { LostSignal } from '../internal/lost-signal';
import type { Logger } from '../logger';
import type { Lease } from '../store';
import { ConsulSessionTtlError, type CallCtx, type ConsulApi } from './consul-api';

/**
 * Consul ends a session only when it went unrenewed for twice its TTL (its
 * SessionTTLMultiplier): a lease of T seconds is a session of T/2, so its keys
 * go about T after its holder stopped renewing, as on etcd.
 */
export const CONSUL_SESSION_TTL_MULTIPLIER = 2;
/** The longest lease we grant (a session of 12 h; Consul allows sessions up to 24 h). */
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
  /**
   * The shortest session TTL (ms) this Consul accepts, once learned from a
   * refusal (its `session_ttl_min`, 10 s unless configured): later grants ask
   * for at least that instead of being refused again.
   */
  minSessionTtlMs: number | undefined;
}

/**
 * A lease is a Consul session with behavior "release" whose TTL is half the
 * lease's (Consul ends it after twice its TTL without a renewal), renewed every
 * third of the session TTL. Consul refuses session TTLs below its
 * `session_ttl_min` (10 s by default): the lease then gets that session TTL
 * and lasts twice as long, which `ttlSeconds` says. A watchdog counts it lost
 * when no renewal was acknowledged for a session TTL, half the time before
 * Consul would end it, so a cut-off holder stops first; a 404 on renewal means
 * Consul has already ended it. A lost lease is destroyed best effort so its
 * keys go now rather than when Consul gets to it.
 */
export class ConsulLease implements Lease {
  private readonly lost: LostSignal;
  private lastAck = Date.now();
  private readonly renewTimer: NodeJS.Timeout;
  private readonly watchdog: NodeJS.Timeout;
  private renewing = false;
  private ended = false;

  /** The lease's lifetime without renewals: twice the session TTL. */
  readonly ttlSeconds: number;

  private constructor(
    private readonly host: LeaseHost,
    readonly id: string,
    private readonly sessionTtlMs: number,
  ) {
    this.ttlSeconds = (sessionTtlMs * CONSUL_SESSION_TTL_MULTIPLIER) / 1000;
    this.lost = new LostSignal(host.log, `lease ${id}`);
    this.renewTimer = setInterval(() => void this.renew(), sessionTtlMs / 3);
    this.renewTimer.unref();
    this.watchdog = setInterval(() => this.checkRenewals(), Math.max(100, sessionTtlMs / 6));
    this.watchdog.unref();
  }

  static async grant(host: LeaseHost, requestedTtl: number): Promise<ConsulLease> {
    if (!(requestedTtl >= 1)) throw new RangeError(`A lease TTL must be at least 1 second, got ${requestedTtl}`);
    if (requestedTtl > CONSUL_MAX_TTL_SECONDS) {
      throw new RangeError(`Consul leases last at most ${CONSUL_MAX_TTL_SECONDS} s, got ${requestedTtl}`);
    }
    const wantedMs = Math.ceil((requestedTtl * 1000) / CONSUL_SESSION_TTL_MULTIPLIER);
    let sessionMs = Math.max(wantedMs, host.minSessionTtlMs ?? 0);
    // A retried create may leave an unused session behind; it ends after its TTL.
    const create = (ms: number): Promise<string> => host.run('grantLease', (ctx) => host.api.createSession(ms, 'contiv-store lease', ctx));
    let id: string;
    try {
      id = await create(sessionMs);
    } catch (err) {
      const refusal = err instanceof Error && err.cause instanceof ConsulSessionTtlError ? err.cause : undefined;
      const min = refusal?.minMs;
      if (min === undefined || !(min > sessionMs)) throw err;
      host.minSessionTtlMs = min;
      host.log.info("Consul's shortest session is longer than the lease asked for: the lease lasts twice that", {
        requestedTtlSeconds: requestedTtl,
        sessionTtlMinMs: min,
        ttlSeconds: (min * CONSUL_SESSION_TTL_MULTIPLIER) / 1000,
      });
      sessionMs = min;
      id = await create(sessionMs);
    }
    const lease = new ConsulLease(host, id, sessionMs);
    host.log.debug('Granted lease', { leaseId: id, ttlSeconds: lease.ttlSeconds, sessionTtlMs: sessionMs });
    return lease;
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
    if (silentMs > this.sessionTtlMs) {
      this.markLost(`no renewal acknowledged by Consul for ${Math.round(silentMs / 1000)} s (session TTL ${this.sessionTtlMs / 1000} s, lease TTL ${this.ttlSeconds} s)`);
    }
  }

  /**
   * Keeps trying for the lease's TTL, by when Consul ends the unrenewed session
   * by itself: a holder cut off from Consul must not block its successor longer.
   */
  private async destroyAfterLoss(): Promise<void> {
    const giveUpAt = Date.now() + this.ttlSeconds * 1000;
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
