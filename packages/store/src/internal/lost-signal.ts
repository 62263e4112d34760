import type { Logger } from '../logger';

type Listener = (reason: string) => void;

/**
 * A one-shot "lost" notification shared by leases and locks. A listener added
 * after the signal fired is still called (on the next microtask), so a caller
 * that registers late cannot miss the loss.
 */
export class LostSignal {
  private reason: string | undefined;
  private listeners: Listener[] = [];
  private disposed = false;

  constructor(
    private readonly log: Logger,
    private readonly what: string,
  ) {}

  get fired(): boolean {
    return this.reason !== undefined;
  }

  add(listener: Listener): void {
    if (this.disposed) return;
    const reason = this.reason;
    if (reason !== undefined) {
      queueMicrotask(() => this.call(listener, reason));
      return;
    }
    this.listeners.push(listener);
  }

  /** Fires once; returns false if it had already fired or was disposed. */
  fire(reason: string): boolean {
    if (this.reason !== undefined || this.disposed) return false;
    this.reason = reason;
    const listeners = this.listeners;
    this.listeners = [];
    for (const listener of listeners) this.call(listener, reason);
    return true;
  }

  /** Drops the listeners without firing (the owner gave the resource up on purpose). */
  dispose(): void {
    this.disposed = true;
    this.listeners = [];
  }

  private call(listener: Listener, reason: string): void {
    try {
      listener(reason);
    } catch (err) {
      this.log.error('Lost listener threw', { what: this.what, err });
    }
  }
}
