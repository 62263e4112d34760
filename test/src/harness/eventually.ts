/** Polling instead of sleeping: retry a check until it passes or time runs out. */

export interface EventuallyOptions {
  /** Give up after this long (default 10000 ms). */
  readonly timeoutMs?: number;
  /** Pause between attempts (default 50 ms). */
  readonly intervalMs?: number;
  /** What is being awaited, for the error message ("netmaster to list net2"). */
  readonly what?: string;
}

/**
 * Calls `fn` until it returns without throwing, and returns its result. A
 * result of exactly `false` counts as "not yet", so a boolean predicate works
 * too. Each attempt is bounded by the time left, so a hanging `fn` cannot
 * outlive the timeout. On timeout the error says what was awaited and how the
 * last attempt failed. A number as second argument is the timeout.
 */
export async function eventually<T>(fn: () => T | Promise<T>, opts: EventuallyOptions | number = {}): Promise<T> {
  const { timeoutMs = 10_000, intervalMs = 50, what = 'a condition' } = typeof opts === 'number' ? { timeoutMs: opts } : opts;
  const deadline = Date.now() + timeoutMs;
  let last = 'no attempt finished';
  for (let attempt = 1; ; attempt++) {
    const left = deadline - Date.now();
    try {
      const result = await withTimeout(Promise.resolve().then(fn), Math.max(left, 1));
      if (result !== false) return result;
      last = 'the check returned false';
    } catch (err) {
      last = err instanceof Error ? err.message : String(err);
    }
    if (Date.now() + intervalMs > deadline) {
      throw new Error(`Timed out after ${timeoutMs} ms (${attempt} attempts) waiting for ${what}; last error: ${last}`);
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

async function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      p,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`the attempt was still running after ${ms} ms`)), ms);
      }),
    ]);
  } finally {
    if (timer !== undefined) clearTimeout(timer);
  }
}
