/**
 * IPv4 addresses as unsigned 32-bit numbers: allocation and range math are
 * integer arithmetic. Text is checked with Contiv's own regex (which, unlike
 * most parsers, rejects leading zeros) and converted by hand: these run for
 * every network on every create, and `ip-address` objects cost ~10x more.
 * (`ip-address` does the IPv6 checks, see objects/network.ts.)
 */

/** One dotted-quad octet as Contiv's model spells it (no leading zeros). */
export const OCTET = '(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])';
/** A dotted quad, unanchored (Contiv's IPV4 building block). */
export const IPV4 = `(${OCTET}(\\.${OCTET}){3})`;

const IPV4_RE = new RegExp(`^${IPV4}$`);

export function isIPv4(text: string): boolean {
  return IPV4_RE.test(text);
}

/** The address as a number, or undefined when `text` is not a bare dotted quad. */
export function parseIPv4(text: string): number | undefined {
  if (!IPV4_RE.test(text)) return undefined;
  const [a, b, c, d] = text.split('.').map(Number) as [number, number, number, number];
  return ((a << 24) | (b << 16) | (c << 8) | d) >>> 0;
}

export function formatIPv4(value: number): string {
  const v = value >>> 0;
  return `${v >>> 24}.${(v >>> 16) & 0xff}.${(v >>> 8) & 0xff}.${v & 0xff}`;
}

/** Netmask of a prefix length as a number (prefix 0 -> 0). */
export function prefixMask(prefixLength: number): number {
  return prefixLength === 0 ? 0 : (0xffffffff << (32 - prefixLength)) >>> 0;
}
