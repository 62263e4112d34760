/**
 * Addresses of swarm networks (docs/driver.md, "Swarm mode").
 *
 * The swarm manager's allocator asks the IPAM of its own node for every task,
 * VIP and load-balancer address (RequestAddress with Docker's serial option),
 * and later the engine of the node that runs the task asks its own IPAM again
 * for that same address (RequestAddress with the address as the preferred
 * one, no serial option). Both end with a ReleaseAddress, and neither carries
 * anything that tells the two apart. So:
 *
 *  - the manager's allocation is held at netmaster as
 *    `pending:<host>:swarm.<uuid>` (the startup reconcile never frees those)
 *    and the engine's repeat request is a *use* of it, answered with the same
 *    address without allocating anything; the endpoint record then takes the
 *    address over as usual;
 *  - every agent counts the uses on its node; a ReleaseAddress consumes a use
 *    if there is one (the engine's release), and only a release that finds no
 *    use frees the address (the allocator's: the last one). On the manager's
 *    node both happen in either order and the address is freed by the second;
 *  - an endpoint that used a swarm address carries `contiv-address-lease=swarm`
 *    on its OVS port, so after an agent restart its DeleteEndpoint counts the
 *    use again and the engine's release that follows still frees nothing;
 *  - the allocator's release while a live endpoint record still holds the
 *    address (its node has not torn the container down yet) waits for that
 *    record to go: until then the address stays taken, so it is never handed
 *    out twice.
 */
import { randomUUID } from 'node:crypto';
import type { IpAllocation } from '@contiv/model';
import type { Logger } from '@contiv/runtime';
import { addressKey, type NetworkAddress, type TeardownQueue } from '../endpoint/teardown-queue';
import { errorMessage } from '../errors';
import type { StateCache } from '../network/state-cache';

/** Set by swarm's allocator (cnmallocator) on every IPAM request it makes; never by an engine's endpoint request. */
export const SWARM_ALLOCATOR_OPTION = 'com.docker.network.ipam.serial';

/** Request ids of the allocator's addresses: `pending:<host>:swarm.<uuid>` at netmaster. */
export const SWARM_REQUEST_PREFIX = 'swarm.';

export function swarmRequestId(): string {
  return `${SWARM_REQUEST_PREFIX}${randomUUID()}`;
}

export function isSwarmRequestId(requestId: string): boolean {
  return requestId.startsWith(SWARM_REQUEST_PREFIX);
}

const PENDING_SWARM = /^pending:[^:]*:swarm\./;

export function isSwarmPendingOwner(owner: string): boolean {
  return PENDING_SWARM.test(owner);
}

/**
 * Whether an allocation is swarm's to hand out: still pending for the
 * allocator, or taken over by an endpoint (a use; netmaster refuses a second
 * live endpoint on one address). Other pending owners are someone else's.
 */
export function heldForSwarm(a: IpAllocation | undefined): boolean {
  if (!a) return false;
  if (a.owner.startsWith('pending:')) return isSwarmPendingOwner(a.owner);
  return !a.owner.startsWith('unknown:');
}

export interface SwarmAddressesOptions {
  readonly cache: Pick<StateCache, 'readAllocation' | 'endpointExists'>;
  readonly teardown: Pick<TeardownQueue, 'releaseAddress' | 'awaitsRelease'>;
  readonly log: Logger;
  /** How often a deferred release looks whether the endpoint holding its address is gone. */
  readonly pollMs?: number;
}

export class SwarmAddresses {
  private readonly uses = new Map<string, number>();
  private readonly deferred = new Map<string, NodeJS.Timeout>();

  constructor(private readonly o: SwarmAddressesOptions) {}

  /** Whether the address is held for swarm at netmaster (see heldForSwarm). */
  async heldForSwarm(a: NetworkAddress): Promise<boolean> {
    return heldForSwarm(await this.o.cache.readAllocation(a.tenantName, a.networkName, a.ip));
  }

