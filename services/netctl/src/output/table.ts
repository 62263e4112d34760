/**
 * Plain aligned columns like Contiv's Go tabwriter output (padding 2, spaces,
 * no borders): a header row, a row of dashes, then the rows. The last column is
 * not padded, so lines carry no trailing blanks.
 */
export const COLUMN_PADDING = 2;

export function renderTable(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const lines = [headers, headers.map((h) => '-'.repeat(h.length)), ...rows].map((row) => headers.map((_, i) => cell(row[i])));
  const widths = headers.map((_, i) => Math.max(...lines.map((row) => row[i]?.length ?? 0)));
  const last = headers.length - 1;
  return lines
    .map((row) =>
      row
        .map((c, i) => (i === last ? c : c.padEnd((widths[i] ?? 0) + COLUMN_PADDING)))
        .join('')
        .trimEnd(),
    )
    .map((line) => `${line}\n`)
    .join('');
}

// A tab or newline inside a value would break the columns.
function cell(value: string | undefined): string {
  return (value ?? '').replace(/[\t\r\n]+/g, ' ');
}
