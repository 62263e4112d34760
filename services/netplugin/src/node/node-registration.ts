/**
 * This host's node record (nodes/<host>) under a store lease: it disappears
 * when the agent stops renewing it, and is written again after the lease is
 * lost (store restart, long partition). Failures are retried with backoff; the
 * agent keeps working without the store.
 */
import { nodeKey, nodeRecordCodec, type NodeRecord } from '@contiv/model';
import type { Logger } from '@contiv/runtime';
import type { Lease, Store } from '@contiv/store';
import { errorMessage } from '../errors';

export const NODE_LEASE_TTL_SECONDS = 15;

export interface NodeRegistrationOptions {
  readonly store: Pick<Store, 'grantLease' | 'put'>;
  readonly record: NodeRecord;
  readonly log: Logger;
  readonly ttlSeconds?: number;
  readonly maxBackoffMs?: number;
}

export class NodeRegistration {
  private lease: Lease | undefined;
  private stopped = false;
  private timer: NodeJS.Timeout | undefined;
  private backoffMs = 500;
  private registeredOnce = false;

  constructor(private readonly o: NodeRegistrationOptions) {}

  start(): void {
    void this.register();
  }

  isRegistered(): boolean {
    return this.lease !== undefined;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    const lease = this.lease;
    this.lease = undefined;
    await lease?.revoke().catch(() => undefined);
  }

  private async register(): Promise<void> {
    if (this.stopped) return;
    const key = nodeKey(this.o.record.hostname);
    try {
      const lease = await this.o.store.grantLease(this.o.ttlSeconds ?? NODE_LEASE_TTL_SECONDS);
      await this.o.store.put(key, nodeRecordCodec.encode(this.o.record), { lease });
      if (this.stopped) {
        await lease.revoke().catch(() => undefined);
        return;
      }
      this.lease = lease;
      this.backoffMs = 500;
      this.o.log.info(this.registeredOnce ? 'Node registered again' : 'Node registered', { key, leaseId: lease.id, ttlSeconds: lease.ttlSeconds });
      this.registeredOnce = true;
      lease.onLost((reason) => {
        if (this.lease !== lease || this.stopped) return;
        this.lease = undefined;
        this.o.log.warn('Node lease lost; registering again', { reason });
        this.schedule(0);
      });
    } catch (err) {
      this.o.log.warn('Cannot register the node; retrying', { key, retryInMs: this.backoffMs, err: errorMessage(err) });
      this.schedule(this.backoffMs);
      this.backoffMs = Math.min(this.backoffMs * 2, this.o.maxBackoffMs ?? 15_000);
    }
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.register(), ms);
  }
}
