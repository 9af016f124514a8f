import { describe, expect, it } from 'vitest';
import { groupCurves } from '../bands';
import { groupRuns } from '../groups';
import type { RunInfo } from '../types';
import { logRange } from './common';
import { curveChart } from './curves';

type Axis = {
  type: string;
  min?: number;
  max?: number;
  axisLabel: { customValues?: number[] };
  axisTick: { customValues?: number[] };
};

const lisa = (id: string, seed: number): RunInfo => ({
  id,
  kind: 'lisa',
  label: id,
  status: 'finished',
  seed,
  gamma: 2,
  interval: 5,
  config: { steps: 10, lr: 1e-3, seed },
});
const bucket = (step: number, mean: number) => ({
  firstStep: step,
  lastStep: step,
  count: 1,
  min: mean,
  max: mean,
  mean,
});

describe('log y axis', () => {
  it('spans losses of 5.3–5.5 with padding and round labelled ticks, not the 1–10 decade', () => {
    const groups = groupRuns([lisa('a', 1), lisa('b', 2)]);
    const series = {
      key: 'train/loss',
      bucketSteps: 1,
      runs: [
        { runId: 'a', buckets: [bucket(1, 5.5), bucket(2, 5.4), bucket(3, 5.3)] },
        { runId: 'b', buckets: [bucket(1, 5.48), bucket(2, 5.41), bucket(3, 5.32)] },
      ],
    };
    const { option } = curveChart({
      key: 'train/loss',
      curves: groupCurves(series, groups, 'none'),
      band: 'none',
      log: true,
      seeds: false,
    });
    const y = option.yAxis as Axis;
    expect(y.type).toBe('log');
    expect(y.min).toBeGreaterThan(5.2);
    expect(y.min).toBeLessThan(5.3);
    expect(y.max).toBeGreaterThan(5.5);
    expect(y.max).toBeLessThan(5.6);
    const ticks = y.axisLabel.customValues!;
    expect(ticks.length).toBeGreaterThanOrEqual(3);
    expect(ticks).toContain(5.4);
    expect(y.axisTick.customValues).toEqual(ticks);
    for (const t of ticks) expect(t >= y.min! && t <= y.max!).toBe(true);
  });
  it('labels 1-2-5 per decade over wide ranges and ignores values a log axis cannot draw', () => {
    const r = logRange([0.011, 0, NaN, null, 9])!;
    expect(r.min).toBeLessThan(0.011);
    expect(r.max).toBeGreaterThan(9);
    expect(r.ticks).toEqual([0.01, 0.03, 0.1, 0.3, 1, 3, 10]);
    expect(logRange([0.011, 900])!.ticks).toEqual([0.01, 0.1, 1, 10, 100, 1000]);
    expect(logRange([1, 2, 5])!.ticks).toEqual([1, 2, 3, 4, 5]);
    expect(logRange([0, NaN])).toBeNull();
  });
});
