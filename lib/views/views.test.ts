import { describe, expect, it } from 'vitest';
import { type AblationRow, type AblationTableJson, defaultAxes, heatColour, pivot, shader } from './ablation';
import { groupCurves } from './bands';
import { curveChart } from './charts/curves';
import { scoresChart, timelineChart } from './charts/timeline';
import { figure2Chart } from './charts/figure2';
import { ema } from './ema';
import { figure2 } from './figure2';
import { configurationKey as configKey } from '../runs/configuration';
import { groupRuns } from './groups';
import { blocksFromGroups, lisaTimeline } from './timeline';
import type { RunInfo } from './types';

const run = (id: string, kind: string, seed: number, extra: Partial<RunInfo> = {}): RunInfo => ({
  id,
  kind,
  label: id,
  status: 'finished',
  seed,
  gamma: null,
  interval: null,
  config: { steps: 10, lr: 1e-3, seed, out: `/x/${id}`, rank: 8 },
  ...extra,
});
const lisa = (id: string, g: number, k: number, seed: number) => run(id, 'lisa', seed, { gamma: g, interval: k });

describe('groupRuns', () => {
  it('groups by everything but the seed, orders full, LoRA, LISA by γ then K, and styles per method', () => {
    const groups = groupRuns([
      lisa('a', 2, 5, 1),
      lisa('b', 1, 5, 1),
      lisa('c', 1, 5, 2),
      run('f1', 'full', 1),
      run('f2', 'full', 2),
      run('l1', 'lora', 1),
      run('p', 'pretrain', 0),
    ]);
    expect(groups.map((g) => g.label)).toEqual(['Full', 'LoRA r=8', 'LISA γ=1 K=5', 'LISA γ=2 K=5']);
    expect(groups.map((g) => g.runs.length)).toEqual([2, 1, 2, 1]);
    expect(groups[0].style.color).toBe('#D55E00');
    expect(groups[1].style.color).toBe('#0072B2');
    expect(groups[2].style.color).not.toBe(groups[3].style.color);
  });
  it('ignores LoRA knobs on a full run but separates different learning rates', () => {
    const a = run('a', 'full', 1);
    const b = run('b', 'full', 2, { config: { ...a.config, rank: 16, seed: 2 } });
    const c = run('c', 'full', 1, { config: { ...a.config, lr: 2e-3 } });
    expect(configKey(a)).toBe(configKey(b));
    expect(configKey(a)).not.toBe(configKey(c));
    expect(groupRuns([a, c]).map((g) => g.label)).toEqual(['Full lr=0.001', 'Full lr=0.002']);
  });
  it('names look-alike configurations by every knob that tells them apart; numbers them when none does', () => {
    const a = run('a', 'lisa', 1, { gamma: 1, interval: 2 });
    const b = run('b', 'lisa', 1, { gamma: 1, interval: 2, config: { ...a.config, lr: 3e-3, schedule: 'linear' } });
    const c = run('c', 'lisa', 1, { gamma: 2, interval: 2 });
    expect(groupRuns([a, b, c]).map((g) => g.label)).toEqual([
      'LISA γ=1 K=2 lr=0.001 schedule=unset',
      'LISA γ=1 K=2 lr=0.003 schedule=linear',
      'LISA γ=2 K=2',
    ]);
    // Two foreign trainers' runs with one label and the same knobs: nothing to name, so a number.
    const x = run('x', 'custom', 1, { label: 'my trainer seed 1' });
    const y = run('y', 'other', 1, { label: 'my trainer seed 1' });
    expect(groupRuns([x, y]).map((g) => g.label)).toEqual(['my trainer', 'my trainer (2)']);
  });
});

describe('ema', () => {
  it('is the identity at 0, removes start-up bias, and skips NaN', () => {
    expect(ema([1, 2, 3], 0)).toEqual([1, 2, 3]);
    expect(ema([5, 5, 5], 0.9).every((v) => Math.abs(v - 5) < 1e-12)).toBe(true);
    const s = ema([NaN, 1, NaN, 3], 0.5);
    expect(s[0]).toBeNaN();
    expect(s[1]).toBe(1);
    expect(s[2]).toBe(1);
    expect(s[3]).toBeCloseTo((0.5 * 0.5 * 1 + 0.5 * 3) / (1 - 0.25));
  });
});

