// Figures, not assertions: medians and percentiles over repeated runs, printed as a table.

export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank] ?? Number.NaN;
}

export const median = (values: readonly number[]): number => percentile(values, 50);

export function printTable(title: string, columns: string[], rows: (string | number)[][]): void {
  const cells = [columns, ...rows.map((r) => r.map(String))];
  const widths = columns.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join('  ');
  console.log(`\n${title}`);
  console.log(line(columns));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const r of cells.slice(1)) console.log(line(r));
}

export const ms = (n: number): string => (Number.isFinite(n) ? `${n.toFixed(n < 10 ? 1 : 0)} ms` : '—');
export const kib = (bytes: number): string => `${(bytes / 1024).toFixed(0)} KiB`;
/** Decimal megabytes (10^6 bytes), as size limits are usually stated. */
export const mb = (bytes: number): string => `${(bytes / 1e6).toFixed(2)} MB`;

/** How many runs: EXPEDITOR_BENCH_RUNS, at least 5. */
export function runs(fallback = 7): number {
  return Math.max(5, Number(process.env.EXPEDITOR_BENCH_RUNS ?? fallback));
}
