/**
 * Number formatting for exported tables, by the pages' rules (lib/format.ts): mean ± std with as many decimals as
 * the std's second significant digit needs (2.3104 ± 0.0213 → "2.310 ± 0.021"), byte metrics shown in MiB.
 */
import { decimalsFor, formatQuantity, metricTitle, QUANTITY, quantityOf, spreadParts } from '../format';
import type { Aggregate } from '../stats/aggregate';
import type { PairedDifference } from '../stats/paired';
import type { TableMetric } from '../queries/table-metric';

/** Display scale for a metric (its quantity, lib/format.ts): bytes → MiB; everything else as is. */
export function displayScale(metric: Pick<TableMetric, 'key'>): { factor: number; unit: string } {
  const quantity = quantityOf(metric.key);
  return quantity.kind === 'memory' ? { factor: quantity.factor, unit: quantity.unit } : { factor: 1, unit: '' };
}

/** An already scaled value as the exports print it: the pages' rule (lib/format.ts), ±inf spelled for CSV. */
export function formatValue(x: number, decimals?: number): string {
  if (!Number.isFinite(x) && !Number.isNaN(x)) return x > 0 ? 'inf' : '-inf';
  return formatQuantity(x, QUANTITY.number, decimals);
}

export { decimalsFor, metricTitle };

export interface CellText {
  mean: string;
  std: string | null;
  n: number;
  nonFinite: number;
}

/** The parts of "mean ± std (n)" for one aggregate, scaled for display (as the page shows it); null when n = 0. */
export function cellParts(stats: Aggregate, factor = 1): CellText | null {
  const p = spreadParts(stats, { ...QUANTITY.number, factor });
  if (!p) return null;
  return { mean: p.mean, std: p.std, n: stats.n, nonFinite: stats.nonFinite };
}

/** "(n)" or "(n, k non-finite)". */
export function countText(c: CellText): string {
  return c.nonFinite > 0 ? `(${c.n}, ${c.nonFinite} non-finite)` : `(${c.n})`;
}

export interface ComparisonText {
  /** Signed mean difference, e.g. "+0.220" or "-0.051"; null when no seed pairs. */
  mean: string | null;
  /** Interval bounds; null when n < 2. */
  low: string | null;
  high: string | null;
  /** Half-width for a symmetric (t) interval, null otherwise. */
  half: string | null;
  n: number;
  significant: boolean;
}

const signed = (s: string) => (s.startsWith('-') || s === 'NaN' ? s : `+${s}`);

/** Display parts of a paired difference (lib/stats/paired), scaled, decimals from the interval's width. */
export function comparisonParts(c: PairedDifference, factor = 1): ComparisonText {
  if (c.n === 0) return { mean: null, low: null, high: null, half: null, n: 0, significant: false };
  const mean = c.mean * factor;
  if (!c.ci95) {
    return { mean: signed(formatValue(mean)), low: null, high: null, half: null, n: c.n, significant: false };
  }
  const [lo, hi] = [c.ci95[0] * factor, c.ci95[1] * factor];
  const width = (hi - lo) / 2;
  // A zero-width interval (every pair differs by the same amount) shows the mean's own precision.
  const d = decimalsFor(width > 1e-9 * Math.max(1, Math.abs(mean)) ? width : Math.abs(mean) / 10);
  const f = (x: number) => (d === undefined ? formatValue(x) : formatValue(x, d));
  return {
    mean: signed(f(mean)),
    low: f(lo),
    high: f(hi),
    half: c.interval === 't' ? f((hi - lo) / 2) : null,
    n: c.n,
    significant: !!c.significant,
  };
}

/** "+0.220 [0.190, 0.250] †", "+0.100 (n = 1: no interval)", "no paired seeds". */
export function comparisonText(c: PairedDifference, factor = 1): string {
  const p = comparisonParts(c, factor);
  if (p.mean === null) return 'no paired seeds';
  if (p.low === null) return `${p.mean} (n = 1: no interval)`;
  return `${p.mean} [${p.low}, ${p.high}]${p.significant ? ' †' : ''} (n = ${p.n})`;
}
