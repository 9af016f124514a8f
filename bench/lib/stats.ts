/** Small helpers for benchmark figures: robust summaries and plain-text tables. */

export function median(xs: readonly number[]): number {
  const finite = xs.filter(Number.isFinite).sort((a, b) => a - b);
  if (finite.length === 0) return Number.NaN;
  const m = finite.length >> 1;
  return finite.length % 2 ? finite[m] : (finite[m - 1] + finite[m]) / 2;
}

export function max(xs: readonly number[]): number {
  const finite = xs.filter(Number.isFinite);
  return finite.length ? Math.max(...finite) : Number.NaN;
}

export function mib(bytes: number | undefined): string {
  return bytes === undefined || !Number.isFinite(bytes) ? '—' : `${(bytes / 2 ** 20).toFixed(1)} MiB`;
}

export function fixed(x: number | undefined, digits = 1): string {
  return x === undefined || !Number.isFinite(x) ? '—' : x.toFixed(digits);
}

export function ratio(a: number | undefined, b: number | undefined): number | undefined {
  return a === undefined || b === undefined || !Number.isFinite(a) || !Number.isFinite(b) || b === 0
    ? undefined
    : a / b;
}

/** Left-aligned first column, right-aligned numbers, a rule under the header. */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]): string =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}
