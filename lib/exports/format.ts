/**
 * Number formatting for exported tables: mean ± std with as many decimals as the std's second significant
 * digit needs (2.3104 ± 0.0213 → "2.310 ± 0.021"), byte metrics shown in MiB.
 */
import type { Aggregate } from '../stats/aggregate';
import type { TableMetric } from '../queries/table-metric';

/** Display scale for a metric: bytes → MiB; everything else as is. */
export function displayScale(metric: TableMetric): { factor: number; unit: string } {
  return metric.key.endsWith('_bytes') ? { factor: 1 / 2 ** 20, unit: 'MiB' } : { factor: 1, unit: '' };
}

export function formatValue(x: number, decimals?: number): string {
  if (Number.isNaN(x)) return 'NaN';
  if (!Number.isFinite(x)) return x > 0 ? 'inf' : '-inf';
  if (decimals !== undefined) return x.toFixed(decimals);
  const abs = Math.abs(x);
  if (abs !== 0 && (abs >= 1e6 || abs < 1e-3)) return x.toExponential(3);
  return String(Number(x.toPrecision(4)));
}

/** Decimals so that the std shows two significant digits (0–6). */
export function decimalsFor(std: number): number | undefined {
  if (!Number.isFinite(std) || std <= 0) return undefined;
  return Math.min(6, Math.max(0, 1 - Math.floor(Math.log10(std))));
}

export interface CellText {
  mean: string;
  std: string | null;
  n: number;
  nonFinite: number;
}

/** The parts of "mean ± std (n)" for one aggregate, scaled for display; null when n = 0. */
export function cellParts(stats: Aggregate, factor = 1): CellText | null {
  if (stats.n === 0) return null;
  const std = stats.std * factor;
  const d = decimalsFor(std);
  const mean = stats.mean * factor;
  return {
    mean: d === undefined ? formatValue(mean) : formatValue(mean, d),
    std: stats.n > 1 ? (d === undefined ? formatValue(std) : formatValue(std, d)) : null,
    n: stats.n,
    nonFinite: stats.nonFinite,
  };
}

/** "(n)" or "(n, k non-finite)". */
export function countText(c: CellText): string {
  return c.nonFinite > 0 ? `(${c.n}, ${c.nonFinite} non-finite)` : `(${c.n})`;
}