describe('groupCurves', () => {
  const b = (step: number, mean: number) => ({ firstStep: step, lastStep: step, count: 1, min: mean, max: mean, mean });
  const groups = groupRuns([lisa('a', 1, 5, 1), lisa('b', 1, 5, 2)]);
  const series = {
    key: 'train/loss',
    bucketSteps: 1,
    runs: [
      { runId: 'a', buckets: [b(1, 2), b(2, 4)] },
      { runId: 'b', buckets: [b(1, 4), b(3, 1)] },
    ],
  };
  it('computes mean and bands per step over seeds', () => {
    const [c] = groupCurves(series, groups, 'std');
    expect(c.steps).toEqual([1, 2, 3]);
    expect(c.mean).toEqual([3, 4, 1]);
    expect(c.n).toEqual([2, 1, 1]);
    expect(c.lo[0]).toBeCloseTo(3 - Math.SQRT2);
    expect(c.hi[0]).toBeCloseTo(3 + Math.SQRT2);
    expect(c.lo[1]).toBeNaN();
    const [mm] = groupCurves(series, groups, 'mm');
    expect([mm.lo[0], mm.hi[0]]).toEqual([2, 4]);
    const [ci] = groupCurves(series, groups, 'ci');
    expect(ci.hi[0] - ci.mean[0]).toBeCloseTo(12.706 * 1, 2);
    expect(c.seeds.map((s) => s.values)).toEqual([
      [2, 4, NaN],
      [4, NaN, 1],
    ]);
  });
  it('feeds a chart whose data table has one row per configuration and step', () => {
    const { data, option } = curveChart({
      key: 'train/loss',
      curves: groupCurves(series, groups, 'std'),
      band: 'std',
      log: true,
      seeds: true,
    });
    expect(data.rows).toHaveLength(3);
    expect(data.columns[0]).toBe('configuration');
    expect((option.series as unknown[]).length).toBe(2 + 1); // seeds + mean; the band needs two finite points
  });
});

describe('figure2', () => {
  it('averages seeds per layer group in model order, one series per method', () => {
    const groups = groupRuns([run('f1', 'full', 1), run('f2', 'full', 2), run('l1', 'lora', 1)]);
    const norms = (id: string, v: number) => ({
      runId: id,
      groups: ['head', 'block.10', 'block.2', 'embed', 'lnf', 'pos'].map((group) => ({ group, value: v })),
    });
    const fig = figure2([norms('f1', 1), norms('f2', 3), norms('l1', 0)], groups);
    expect(fig.layers).toEqual(['embed', 'pos', 'block.2', 'block.10', 'lnf', 'head']);
    expect(fig.series.map((s) => s.values[0])).toEqual([2, 0]);
    const chart = figure2Chart(fig, 'weight', 'mean over steps');
    expect(chart.data.columns).toEqual(['layer group', 'Full', 'LoRA r=8']);
    expect(chart.data.rows[4]).toEqual(['final LN', 2, 0]);
    // zero cannot sit on a log axis: drawn as a gap, kept in the table
    expect((chart.option.series as { data: unknown[] }[])[1].data[0]).toBeNull();
  });
});

describe('lisaTimeline', () => {
  it('counts periods and trainable steps per block', () => {
    const t = lisaTimeline(
      [
        { period: 1, step: 5, active: [1], reset: true },
        { period: 0, step: 0, active: [0, 2], reset: false },
      ],
      4,
      12,
    );
    expect(t.nBlocks).toBe(4);
    expect(t.periods.map((p) => p.period)).toEqual([0, 1]);
    expect(t.counts).toEqual([1, 1, 1, 0]);
    expect(t.steps).toEqual([5, 7, 5, 0]);
    expect(blocksFromGroups(['embed', 'block.0', 'block.3', 'head'])).toBe(4);
    expect(lisaTimeline([{ period: 0, step: 0, active: [5], reset: false }], null, null).nBlocks).toBe(6);
    expect(t.granularity).toBe('block');
    expect(t.units).toEqual(['block 0', 'block 1', 'block 2', 'block 3']);
  });

  it('shows modules when the run drew modules, every module of every block, with the scores of each draw', () => {
    const t = lisaTimeline(
      [
        { period: 0, step: 1, active: [0], reset: false, modules: ['block.0/attn.q'] },
        {
          period: 1,
          step: 4,
          active: [1],
          reset: true,
          modules: ['block.1/ln', 'block.1/mlp.fc'],
          scores: { 'block.0/attn.q': 2, 'block.0/ln': 1, 'block.1/ln': 4, 'block.1/mlp.fc': 3 },
        },
      ],
      2,
      6,
    );
    expect(t.granularity).toBe('module');
    expect(t.units).toEqual([
      'block.0/ln',
      'block.0/attn.q',
      'block.0/mlp.fc',
      'block.1/ln',
      'block.1/attn.q',
      'block.1/mlp.fc',
    ]);
    expect(t.counts).toEqual([0, 1, 0, 1, 0, 1]);
    expect(t.steps).toEqual([0, 3, 0, 2, 0, 2]);
    expect(t.scores[0]).toBeNull();
    expect(t.scores[1]).toEqual([1, 2, Number.NaN, 4, Number.NaN, 3]);
    const chart = scoresChart(t)!;
    expect(chart.data.rows).toEqual([[1, 4, 1, 2, '', 4, '', 3]]);
    expect(timelineChart(t).data.rows[1][2]).toBe('block.1/ln, block.1/mlp.fc');
    expect(scoresChart(lisaTimeline([{ period: 0, step: 1, active: [0], reset: false }], 2, 3))).toBeNull();
  });
});

