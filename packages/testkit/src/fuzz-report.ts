/**
 * Running one fast-check property of a fuzz suite and reporting it the same
 * way for every edge (REST, plugin socket, netctl): inputs tried, requests
 * sent, accepted/refused, the slowest case, and the replay recipe (seed and
 * counterexample path) of a failure.
 */
import fc from 'fast-check';

/** What one property's cases counted while they ran. */
export interface FuzzCounters {
  requests: number;
  accepted: number;
  refused: number;
  /** The slowest case so far and its time (a hint for whoever tunes the run length). */
  slowest?: { label: string; ms: number };
}

export interface PropertyReport {
  readonly property: string;
  /** Runs fast-check made (inputs tried), shrinking included. */
  readonly runs: number;
  readonly requests: number;
  readonly accepted: number;
  readonly refused: number;
  readonly slowest?: { readonly label: string; readonly ms: number };
  readonly seed: number;
  readonly failure?: { readonly message: string; readonly path: string | null; readonly counterexample: string };
}

export interface FuzzRunOptions {
  readonly seed: number;
  readonly numRuns: number;
  /** Replays one failing run (fast-check's counterexample path). */
  readonly path?: string;
  /** Stop at the first failure, without shrinking (long runs). */
  readonly endOnFailure?: boolean;
}

export function newCounters(): FuzzCounters {
  return { requests: 0, accepted: 0, refused: 0 };
}

/** Runs `prop` (whose cases update `n`) and reports it as `property`; never throws for a property failure. */
export async function checkProperty<T>(property: string, prop: fc.IAsyncProperty<T>, n: FuzzCounters, opts: FuzzRunOptions): Promise<PropertyReport> {
  const details = await fc.check(prop, {
    seed: opts.seed,
    numRuns: opts.numRuns,
    ...(opts.path !== undefined ? { path: opts.path } : {}),
    endOnFailure: opts.endOnFailure ?? false,
  });
  return {
    property,
    runs: details.numRuns + details.numShrinks,
    ...n,
    seed: details.seed,
    ...(details.failed
      ? {
          failure: {
            message: details.errorInstance instanceof Error ? details.errorInstance.message : String(details.errorInstance),
            path: details.counterexamplePath,
            counterexample: fc.stringify(details.counterexample).slice(0, 2000),
          },
        }
      : {}),
  };
}

/** One line per property, and the replay recipe of a failure. `accepted` names what an accepted case is at this edge. */
export function formatReports(reports: readonly PropertyReport[], accepted = 'accepted'): string {
  return reports
    .map((r) => {
      const slow = r.slowest ? `, slowest ${r.slowest.ms} ms (${r.slowest.label})` : '';
      const head = `${r.property}: ${r.runs} inputs, ${r.requests} requests (${r.accepted} ${accepted}, ${r.refused} refused), seed ${r.seed}${slow}`;
      return r.failure ? `${head}\n  FAILED (replay: seed ${r.seed}, path "${r.failure.path ?? ''}")\n  ${r.failure.message.split('\n').join('\n  ')}` : head;
    })
    .join('\n');
}
