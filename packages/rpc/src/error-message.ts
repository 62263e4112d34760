/**
 * Error messages that stay readable and small whatever the input held. Our
 * messages quote the value they refuse (`endpoint id "..." is not 12 to 64 hex
 * digits`): a 70,000-character id must not come back whole, in a REST answer,
 * a Docker {"Err"}, a log line or a gRPC trailer. Shared by netmaster's REST
 * API, the driver shim and every gRPC server (status-map.ts).
 */

/** Longest message after shortening: a refusal must stay readable. */
export const MAX_ERROR_MESSAGE = 2000;
/** JSON string literals: messages quote values with JSON.stringify (matched whole, so pairs never mix). */
const QUOTED = /"(?:[^"\\]|\\.)*"/g;
/** Any other run of 100 or more non-blank characters (keys and paths echoed unquoted). */
const LONG_WORD = /[^\s"]{100,}/g;

/**
 * Long values keep their first 40 characters and say how long they were; what
 * is around them (the field name, the reason) is kept. The whole is cut at
 * MAX_ERROR_MESSAGE characters.
 */
export function shortenMessage(message: string): string {
  if (message.length < 100) return message;
  let out = message.replace(QUOTED, (s) => (s.length < 102 ? s : `${s.slice(0, 41)}..." (${unquotedLength(s)} characters)`));
  out = out.replace(LONG_WORD, (s) => `${s.slice(0, 40)}... (${s.length} characters)`);
  return out.length > MAX_ERROR_MESSAGE ? `${out.slice(0, MAX_ERROR_MESSAGE)}... (${out.length} characters in all)` : out;
}

function unquotedLength(literal: string): number {
  try {
    return (JSON.parse(literal) as string).length;
  } catch {
    return literal.length - 2;
  }
}

/**
 * The most UTF-8 bytes of an error message sent to a gRPC peer. gRPC carries
 * the message percent-encoded in the grpc-message trailer (up to 3 bytes per
 * byte), and a peer refuses trailers over its metadata limit (8 KiB by
 * default) by dropping the call as INTERNAL, losing the code and the message.
 */
export const MAX_ERROR_MESSAGE_BYTES = 1500;

/** `message` cut to MAX_ERROR_MESSAGE_BYTES at a character boundary, saying how much was cut. */
export function capErrorMessage(message: string): string {
  if (Buffer.byteLength(message, 'utf8') <= MAX_ERROR_MESSAGE_BYTES) return message;
  const chars = Array.from(message);
  let bytes = 0;
  let kept = 0;
  // Room for the note, which is ASCII and at most ~50 bytes.
  while (kept < chars.length && bytes + Buffer.byteLength(chars[kept] as string, 'utf8') <= MAX_ERROR_MESSAGE_BYTES - 64) {
    bytes += Buffer.byteLength(chars[kept] as string, 'utf8');
    kept++;
  }
  return `${chars.slice(0, kept).join('')}... (${chars.length - kept} more characters cut)`;
}
