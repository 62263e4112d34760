/**
 * Text for a terminal that came from somewhere else: an argument the user
 * passed, a message netmaster sent. Control characters (ESC sequences that
 * recolour or clear the screen, a NUL, CR, a newline inside a message, C1
 * controls, line and paragraph separators, bidi overrides) are shown as
 * escapes instead of acting on the terminal, and a 5,000-character word is
 * shortened, so an error stays one readable line.
 */

// C0 controls (newline included: one line means one line), DEL, C1 controls,
// U+2028/U+2029, and the bidi embeddings, overrides and isolates.
// eslint-disable-next-line no-control-regex
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
/** A run of non-blank characters this long is shortened to its start and its length. */
const LONG_WORD = /\S{200,}/g;
export const MAX_LINE = 2000;

const escape = (ch: string): string => {
  const named: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };
  return named[ch] ?? `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`;
};

/** `text` as one safe line (without a trailing newline). */
export function terminalLine(text: string): string {
  const out = text.replace(UNSAFE, escape).replace(LONG_WORD, (w) => `${w.slice(0, 60)}... (${w.length} characters)`);
  return out.length > MAX_LINE ? `${out.slice(0, MAX_LINE)}... (${out.length} characters in all)` : out;
}
