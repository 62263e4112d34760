/**
 * Addresses as OVS prints them (lib/packets.c: eth_format_masked,
 * ip_format_masked, ipv6_format_masked with glibc inet_ntop) and parsers for
 * the builder's string inputs.
 */
import { OpenFlowError } from '../errors';

const hex2 = (n: number): string => n.toString(16).padStart(2, '0');

export function formatMac(v: bigint): string {
  const out: string[] = [];
  for (let i = 5; i >= 0; i--) out.push(hex2(Number((v >> BigInt(i * 8)) & 0xffn)));
  return out.join(':');
}

export function formatIpv4(v: bigint): string {
  const n = Number(v);
  return [(n >>> 24) & 0xff, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff].join('.');
}

/** glibc inet_ntop(AF_INET6): longest run (>= 2) of zero groups becomes ::, first on ties; ::a.b.c.d / ::ffff:a.b.c.d forms. */
export function formatIpv6(v: bigint): string {
  const words: number[] = [];
  for (let i = 7; i >= 0; i--) words.push(Number((v >> BigInt(i * 16)) & 0xffffn));
  let bestBase = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (words[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && words[j] === 0) j++;
    if (j - i > bestLen) {
      bestBase = i;
      bestLen = j - i;
    }
    i = j;
  }
  if (bestLen < 2) bestBase = -1;
  let out = '';
  for (let i = 0; i < 8; i++) {
    if (bestBase !== -1 && i >= bestBase && i < bestBase + bestLen) {
      if (i === bestBase) out += ':';
      continue;
    }
    if (i !== 0) out += ':';
    if (i === 6 && bestBase === 0 && (bestLen === 6 || (bestLen === 5 && words[5] === 0xffff))) {
      out += formatIpv4(v & 0xffffffffn);
      break;
    }
    out += (words[i] as number).toString(16);
  }
  if (bestBase !== -1 && bestBase + bestLen === 8) out += ':';
  return out;
}

/** Number of leading one bits if `mask` (of `bits` width) is a CIDR prefix, else -1. */
export function cidrBits(mask: bigint, bits: number): number {
  const full = (1n << BigInt(bits)) - 1n;
  const inv = ~mask & full;
  if ((inv & (inv + 1n)) !== 0n) return -1;
  let n = 0;
  for (let x = inv; x > 0n; x >>= 1n) n++;
  return bits - n;
}

/** `10.0.0.0/24`, `10.0.0.1`, or `10.0.0.0/255.0.255.0` (ip_format_masked). */
export function formatIpv4Masked(v: bigint, mask?: bigint): string {
  if (mask === undefined || mask === 0xffffffffn) return formatIpv4(v);
  const n = cidrBits(mask, 32);
  return `${formatIpv4(v)}/${n >= 0 ? n : formatIpv4(mask)}`;
}

export function formatIpv6Masked(v: bigint, mask?: bigint): string {
  const full = (1n << 128n) - 1n;
  if (mask === undefined || mask === full) return formatIpv6(v);
  const n = cidrBits(mask, 128);
  return `${formatIpv6(v)}/${n >= 0 ? n : formatIpv6(mask)}`;
}

export function formatMacMasked(v: bigint, mask?: bigint): string {
  if (mask === undefined || mask === 0xffffffffffffn) return formatMac(v);
  return `${formatMac(v)}/${formatMac(mask)}`;
}

function bad(what: string, text: string): OpenFlowError {
  return new OpenFlowError('OF_INVALID_ARGUMENT', `${JSON.stringify(text)} is not ${what}`);
}

export function parseMac(text: string): bigint {
  const m = /^([0-9a-f]{1,2})[:-]([0-9a-f]{1,2})[:-]([0-9a-f]{1,2})[:-]([0-9a-f]{1,2})[:-]([0-9a-f]{1,2})[:-]([0-9a-f]{1,2})$/i.exec(text);
  if (!m) throw bad('a MAC address', text);
  return m.slice(1).reduce((acc, h) => (acc << 8n) | BigInt(parseInt(h, 16)), 0n);
}

export function parseIpv4(text: string): bigint {
  const parts = text.split('.');
  if (parts.length !== 4 || parts.some((p) => !/^\d{1,3}$/.test(p) || Number(p) > 255)) throw bad('an IPv4 address', text);
  return parts.reduce((acc, p) => (acc << 8n) | BigInt(Number(p)), 0n);
}

export function parseIpv6(text: string): bigint {
  // An embedded IPv4 tail (::ffff:1.2.3.4) becomes two hex groups first.
  const v4 = /^(.*:)(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  let s = text;
  if (v4) {
    const ip = Number(parseIpv4(v4[2] as string));
    s = `${v4[1] as string}${((ip >>> 16) & 0xffff).toString(16)}:${(ip & 0xffff).toString(16)}`;
  }
  const halves = s.split('::');
  if (halves.length > 2) throw bad('an IPv6 address', text);
  const parse = (h: string): number[] => (h === '' ? [] : h.split(':').map((g) => (/^[0-9a-f]{1,4}$/i.test(g) ? parseInt(g, 16) : NaN)));
  const head = parse(halves[0] as string);
  const tail = halves.length === 2 ? parse(halves[1] as string) : [];
  const fill = 8 - head.length - tail.length;
  if (halves.length === 2 && fill < 1) throw bad('an IPv6 address', text);
  const words = halves.length === 2 ? [...head, ...Array<number>(fill).fill(0), ...tail] : head;
  if (words.length !== 8 || words.some((w) => Number.isNaN(w))) throw bad('an IPv6 address', text);
  return words.reduce((acc, w) => (acc << 16n) | BigInt(w), 0n);
}

/** `a.b.c.d/N` or `a.b.c.d/m.m.m.m` or a plain address; returns value and mask (undefined = exact). */
export function parseIpv4Prefix(text: string): { value: bigint; mask?: bigint } {
  const [addr, suffix] = text.split('/');
  const value = parseIpv4(addr as string);
  if (suffix === undefined) return { value };
  if (/^\d{1,2}$/.test(suffix) && Number(suffix) <= 32) {
    const n = Number(suffix);
    const mask = n === 0 ? 0n : ((1n << 32n) - 1n) ^ ((1n << BigInt(32 - n)) - 1n);
    return { value: value & mask, mask };
  }
  const mask = parseIpv4(suffix);
  return { value: value & mask, mask };
}

export function parseIpv6Prefix(text: string): { value: bigint; mask?: bigint } {
  const [addr, suffix] = text.split('/');
  const value = parseIpv6(addr as string);
  if (suffix === undefined) return { value };
  if (!/^\d{1,3}$/.test(suffix) || Number(suffix) > 128) throw bad('an IPv6 prefix', text);
  const n = Number(suffix);
  const full = (1n << 128n) - 1n;
  const mask = n === 0 ? 0n : full ^ ((1n << BigInt(128 - n)) - 1n);
  return { value: value & mask, mask };
}
