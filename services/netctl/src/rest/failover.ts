/**
 * Riding out a netmaster failover (docs/architecture.md, "Several netmasters").
 * While no netmaster leads, or the leader just died, netmaster answers 503 with
 * code NOT_LEADER and Retry-After: nothing was done, so the request is safe to
 * send again. netctl does, for a few seconds, with one note on stderr; every
 * other failure (a store outage included, which must fail fast) is reported at once.
 */
import { RequestError } from '../errors';

/** How long netctl keeps retrying a request refused during a failover. */
export const FAILOVER_RETRY_MS = 15_000;
const MIN_DELAY_MS = 200;
/** Retry-After counts whole seconds; a failover ends at any moment, so look again sooner. */
const MAX_DELAY_MS = 500;

/** A 503 NOT_LEADER: the request reached no leader and changed nothing. */
export function isFailoverAnswer(status: number, body: string): boolean {
  if (status !== 503) return false;
  try {
    const parsed = JSON.parse(body) as { error?: { code?: unknown } } | null;
    return parsed?.error?.code === 'NOT_LEADER';
  } catch {
    return false;
  }
}

/** The pause before the next attempt: Retry-After (seconds) within bounds, else a short one. */
export function retryDelayMs(retryAfter: string | null, attempt: number): number {
  const seconds = retryAfter === null ? NaN : Number(retryAfter);
  const asked = Number.isFinite(seconds) && seconds >= 0 ? seconds * 1000 : MIN_DELAY_MS * attempt;
  return Math.min(MAX_DELAY_MS, Math.max(MIN_DELAY_MS, asked));
}

/** Thrown by one attempt when its answer was a failover refusal; carries what to report if retries run out. */
export class FailoverRefusal extends Error {
  constructor(
    readonly error: RequestError,
    readonly delayMs: number,
  ) {
    super(error.message);
  }
}

export interface FailoverRetryOptions {
  /** Total time to keep trying (default FAILOVER_RETRY_MS). */
  readonly budgetMs?: number;
  /** Where the one progress note goes (stderr). */
  readonly progress?: (text: string) => void;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly now?: () => number;
}

/** Runs `attempt` until it does not end in a FailoverRefusal, or the budget is spent (then its error). */
export async function withFailoverRetry<T>(attempt: () => Promise<T>, opts: FailoverRetryOptions = {}): Promise<T> {
  const now = opts.now ?? Date.now;
  const sleep = opts.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const started = now();
  const deadline = started + (opts.budgetMs ?? FAILOVER_RETRY_MS);
  for (let n = 1; ; n++) {
    try {
      const out = await attempt();
      if (n > 1) opts.progress?.(`netctl: netmaster answered after ${((now() - started) / 1000).toFixed(1)} s\n`);
      return out;
    } catch (err) {
      if (!(err instanceof FailoverRefusal)) throw err;
      if (now() + err.delayMs > deadline) {
        throw new RequestError('NETCTL_REQUEST_FAILED', `${err.error.message} (still so after retrying for ${Math.round((now() - started) / 1000)} s)`, err.error.status, { cause: err.error });
      }
      if (n === 1) opts.progress?.(`netctl: ${err.error.message}; retrying for up to ${Math.round((deadline - started) / 1000)} s ...\n`);
      await sleep(err.delayMs);
    }
  }
}
