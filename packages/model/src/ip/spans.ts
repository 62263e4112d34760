/**
 * Inclusive integer spans: address ranges and VLAN/VXLAN id ranges, and
 * Contiv's range-string form (`"10.1.1.1-10.1.1.3, 10.1.1.254"`, `"1-4094"`).
 */
import { formatIPv4, parseIPv4 } from './ipv4';

export interface Span {
  readonly start: number;
  readonly end: number;
}

export function spanSize(span: Span): number {
  return span.end - span.start + 1;
}

export function spanContains(span: Span, value: number): boolean {
  return value >= span.start && value <= span.end;
}

export function spansOverlap(a: Span, b: Span): boolean {
  return a.start <= b.end && b.start <= a.end;
}

/** The common part of two spans, or undefined. */
export function intersectSpans(a: Span, b: Span): Span | undefined {
  const start = Math.max(a.start, b.start);
  const end = Math.min(a.end, b.end);
  return start <= end ? { start, end } : undefined;
}

/** Compresses ascending, duplicate-free values into maximal spans. */
export function spansFromSorted(values: readonly number[]): Span[] {
  const out: Span[] = [];
  let cur: { start: number; end: number } | undefined;
  for (const v of values) {
    if (cur && v === cur.end + 1) cur.end = v;
    else {
      if (cur) out.push(cur);
      cur = { start: v, end: v };
    }
  }
  if (cur) out.push(cur);
  return out;
}

/** `span` minus ascending `excluded` values: what is left, as spans. */
export function subtractSorted(span: Span, excluded: readonly number[]): Span[] {
  const out: Span[] = [];
  let next = span.start;
  for (const v of excluded) {
    if (v < next) continue;
    if (v > span.end) break;
    if (v > next) out.push({ start: next, end: v - 1 });
    next = v + 1;
  }
  if (next <= span.end) out.push({ start: next, end: span.end });
  return out;
}

function formatSpans(spans: readonly Span[], fmt: (v: number) => string): string {
  return spans.map((s) => (s.start === s.end ? fmt(s.start) : `${fmt(s.start)}-${fmt(s.end)}`)).join(', ');
}

/** Contiv's address list form: `"10.1.1.1-10.1.1.3, 10.1.1.254"` ("" when empty). */
export function formatAddressSpans(spans: readonly Span[]): string {
  return formatSpans(spans, formatIPv4);
}

/** Id list form: `"1-3, 7"` ("" when empty). */
export function formatIdSpans(spans: readonly Span[]): string {
  return formatSpans(spans, String);
}

/** `"a.b.c.d"` or `"a.b.c.d-a.b.c.e"` (start <= end), else undefined. */
export function parseAddressSpan(text: string): Span | undefined {
  const parts = text.split('-');
  if (parts.length > 2) return undefined;
  const start = parseIPv4(parts[0] ?? '');
  const end = parts.length === 2 ? parseIPv4(parts[1] ?? '') : start;
  if (start === undefined || end === undefined || start > end) return undefined;
  return { start, end };
}

/** `"1-4094"` (start <= end), else undefined. */
export function parseIdSpan(text: string): Span | undefined {
  const m = /^([0-9]{1,8})-([0-9]{1,8})$/.exec(text);
  if (!m) return undefined;
  const start = Number(m[1]);
  const end = Number(m[2]);
  return start <= end ? { start, end } : undefined;
}
