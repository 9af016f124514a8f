import { describe, expect, it } from 'vitest';
import { groupCurves } from '../bands';
import { groupRuns } from '../groups';
import type { RunInfo } from '../types';
import { curveChart } from './curves';
import { heatmapChart } from './heatmap';

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

describe('norm heat map', () => {
  const m = {
    groups: ['embed', 'block.0'],
    columns: [1, 2, 3].map((s) => ({ fromStep: s, toStep: s })),
    values: [
      [10, 10.1, 10.2],
      [0.01, 0.02, 0.04],
    ],
  };
  it('puts numbers on the colour bar', () => {
    const { option } = heatmapChart(m, 'update');
    const vm = option.visualMap as { text: string[] };
    expect(vm.text.map(Number)).toEqual([10.2, 0.01]);
  });
  it('normalises each row to its own maximum on request, and says so', () => {
    const { option, caption } = heatmapChart(m, 'update', { perRow: true });
    const cells = (option.series as { data: number[][] }[])[0].data;
    const cell = (c: number, g: number) => cells.find((x) => x[0] === c && x[1] === g)![2];
    expect(cell(2, 0)).toBeCloseTo(1);
    expect(cell(0, 1)).toBeCloseTo(0.25);
    expect(cell(0, 0)).toBeCloseTo(10 / 10.2);
    expect((option.visualMap as { text: string[] }).text).toEqual(['1', '0']);
    expect(caption).toMatch(/per row/);
    expect(heatmapChart(m, 'update').caption).toMatch(/log scale/);
  });
});

describe('seed bands with one seed', () => {
  it('leave the band empty in the data table and say why, instead of NaN', () => {
    const groups = groupRuns([lisa('a', 1)]);
    const series = { key: 'train/loss', bucketSteps: 1, runs: [{ runId: 'a', buckets: [bucket(1, 2), bucket(2, 1)] }] };
    const { data, note } = curveChart({
      key: 'train/loss',
      curves: groupCurves(series, groups, 'std'),
      band: 'std',
      log: false,
      seeds: false,
    });
    expect(data.rows[0]).toEqual(['LISA γ=2 K=5', 1, 2, null, null, 1]);
    expect(note).toBe('n = 1: no spread');
  });
});
