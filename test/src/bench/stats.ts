/** Small statistics and printing helpers for the benchmarks (figures only, no verdicts). */

export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) return NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  // nearest-rank: with 20 samples p99 is the largest, which is what it means there
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)));
  return sorted[rank - 1] as number;
}

export const median = (s: readonly number[]): number => percentile(s, 50);

export function ms(n: number): string {
  return Number.isFinite(n) ? `${n.toFixed(1)} ms` : 'n/a';
}

/** Milliseconds an async function takes. */
export async function timed<T>(fn: () => Promise<T>): Promise<[number, T]> {
  const t0 = process.hrtime.bigint();
  const v = await fn();
  return [Number(process.hrtime.bigint() - t0) / 1e6, v];
}

export function table(rows: readonly (readonly string[])[]): string {
  const widths: number[] = [];
  for (const r of rows) r.forEach((c, i) => (widths[i] = Math.max(widths[i] ?? 0, c.length)));
  return rows.map((r) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join('  ')).join('\n');
}

/**
 * Least-squares coefficients x minimising |A·x - y| (modified Gram-Schmidt QR,
 * which stays accurate where the normal equations would square the condition
 * number). Throws when the columns of A are linearly dependent.
 */
export function leastSquares(rows: readonly (readonly number[])[], y: readonly number[]): number[] {
  const m = rows.length;
  const n = rows[0]?.length ?? 0;
  if (m < n || y.length !== m) throw new Error(`leastSquares: ${m} rows and ${y.length} values for ${n} unknowns`);
  const cols = Array.from({ length: n }, (_, j) => rows.map((r) => r[j] ?? 0));
  const q: number[][] = [];
  const r: number[][] = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  const dot = (a: readonly number[], b: readonly number[]): number => a.reduce((s, v, i) => s + v * (b[i] ?? 0), 0);
  for (let j = 0; j < n; j++) {
    const v = [...(cols[j] ?? [])];
    const norm0 = Math.sqrt(dot(v, v));
    for (let i = 0; i < j; i++) {
      const qi = q[i] ?? [];
      const c = dot(qi, v);
      (r[i] as number[])[j] = c;
      for (let k = 0; k < m; k++) v[k] = (v[k] ?? 0) - c * (qi[k] ?? 0);
    }
    const norm = Math.sqrt(dot(v, v));
    if (norm <= 1e-9 * Math.max(norm0, 1)) throw new Error(`leastSquares: column ${j} depends on the others`);
    (r[j] as number[])[j] = norm;
    q.push(v.map((x) => x / norm));
  }
  const qty = q.map((qj) => dot(qj, y));
  const x = new Array<number>(n).fill(0);
  for (let j = n - 1; j >= 0; j--) {
    let s = qty[j] ?? 0;
    for (let k = j + 1; k < n; k++) s -= (r[j]?.[k] ?? 0) * (x[k] ?? 0);
    x[j] = s / (r[j]?.[j] ?? 1);
  }
  return x;
}
