/**
 * Seed-paired differences between two configurations: a run of each with the same seed saw the same data
 * order (and, for LISA, the same layer draws' random stream), so a − b per seed removes the variation the
 * seeds share. The mean difference gets a 95% confidence interval: Student's t with n − 1 degrees of
 * freedom for 2 ≤ n < 5 pairs, a percentile bootstrap of the mean (4,000 resamples, fixed generator
 * seed: the same differences always give the same interval) for n ≥ 5, and none for n < 2. 4,000 keeps the
 * Monte Carlo error of the 2.5% / 97.5% quantiles small (Efron & Tibshirani ask for ≥ 1,000) while a table of
 * 20 cells × 2 baselines × 20 paired seeds stays within tens of milliseconds.
 * Caveat: a percentile bootstrap over 5–10 pairs is somewhat narrower than t would be; both are
 * reported as what they are (`interval`).
 */
import { aggregate } from './aggregate';
import { seededRandom } from './random';

export interface SeededValues {
  /** Per run; null when the run has no seed (it cannot be paired). */
  seeds: readonly (number | null)[];
  /** Per run, in seeds order; non-finite values are not paired. */
  values: readonly number[];
}

export type IntervalKind = 't' | 'bootstrap';

export interface PairedDifference {
  /** Seeds with a finite value on both sides, ascending. */
  seeds: number[];
  /** a − b for each of `seeds`. */
  diffs: number[];
  n: number;
  /** Mean of diffs; NaN when n = 0. */
  mean: number;
  /** 95% interval of the mean difference; null when n < 2. */
  ci95: [number, number] | null;
  interval: IntervalKind | null;
  /** Whether ci95 excludes 0; null when there is no interval. */
  significant: boolean | null;
}

export const BOOTSTRAP_FROM = 5;
export const BOOTSTRAP_RESAMPLES = 4_000;
const BOOTSTRAP_SEED = 20240326;

function bySeed(x: SeededValues): Map<number, number> {
  const out = new Map<number, number>();
  x.seeds.forEach((s, i) => {
    const v = x.values[i];
    // A seed listed twice in one configuration is ambiguous: leave it unpaired rather than guess.
    if (s === null || !Number.isFinite(v)) return;
    if (out.has(s)) out.set(s, NaN);
    else out.set(s, v);
  });
  return out;
}

/** Linear interpolation between order statistics (R's type 7) of a sorted array. */
function quantile(sorted: Float64Array, p: number): number {
  const h = (sorted.length - 1) * p;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
}

/** Percentile bootstrap 95% interval of the mean of `xs`; deterministic. */
export function bootstrapMeanCi(xs: readonly number[], resamples = BOOTSTRAP_RESAMPLES): [number, number] {
  const rand = seededRandom(BOOTSTRAP_SEED);
  const n = xs.length;
  const means = new Float64Array(resamples);
  for (let b = 0; b < resamples; b++) {
    let sum = 0;
    for (let i = 0; i < n; i++) sum += xs[Math.floor(rand() * n)];
    means[b] = sum / n;
  }
  means.sort();
  return [quantile(means, 0.025), quantile(means, 0.975)];
}

/** a − b over the seeds both have (see the module comment for the interval). */
export function pairedDifference(a: SeededValues, b: SeededValues): PairedDifference {
  const av = bySeed(a);
  const bv = bySeed(b);
  const seeds = [...av.keys()]
    .filter((s) => Number.isFinite(av.get(s)) && Number.isFinite(bv.get(s) ?? NaN))
    .sort((x, y) => x - y);
  const diffs = seeds.map((s) => av.get(s)! - bv.get(s)!);
  const n = diffs.length;
  if (n < 2) {
    return { seeds, diffs, n, mean: n === 1 ? diffs[0] : NaN, ci95: null, interval: null, significant: null };
  }
  const stats = aggregate(diffs);
  const interval: IntervalKind = n >= BOOTSTRAP_FROM ? 'bootstrap' : 't';
  const ci95 = interval === 'bootstrap' ? bootstrapMeanCi(diffs) : stats.ci95;
  return { seeds, diffs, n, mean: stats.mean, ci95, interval, significant: ci95[0] > 0 || ci95[1] < 0 };
}