  /** An engine's request for an address swarm holds: counted as a use. False if swarm does not hold it. */
  async claim(a: NetworkAddress): Promise<boolean> {
    if (!(await this.heldForSwarm(a))) return false;
    this.uses.set(addressKey(a), (this.uses.get(addressKey(a)) ?? 0) + 1);
    return true;
  }

  /** Whether the engine of this node uses the address (its endpoint then carries the lease marker). */
  inUse(a: NetworkAddress): boolean {
    return (this.uses.get(addressKey(a)) ?? 0) > 0;
  }

  /** An endpoint whose port says it used a swarm address is being deleted: its use counts even if this process never saw the claim. */
  ensureUse(a: NetworkAddress): void {
    if (!this.inUse(a)) this.uses.set(addressKey(a), 1);
  }

  /**
   * ReleaseAddress of a swarm address: consumes a use of this node, or
   * (none left) frees the address, once no live endpoint record holds it.
   * Returns what it did.
   */
  async release(a: NetworkAddress, requestId: string | undefined): Promise<'use-ended' | 'released' | 'deferred'> {
    const key = addressKey(a);
    const n = this.uses.get(key) ?? 0;
    if (n > 0) {
      if (n === 1) this.uses.delete(key);
      else this.uses.set(key, n - 1);
      return 'use-ended';
    }
    if (this.deferred.has(key)) return 'deferred';
    // This node's endpoint record delete is about to go: free the address with it, in one transaction.
    if (this.o.teardown.awaitsRelease(a)) {
      this.o.teardown.releaseAddress(a, requestId);
      return 'released';
    }
    if (await this.heldByLiveEndpoint(a)) {
      this.defer(a, requestId);
      return 'deferred';
    }
    this.o.teardown.releaseAddress(a, requestId);
    return 'released';
  }

  /** The allocator asks for an address again whose release is still waiting: it keeps it. */
  cancelRelease(a: NetworkAddress): boolean {
    const key = addressKey(a);
    const t = this.deferred.get(key);
    if (!t) return false;
    clearTimeout(t);
    this.deferred.delete(key);
    this.o.log.info('Swarm took back an address whose release was waiting', { network: `${a.tenantName}:${a.networkName}`, ip: a.ip });
    return true;
  }

  stop(): void {
    for (const t of this.deferred.values()) clearTimeout(t);
    this.deferred.clear();
  }

  private async heldByLiveEndpoint(a: NetworkAddress): Promise<boolean> {
    const alloc = await this.o.cache.readAllocation(a.tenantName, a.networkName, a.ip);
    if (!alloc || alloc.owner.startsWith('pending:') || alloc.owner.startsWith('unknown:')) return false;
    return this.o.cache.endpointExists(alloc.owner);
  }

  private defer(a: NetworkAddress, requestId: string | undefined): void {
    const key = addressKey(a);
    this.o.log.info('Swarm released an address an endpoint still holds; freeing it once the endpoint is gone', { network: `${a.tenantName}:${a.networkName}`, ip: a.ip });
    const check = (): void => {
      void this.heldByLiveEndpoint(a).then(
        (held) => {
          if (this.deferred.get(key) !== timer) return; // cancelled meanwhile
          if (held) {
            timer = setTimeout(check, this.o.pollMs ?? 1_000);
            timer.unref();
            this.deferred.set(key, timer);
            return;
          }
          this.deferred.delete(key);
          this.o.teardown.releaseAddress(a, requestId);
        },
        (err: unknown) => {
          if (this.deferred.get(key) !== timer) return;
          this.o.log.debug('Cannot look at the holder of a released swarm address yet', { ip: a.ip, err: errorMessage(err) });
          timer = setTimeout(check, this.o.pollMs ?? 1_000);
          timer.unref();
          this.deferred.set(key, timer);
        },
      );
    };
    let timer = setTimeout(check, this.o.pollMs ?? 1_000);
    timer.unref();
    this.deferred.set(key, timer);
  }
}
