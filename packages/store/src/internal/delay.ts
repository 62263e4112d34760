/**
 * Resolves after `ms`. A wait that is part of an operation someone awaits keeps
 * the process alive; a background wait (`background: true`) does not.
 */
export function delay(ms: number, opts: { background?: boolean } = {}): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    if (opts.background === true) timer.unref();
  });
}
