export interface BackoffOptions {
  /** First delay after a connection is lost or a reconnect attempt fails. */
  readonly minBackoffMs: number;
  /** The delay doubles per failed attempt up to this cap. */
  readonly maxBackoffMs: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { minBackoffMs: 100, maxBackoffMs: 8000 };

/**
 * Exponential backoff with ±25 % jitter (OVS reconnect.c doubles up to
 * max_backoff too). A successful connection resets it.
 */
export class Backoff {
  private attempt = 0;
  constructor(
    private readonly opts: BackoffOptions = DEFAULT_BACKOFF,
    private readonly random: () => number = Math.random,
  ) {}

  next(): number {
    const base = Math.min(this.opts.maxBackoffMs, this.opts.minBackoffMs * 2 ** Math.min(this.attempt, 30));
    this.attempt++;
    const jitter = 0.75 + this.random() * 0.5;
    return Math.max(1, Math.round(Math.min(this.opts.maxBackoffMs, base * jitter)));
  }

  reset(): void {
    this.attempt = 0;
  }
}