describe('ablation shading', () => {
  it('shades the best mean darkest and leaves non-finite cells plain', () => {
    const row = (mean: number) => ({
      method: 'lisa',
      label: '',
      gamma: 1,
      interval: 1,
      switches: 1,
      steps: 1,
      excluded: 0,
      refused: [],
      best: false,
      lr: null,
      lrChoice: [],
      comparisons: [],
      stats: { n: 2, nonFinite: 0, mean, std: 0 },
    });
    const table: AblationTableJson = {
      sweepId: 's',
      metric: { id: 'eval/loss', key: 'eval/loss', label: '', better: 'lower' },
      caption: '',
      gammas: [1],
      intervals: [1],
      cells: [row(1), row(2)],
      baselines: [row(NaN)],
    };
    const shade = shader(table);
    expect(shade(table.cells[0])).toBe(heatColour(1));
    expect(shade(table.cells[1])).toBe(heatColour(0));
    expect(shade(table.baselines[0])).toBeUndefined();
  });
});

describe('ablation pivot', () => {
  const cell = (gamma: number, sampling: string, granularity: string, mean: number): AblationRow => ({
    method: 'lisa',
    label: `LISA γ=${gamma} K=5 ${sampling} ${granularity}`,
    gamma,
    interval: 5,
    sampling,
    granularity,
    variant: {},
    switches: 2,
    steps: 10,
    excluded: 0,
    refused: [],
    best: false,
    lr: null,
    lrChoice: [],
    comparisons: [],
    stats: { n: 2, nonFinite: 0, mean, std: 0 },
  });
  const table = (cells: AblationRow[]): AblationTableJson => ({
    sweepId: 's',
    metric: { id: 'eval/loss', key: 'eval/loss', label: '', better: 'lower' },
    caption: '',
    gammas: [2],
    intervals: [5],
    cells,
    baselines: [],
  });
  const four = ['uniform', 'importance'].flatMap((s, i) =>
    ['block', 'module'].map((g, j) => cell(2, s, g, 1 + i + 2 * j)),
  );

  it('lays sampling × granularity out as rows × columns when they are what the cells differ in', () => {
    const t = table(four);
    expect(defaultAxes(t)).toEqual({ rows: 'sampling', cols: 'granularity' });
    const [f, ...more] = pivot(t, 'sampling', 'granularity');
    expect(more).toEqual([]);
    expect([f.title, f.rows, f.cols]).toEqual(['', ['uniform', 'importance'], ['block', 'module']]);
    expect(f.cell('importance', 'module')?.stats.mean).toBe(4);
    expect(f.cell('uniform', 'block')?.stats.mean).toBe(1);
  });

  it('splits the cells into facets by the axes that are neither rows nor columns', () => {
    const t = table([...four, ...four.map((c) => ({ ...c, gamma: 1, stats: { ...c.stats, mean: -c.stats.mean } }))]);
    expect(defaultAxes(t)).toEqual({ rows: 'gamma', cols: 'sampling' });
    const facets = pivot(t, 'sampling', 'granularity');
    expect(facets.map((f) => f.title)).toEqual(['γ (active units) = 1', 'γ (active units) = 2']);
    expect(facets[0].cell('importance', 'module')?.stats.mean).toBe(-4);
    const classic = pivot(t, 'gamma', 'interval');
    expect(classic.map((f) => f.title)).toEqual([
      'sampling = uniform, granularity = block',
      'sampling = uniform, granularity = module',
      'sampling = importance, granularity = block',
      'sampling = importance, granularity = module',
    ]);
    expect(classic[3].rows).toEqual(['1', '2']);
  });
});
