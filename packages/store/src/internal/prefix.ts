/**
 * Key-range helpers. etcd compares keys as bytes; for the ASCII keys this
 * project writes that is the same order as JavaScript's string comparison.
 */

/** Exclusive end of the byte range holding every key that starts with `prefix`. */
export function prefixRangeEnd(prefix: Buffer): Buffer {
  const end = Buffer.from(prefix);
  for (let i = end.length - 1; i >= 0; i--) {
    const byte = end[i] as number;
    if (byte < 0xff) {
      end[i] = byte + 1;
      return end.subarray(0, i + 1);
    }
  }
  // All 0xff (or empty): etcd's "\0" range end means "to the end of the keyspace".
  return Buffer.from([0]);
}

export function compareKeys(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
