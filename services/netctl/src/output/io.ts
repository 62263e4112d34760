/** Where netctl writes; the process streams in main.ts, buffers in tests. */
export interface Io {
  out(text: string): void;
  err(text: string): void;
}

export function processIo(): Io {
  return {
    out: (text) => void process.stdout.write(text),
    err: (text) => void process.stderr.write(text),
  };
}

/** Collects output in memory. */
export class BufferIo implements Io {
  stdout = '';
  stderr = '';
  out(text: string): void {
    this.stdout += text;
  }
  err(text: string): void {
    this.stderr += text;
  }
}
