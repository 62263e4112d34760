/**
 * IPv4 subnets, including Contiv's range form `10.1.1.10-10.1.1.20/24` (the
 * network is 10.1.1.0/24 and only the range is handed out).
 */
import { IPV4, formatIPv4, parseIPv4, prefixMask } from './ipv4';
import { intersectSpans, type Span } from './spans';

/** Contiv's `subnet` format: address or range, prefix 1-31. */
export const SUBNET_PATTERN = `^${IPV4}(\\-${IPV4})?/(3[0-1]|2[0-9]|1[0-9]|[1-9])$`;
const SUBNET_RE = new RegExp(SUBNET_PATTERN);
const CIDR_RE = new RegExp(`^${IPV4}/([0-9]|[1-2][0-9]|3[0-2])$`);

export interface Cidr {
  /** Network address (host bits cleared). */
  readonly network: number;
  readonly prefixLength: number;
  readonly broadcast: number;
  /** Canonical text, e.g. "10.1.1.0/24". */
  readonly cidr: string;
}

export interface Subnet extends Cidr {
  /** The text as given (kept in config objects: `100.1.1.1/24` stays as typed). */
  readonly text: string;
  /** The explicit range of the range form, else undefined (the whole subnet). */
  readonly range?: Span;
}

export type Parsed<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly reason: string };

function toCidr(address: number, prefixLength: number): Cidr {
  const mask = prefixMask(prefixLength);
  const network = (address & mask) >>> 0;
  const broadcast = (network | ~mask) >>> 0;
  return { network, prefixLength, broadcast, cidr: `${formatIPv4(network)}/${prefixLength}` };
}

/** A plain CIDR with prefix 0-32 (Docker's `--subnet`, `--ip-range`). */
export function parseCidr(text: string): Parsed<Cidr> {
  if (!CIDR_RE.test(text)) return { ok: false, reason: 'is not a valid IPv4 CIDR (a.b.c.d/len)' };
  const [addr, len] = text.split('/') as [string, string];
  return { ok: true, value: toCidr(parseIPv4(addr) as number, Number(len)) };
}

/** A Contiv `subnet` value: `a.b.c.d/len` or `a.b.c.d-a.b.c.e/len`, len 1-31. */
export function parseSubnet(text: string): Parsed<Subnet> {
  if (!SUBNET_RE.test(text)) return { ok: false, reason: 'is not a valid IPv4 subnet (a.b.c.d/len with len 1-31, or a.b.c.d-a.b.c.e/len)' };
  const [addrPart, len] = text.split('/') as [string, string];
  const [first, last] = addrPart.split('-') as [string, string | undefined];
  const start = parseIPv4(first) as number;
  const cidr = toCidr(start, Number(len));
  if (last === undefined) return { ok: true, value: { ...cidr, text } };
  const end = parseIPv4(last) as number;
  if (start > end) return { ok: false, reason: `has its range start ${first} after its end ${last}` };
  if (end > cidr.broadcast) return { ok: false, reason: `has a range that ends outside ${cidr.cidr}` };
  return { ok: true, value: { ...cidr, text, range: { start, end } } };
}

export function cidrContains(c: Cidr, address: number): boolean {
  return address >= c.network && address <= c.broadcast;
}

export function cidrsOverlap(a: Cidr, b: Cidr): boolean {
  return a.network <= b.broadcast && b.network <= a.broadcast;
}

/** The usable host addresses (network and broadcast excluded); undefined for /31 and /32. */
export function hostSpan(c: Cidr): Span | undefined {
  const start = c.network + 1;
  const end = c.broadcast - 1;
  return start <= end ? { start, end } : undefined;
}

/**
 * Addresses a network hands out: its range (range form) or all its hosts,
 * never the network or broadcast address. Undefined when nothing is left.
 */
export function allocationSpan(s: Subnet): Span | undefined {
  const hosts = hostSpan(s);
  if (!hosts) return undefined;
  return s.range ? intersectSpans(s.range, hosts) : hosts;
}
