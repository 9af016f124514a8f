/**
 * Seed aggregates: mean, sample std, standard error, 95% CI (Student's t), min, max, n, coefficient of
 * variation. Non-finite inputs (a diverged run's NaN loss) are left out of the statistics and counted, so a
 * cell says "n = 2 (+1 non-finite)" instead of silently becoming NaN or silently shrinking.
 */
import { tCritical95 } from './tdist';

export interface Aggregate {
  /** Finite values used. */
  n: number;
  /** NaN or ±Infinity values left out. */
  nonFinite: number;
  /** NaN when n = 0. */
  mean: number;
  /** Sample standard deviation (n − 1); NaN when n < 2. */
  std: number;
  /** std / √n; NaN when n < 2. */
  stderr: number;
  /** mean ± t(0.975, n−1) · stderr; NaN bounds when n < 2. */
  ci95: [number, number];
  min: number;
  max: number;
  /** std / |mean|; NaN when n < 2 or mean = 0. */
  cv: number;
}

export function aggregate(values: readonly number[]): Aggregate {
  const xs = values.filter((v) => Number.isFinite(v));
  const n = xs.length;
  const nonFinite = values.length - n;
  if (n === 0) {
    return { n, nonFinite, mean: NaN, std: NaN, stderr: NaN, ci95: [NaN, NaN], min: NaN, max: NaN, cv: NaN };
  }
  let sum = 0;
  let min = Infinity;
  let max = -Infinity;
  for (const x of xs) {
    sum += x;
    if (x < min) min = x;
    if (x > max) max = x;
  }
  const mean = sum / n;
  let ss = 0;
  for (const x of xs) ss += (x - mean) ** 2; // two-pass: stable for large means with small spread
  const std = n > 1 ? Math.sqrt(ss / (n - 1)) : NaN;
  const stderr = n > 1 ? std / Math.sqrt(n) : NaN;
  const half = n > 1 ? tCritical95(n - 1) * stderr : NaN;
  const cv = n > 1 && mean !== 0 ? std / Math.abs(mean) : NaN;
  return { n, nonFinite, mean, std, stderr, ci95: [mean - half, mean + half], min, max, cv };
}
