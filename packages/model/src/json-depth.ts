/**
 * How deep a JSON text nests, found without parsing it. JSON.parse copes with
 * any depth, but recursive code after it (validation, error formatting) does
 * not: 20,000 levels overflowed netmaster's stack. netmaster checks request
 * bodies with it and netctl checks netmaster's answers.
 */

/** How deep `text` nests `[` and `{` outside strings, counting no further than just past `limit`. Iterative on purpose. */
export function jsonNestingDepth(text: string, limit = Infinity): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      if (++depth > max) max = depth;
      if (max > limit) return max;
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return max;
}
