import { OvsdbError } from '../errors';

/** One complete top-level JSON text cut out of the byte stream. */
export interface SplitMessage {
  readonly text: string;
  /**
   * True when the text has a run of 16+ digits outside strings: it may hold an
   * integer beyond 2^53, so it must go through the BigInt-aware parser.
   */
  readonly maybeBigInt: boolean;
}

export const DEFAULT_MAX_MESSAGE_BYTES = 64 * 1024 * 1024;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const DIGIT_0 = 0x30;
const DIGIT_9 = 0x39;
// Number.MAX_SAFE_INTEGER has 16 digits; anything shorter is always exact.
const BIG_DIGIT_RUN = 16;

function isWhitespace(b: number): boolean {
  return b === 0x20 || b === 0x0a || b === 0x0d || b === 0x09;
}

/**
 * Splits a stream of concatenated JSON values (OVSDB's framing: no length
 * prefix, no delimiter) into complete messages. It tracks string and escape
 * state so braces and quotes inside strings do not confuse it, and works on
 * bytes so a UTF-8 sequence split across chunks is decoded only once whole.
 * State survives between push() calls: no byte is scanned twice.
 */
export class JsonStreamSplitter {
  private parts: Buffer[] = [];
  private partsLength = 0;
  private depth = 0;
  private inString = false;
  private escaped = false;
  private digitRun = 0;
  private bigCandidate = false;

  constructor(private readonly maxMessageBytes: number = DEFAULT_MAX_MESSAGE_BYTES) {}

  /** True when a message has started but not ended. */
  get hasPartialMessage(): boolean {
    return this.depth > 0;
  }

  push(chunk: Buffer): SplitMessage[] {
    const out: SplitMessage[] = [];
    let start = this.depth > 0 ? 0 : -1;
    for (let i = 0; i < chunk.length; i++) {
      const b = chunk[i] as number;
      if (this.depth === 0) {
        if (isWhitespace(b)) continue;
        if (b !== OPEN_BRACE && b !== OPEN_BRACKET) {
          throw new OvsdbError('OVSDB_PROTOCOL', `Unexpected byte 0x${b.toString(16)} between JSON-RPC messages`);
        }
        start = i;
        this.depth = 1;
        continue;
      }
      if (this.inString) {
        if (this.escaped) this.escaped = false;
        else if (b === BACKSLASH) this.escaped = true;
        else if (b === QUOTE) this.inString = false;
        continue;
      }
      if (b >= DIGIT_0 && b <= DIGIT_9) {
        if (++this.digitRun >= BIG_DIGIT_RUN) this.bigCandidate = true;
        continue;
      }
      this.digitRun = 0;
      if (b === QUOTE) this.inString = true;
      else if (b === OPEN_BRACE || b === OPEN_BRACKET) this.depth++;
      else if (b === CLOSE_BRACE || b === CLOSE_BRACKET) {
        if (--this.depth === 0) {
          out.push(this.finish(chunk.subarray(start, i + 1)));
          start = -1;
        }
      }
    }
    if (this.depth > 0 && start >= 0) {
      const rest = chunk.subarray(start);
      this.parts.push(rest);
      this.partsLength += rest.length;
      if (this.partsLength > this.maxMessageBytes) {
        this.reset();
        throw new OvsdbError('OVSDB_PROTOCOL', `JSON-RPC message exceeds ${this.maxMessageBytes} bytes`);
      }
    }
    return out;
  }

  /** Drops any partial message (after a reconnect the stream starts afresh). */
  reset(): void {
    this.parts = [];
    this.partsLength = 0;
    this.depth = 0;
    this.inString = false;
    this.escaped = false;
    this.digitRun = 0;
    this.bigCandidate = false;
  }

  private finish(tail: Buffer): SplitMessage {
    const bytes = this.parts.length === 0 ? tail : Buffer.concat([...this.parts, tail]);
    const message = { text: bytes.toString('utf8'), maybeBigInt: this.bigCandidate };
    this.parts = [];
    this.partsLength = 0;
    this.digitRun = 0;
    this.bigCandidate = false;
    return message;
  }
}
