/**
 * The LISA timeline of one run: which blocks were trainable in each period, and how often each block was
 * drawn. Periods come from the `lisa_periods` table (period, first step, active block indices).
 */
import type { PeriodRow } from '../queries/run-details';

/** One LISA period as GET /api/runs/:id/periods sends it (lib/queries/run-details.ts PeriodRow). */
export type Period = Pick<PeriodRow, 'period' | 'step' | 'active' | 'reset'>;

export interface Timeline {
  nBlocks: number;
  periods: Period[];
  /** counts[b] = periods in which block b was active. */
  counts: number[];
  /** Steps each block was trainable (a period lasts until the next one starts, the last until `totalSteps`). */
  steps: number[];
}

/** `nBlocks` is the model's block count when known; otherwise one past the highest index ever active. */
export function lisaTimeline(periods: readonly Period[], nBlocks: number | null, totalSteps: number | null): Timeline {
  const sorted = [...periods].sort((a, b) => a.period - b.period);
  const seen = sorted.reduce((m, p) => Math.max(m, ...p.active.map((b) => b + 1)), 0);
  const n = Math.max(nBlocks ?? 0, seen);
  const counts = new Array<number>(n).fill(0);
  const steps = new Array<number>(n).fill(0);
  sorted.forEach((p, i) => {
    const end = i + 1 < sorted.length ? sorted[i + 1].step : Math.max(totalSteps ?? p.step, p.step);
    for (const b of p.active) {
      counts[b]++;
      steps[b] += Math.max(0, end - p.step);
    }
  });
  return { nBlocks: n, periods: sorted, counts, steps };
}

/** Block count from layer-group names (`block.0` … `block.N-1`), or null when there are none. */
export function blocksFromGroups(groups: readonly string[]): number | null {
  let n = 0;
  for (const g of groups) {
    const m = /^block\.(\d+)$/.exec(g);
    if (m) n = Math.max(n, Number(m[1]) + 1);
  }
  return n > 0 ? n : null;
}
