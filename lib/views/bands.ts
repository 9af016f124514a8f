/**
 * Seed bands: for each configuration, the per-seed downsampled series (smoothed by EMA first, as W&B and
 * TensorBoard do) are aligned on the shared bucket grid and aggregated per bucket into a mean line and a
 * band: ± std, ± standard error, min–max over seeds, or the 95% CI of the mean (Student's t).
 */
import type { MultiSeriesResult } from '../queries/series';
import { aggregate } from '../stats/aggregate';
import { ema } from './ema';
import type { ConfigGroup } from './groups';
import type { Bucket } from './types';

export const BANDS = ['std', 'se', 'mm', 'ci', 'none'] as const;
export type BandKind = (typeof BANDS)[number];
export const BAND_LABEL: Record<BandKind, string> = {
  std: 'mean ± std',
  se: 'mean ± std. error',
  mm: 'min–max over seeds',
  ci: '95% CI of the mean',
  none: 'mean only',
};

/** GET /api/sweeps/:id/series: the parts of lib/queries/series.ts MultiSeriesResult that the bands read. */
export type MultiSeries = Pick<MultiSeriesResult, 'key' | 'bucketSteps'> & {
  runs: (Pick<MultiSeriesResult['runs'][number], 'runId'> & { buckets: Bucket[] })[];
};

export interface SeedTrace {
  runId: string;
  seed: number | null;
  /** Parallel to the group's steps; NaN where the seed has no value. */
  values: number[];
}

export interface GroupCurve {
  group: ConfigGroup;
  steps: number[];
  mean: number[];
  lo: number[];
  hi: number[];
  n: number[];
  seeds: SeedTrace[];
}

function band(values: number[], kind: BandKind): { mean: number; lo: number; hi: number; n: number } {
  const a = aggregate(values);
  switch (kind) {
    case 'std':
      return { mean: a.mean, lo: a.mean - a.std, hi: a.mean + a.std, n: a.n };
    case 'se':
      return { mean: a.mean, lo: a.mean - a.stderr, hi: a.mean + a.stderr, n: a.n };
    case 'ci':
      return { mean: a.mean, lo: a.ci95[0], hi: a.ci95[1], n: a.n };
    case 'mm':
      return { mean: a.mean, lo: a.n > 1 ? a.min : NaN, hi: a.n > 1 ? a.max : NaN, n: a.n };
    default:
      return { mean: a.mean, lo: NaN, hi: NaN, n: a.n };
  }
}

/** Mean and band per bucket for every configuration; buckets where no seed has a value are dropped. */
export function groupCurves(
  series: MultiSeries,
  groups: readonly ConfigGroup[],
  kind: BandKind,
  smoothing = 0,
): GroupCurve[] {
  const w = Math.max(1, series.bucketSteps);
  const byRun = new Map(series.runs.map((r) => [r.runId, r.buckets]));
  return groups.map((group) => {
    const slots = new Map<number, { step: number; values: Map<string, number> }>();
    for (const run of group.runs) {
      const buckets = byRun.get(run.id) ?? [];
      const smooth = ema(
        buckets.map((b) => b.mean),
        smoothing,
      );
      buckets.forEach((b, i) => {
        const idx = Math.floor(b.firstStep / w);
        const slot = slots.get(idx) ?? { step: b.lastStep, values: new Map<string, number>() };
        slot.step = Math.max(slot.step, b.lastStep);
        slot.values.set(run.id, smooth[i]);
        slots.set(idx, slot);
      });
    }
    const ordered = [...slots.entries()].sort((a, b) => a[0] - b[0]).map(([, s]) => s);
    const curve: GroupCurve = { group, steps: [], mean: [], lo: [], hi: [], n: [], seeds: [] };
    for (const s of ordered) {
      const b = band([...s.values.values()], kind);
      curve.steps.push(s.step);
      curve.mean.push(b.mean);
      curve.lo.push(b.lo);
      curve.hi.push(b.hi);
      curve.n.push(b.n);
    }
    curve.seeds = group.runs.map((run) => ({
      runId: run.id,
      seed: run.seed,
      values: ordered.map((s) => s.values.get(run.id) ?? NaN),
    }));
    return curve;
  });
}
