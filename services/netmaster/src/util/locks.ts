/**
 * In-process serialisation. The store's compare-and-swap keeps allocations
 * correct on its own; these locks make multi-key checks (no overlapping
 * subnets in a tenant, no endpoints left in a network being deleted) atomic
 * within the leader, which is the only netmaster that writes.
 */

/** A readers-writer lock: many readers or one writer, writers not starved. */
export class RwLock {
  private readers = 0;
  private writer = false;
  private readonly queue: { write: boolean; wake: () => void }[] = [];

  get idle(): boolean {
    return this.readers === 0 && !this.writer && this.queue.length === 0;
  }

  read<T>(fn: () => Promise<T>): Promise<T> {
    return this.run(false, fn);
  }

  write<T>(fn: () => Promise<T>): Promise<T> {
    return this.run(true, fn);
  }

  private async run<T>(write: boolean, fn: () => Promise<T>): Promise<T> {
    await this.acquire(write);
    try {
      return await fn();
    } finally {
      this.release(write);
    }
  }

  private canEnter(write: boolean): boolean {
    return write ? !this.writer && this.readers === 0 : !this.writer && !this.queue.some((w) => w.write);
  }

  private acquire(write: boolean): Promise<void> {
    if (this.queue.length === 0 && this.canEnter(write)) {
      this.enter(write);
      return Promise.resolve();
    }
    return new Promise((resolve) => this.queue.push({ write, wake: resolve }));
  }

  private enter(write: boolean): void {
    if (write) this.writer = true;
    else this.readers++;
  }

  private release(write: boolean): void {
    if (write) this.writer = false;
    else this.readers--;
    // Wake waiters in order: one writer, or every reader up to the next writer.
    while (this.queue.length > 0) {
      const next = this.queue[0] as { write: boolean; wake: () => void };
      if (next.write ? this.writer || this.readers > 0 : this.writer) break;
      this.queue.shift();
      this.enter(next.write);
      next.wake();
      if (next.write) break;
    }
  }
}

/** One RwLock per key, dropped when idle. */
export class KeyedRwLock {
  private readonly locks = new Map<string, RwLock>();

  read<T>(key: string, fn: () => Promise<T>): Promise<T> {
    return this.with(key, (l) => l.read(fn));
  }

  write<T>(key: string, fn: () => Promise<T>): Promise<T> {
    return this.with(key, (l) => l.write(fn));
  }

  private async with<T>(key: string, use: (l: RwLock) => Promise<T>): Promise<T> {
    let lock = this.locks.get(key);
    if (!lock) {
      lock = new RwLock();
      this.locks.set(key, lock);
    }
    try {
      return await use(lock);
    } finally {
      if (lock.idle) this.locks.delete(key);
    }
  }
}

/**
 * The lock order every writer follows: config (shared; exclusive for global
 * changes) -> tenant -> network. Endpoint and address operations take only the
 * network lock, shared.
 */
export class Locks {
  readonly config = new RwLock();
  readonly tenants = new KeyedRwLock();
  readonly networks = new KeyedRwLock();

  /** Shared config + exclusive tenant: creating/deleting objects of one tenant. */
  tenantWrite<T>(tenant: string, fn: () => Promise<T>): Promise<T> {
    return this.config.read(() => this.tenants.write(tenant, fn));
  }

  /** Inside tenantWrite: exclusive use of one network (delete, group changes). */
  networkWrite<T>(tenant: string, network: string, fn: () => Promise<T>): Promise<T> {
    return this.networks.write(`${tenant}/${network}`, fn);
  }

  /** Addresses and endpoints of one network. */
  networkRead<T>(tenant: string, network: string, fn: () => Promise<T>): Promise<T> {
    return this.networks.read(`${tenant}/${network}`, fn);
  }
}
