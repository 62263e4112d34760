/**
 * A spinner on stderr while netctl waits for netmaster (a network create that
 * waits for every Docker engine, a failover, a policy trace), and nothing at
 * all when stderr is not a terminal, so scripts and tests see exactly the
 * output they saw before. It appears only once a wait has lasted a moment
 * (quick requests draw nothing) and erases its line when the wait ends.
 *
 * Hand-made on purpose (about 40 lines): nanospinner decides "terminal" from
 * stdout (fd 1) and the CI variable rather than from the stream it draws on,
 * so `netctl ... | jq` on a terminal printed spinner lines; ora is ESM-only,
 * which netctl's CommonJS build cannot require.
 */

/** One wait being shown. */
export interface Progress {
  /** New text for the same wait (e.g. "retrying: no netmaster leads yet"). */
  update(text: string): void;
  /** Erases the spinner's line, so the next write to stderr starts on a clean line. */
  clear(): void;
  /** The wait is over: the line is erased and nothing is drawn again. */
  stop(): void;
}

/** Starts showing a wait. */
export type ProgressFactory = (text: string) => Progress;

export const noProgress: ProgressFactory = () => ({ update: () => undefined, clear: () => undefined, stop: () => undefined });

/** Where a spinner draws: process.stderr, or a fake terminal in tests. */
export interface ProgressStream {
  readonly isTTY?: boolean;
  readonly columns?: number;
  write(text: string): unknown;
}

export interface SpinnerOptions {
  /** Nothing is drawn for waits shorter than this (default 250 ms). */
  readonly delayMs?: number;
  /** Time between frames (default 100 ms). */
  readonly intervalMs?: number;
}

export const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'] as const;
/** Back to column 1, erase the line. */
const ERASE = '\r\x1b[2K';

/** A spinner factory for `stream`: a real one on a terminal, none otherwise. */
export function terminalProgress(stream: ProgressStream, opts: SpinnerOptions = {}): ProgressFactory {
  if (stream.isTTY !== true) return noProgress;
  const delayMs = opts.delayMs ?? 250;
  const intervalMs = opts.intervalMs ?? 100;
  return (initial) => {
    let text = initial;
    let frame = 0;
    let drawn = false;
    let ticker: NodeJS.Timeout | undefined;
    const draw = (): void => {
      // One line: shortened to the terminal's width so it never wraps (a wrapped line cannot be erased).
      const width = Math.max(10, (stream.columns !== undefined && stream.columns > 0 ? stream.columns : 80) - 3);
      const shown = text.length > width ? `${text.slice(0, width - 1)}…` : text;
      stream.write(`${ERASE}${FRAMES[frame % FRAMES.length]} ${shown}`);
      frame++;
      drawn = true;
    };
    const clear = (): void => {
      if (drawn) stream.write(ERASE);
      drawn = false;
    };
    // unref: a spinner never keeps netctl alive.
    const starter = setTimeout(() => {
      draw();
      ticker = setInterval(draw, intervalMs);
      ticker.unref();
    }, delayMs);
    starter.unref();
    return {
      update(t) {
        text = t;
        if (drawn) draw();
      },
      clear,
      stop() {
        clearTimeout(starter);
        if (ticker) clearInterval(ticker);
        clear();
      },
    };
  };
}
