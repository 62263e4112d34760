/**
 * Runs an async job one at a time and folds the requests that arrive while it
 * runs into a single next run. Every caller's promise settles with a run that
 * started after its request, so "request, then await" means "what I changed
 * before calling is applied".
 */
export class CoalescingRunner {
  private active: Promise<void> | undefined;
  private queued: Promise<void> | undefined;

  constructor(private readonly job: () => Promise<void>) {}

  run(): Promise<void> {
    if (this.active === undefined) {
      const run = this.job().finally(() => {
        if (this.active === run) this.active = undefined;
      });
      this.active = run;
      return run;
    }
    this.queued ??= this.active
      .catch(() => undefined)
      .then(() => {
        this.queued = undefined;
        return this.run();
      });
    return this.queued;
  }

  /** The run in progress (or the queued one), if any: for a clean stop. */
  idle(): Promise<void> {
    return (this.queued ?? this.active ?? Promise.resolve()).catch(() => undefined);
  }
}
