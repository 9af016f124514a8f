import { afterEach, describe, expect, it } from 'vitest';
import { seedAblationSweep, tempDatabase, type TempDatabase } from '../ingest/testing';
import { ablationTable } from '../queries/table';
import { groupRuns } from '../views/groups';
import type { RunInfo } from '../views/types';
import {
  compareConfigurations,
  configurationKey,
  configurationLabel,
  headlineOf,
  knobAppliesTo,
  METHOD_SPECIFIC_KNOBS,
  methodConfig,
  type RunSettings,
} from './configuration';

const lisa = (config: Record<string, unknown>, gamma = 2, interval = 5): RunSettings => ({
  kind: 'lisa',
  gamma,
  interval,
  config: { method: 'lisa', steps: 10, lr: 1e-3, gamma, interval, optimizer_state: 'reset_blocks', ...config },
});
const baseline = (kind: string, config: Record<string, unknown> = {}): RunSettings => ({
  kind,
  gamma: null,
  interval: null,
  config: { method: kind, steps: 10, lr: 1e-3, gamma: 2, interval: 20, rank: 8, alpha: 16, ...config },
});
const key = configurationKey;

describe('knobs per method', () => {
  it('gives LISA its knobs, LoRA its own, full neither, and any other kind every key', () => {
    expect(knobAppliesTo('gamma', 'lisa')).toBe(true);
    expect(knobAppliesTo('gamma', 'lora')).toBe(false);
    expect(knobAppliesTo('rank', 'lora')).toBe(true);
    expect(knobAppliesTo('lora_targets', 'full')).toBe(false);
    expect(knobAppliesTo('lr', 'full')).toBe(true);
    expect(knobAppliesTo('rank', 'external')).toBe(true);
    expect([...METHOD_SPECIFIC_KNOBS].sort()).toEqual(
      [
        ...['alpha', 'gamma', 'interval', 'lora_targets', 'lora_train_embed', 'optimizer_state', 'rank', 'sampling'],
        ...['granularity', 'importance_score', 'importance_tau', 'importance_eps', 'fixed_blocks', 'merge_lora'],
      ].sort(),
    );
  });
});

describe('configurationKey', () => {
  it('ignores the seed and per-run paths but not the backend', () => {
    const a = lisa({ seed: 1, out: '/a', base: '/p', resume: false, backend: 'wasm' });
    expect(key(a)).toBe(key(lisa({ seed: 2, out: '/b', base: '/q', resume: true, backend: 'wasm' })));
    expect(key(a)).not.toBe(key(lisa({ seed: 1, out: '/a', base: '/p', resume: false, backend: 'cpu' })));
  });
  it('groups the seeds of a command run: its rendered command holds the seed and run folder, its knobs do not', () => {
    const run = (seed: number, lr = 1e-3) =>
      lisa({
        seed,
        lr,
        max_steps: 60,
        command: {
          argv: ['/usr/bin/python3', 'train.py', `--lr=${lr}`, '--max_steps=60', `--seed=${seed}`],
          cwd: '/work/examples',
          env: {},
          args: { lr, max_steps: 60, seed },
        },
      });
    expect(key(run(1))).toBe(key(run(2)));
    expect(key(run(1))).not.toBe(key(run(1, 3e-3)));
    expect(key(run(1))).not.toBe(key(lisa({ seed: 1, lr: 1e-3, max_steps: 200 })));
  });
  it('takes γ and K from the run columns and reads the optimizer-state mode as the trainer does', () => {
    expect(key(lisa({}, 2, 5))).not.toBe(key(lisa({}, 2, 20)));
    expect(key({ ...lisa({}, 2, 5), config: { ...lisa({}, 2, 5).config, gamma: 8 } })).toBe(key(lisa({}, 2, 5)));
    expect(key(lisa({ optimizer_state: 'reset' }))).toBe(key(lisa({ optimizer_state: 'reset_all' })));
    expect(key(lisa({ optimizer_state: 'reset' }))).not.toBe(key(lisa({ optimizer_state: 'keep' })));
    expect(key(lisa({ optimizer_state: undefined }))).not.toBe(key(lisa({})));
  });
  it('tells LISA runs apart by sampling rule and granularity; defaults match runs that predate them', () => {
    const importance = { sampling: 'importance', importance_score: 'grad_norm', importance_tau: 1 };
    expect(key(lisa({ sampling: 'importance' }))).not.toBe(key(lisa({ sampling: 'uniform' })));
    expect(key(lisa({ granularity: 'module' }))).not.toBe(key(lisa({ granularity: 'block' })));
    // A run recorded before these knobs existed is the same configuration as uniform, block today.
    expect(key(lisa({}))).toBe(key(lisa({ sampling: 'uniform', granularity: 'block' })));
    // The importance knobs count only under importance (defaults filled in); fixed_blocks only under fixed.
    expect(key(lisa({ sampling: 'uniform', importance_tau: 5, fixed_blocks: [1] }))).toBe(key(lisa({})));
    expect(key(lisa(importance))).toBe(key(lisa({ sampling: 'importance', importance_eps: 0.1 })));
    expect(key(lisa(importance))).not.toBe(key(lisa({ ...importance, importance_tau: 4 })));
    const fixed = (list: number[]) => key(lisa({ sampling: 'fixed', fixed_blocks: list }));
    expect(fixed([4, 5])).not.toBe(fixed([0, 1]));
    expect(key(baseline('full', { granularity: 'module', sampling: 'importance' }))).toBe(key(baseline('full')));
  });
  it('drops the knobs a method does not use, and never merges two methods', () => {
    expect(key(baseline('full', { rank: 4, gamma: 1 }))).toBe(key(baseline('full')));
    expect(key(baseline('lora', { gamma: 1, sampling: 'bernoulli' }))).toBe(key(baseline('lora')));
    expect(key(baseline('lora', { rank: 4 }))).not.toBe(key(baseline('lora')));
    expect(key(lisa({ rank: 64 }))).toBe(key(lisa({})));
    expect(key(baseline('full'))).not.toBe(key(baseline('lora')));
    expect(key(baseline('external', { rank: 4 }))).not.toBe(key(baseline('external')));
  });
  it('keeps lr in the identity unless told to leave it out (the table chooses the best lr per row)', () => {
    const slow = baseline('full', { lr: 3e-4 });
    expect(key(slow)).not.toBe(key(baseline('full')));
    expect(key(slow, { lr: false })).toBe(key(baseline('full'), { lr: false }));
    expect(key(baseline('full', { steps: 20 }), { lr: false })).not.toBe(key(baseline('full'), { lr: false }));
  });
});

describe('configurationLabel', () => {
  it('spells each method one way, LoRA with or without α', () => {
    const h = (kind: string, s: Record<string, unknown>) => headlineOf(kind, s);
    expect(configurationLabel('lisa', h('lisa', { gamma: 2, interval: 5, rank: 8 }))).toBe('LISA γ=2 K=5');
    expect(configurationLabel('full', h('full', { gamma: 2, rank: 8 }))).toBe('Full');
    expect(configurationLabel('full', h('full', {}), { short: true })).toBe('Full');
    expect(configurationLabel('lora', h('lora', { rank: 8, alpha: 16, gamma: 2 }))).toBe('LoRA r=8 α=16');
    expect(configurationLabel('lora', h('lora', { rank: 8, alpha: 16 }), { short: true })).toBe('LoRA r=8');
    expect(configurationLabel('lisa', h('lisa', { gamma: 2 }))).toBe('LISA γ=2 K=?');
    const lisaLabel = (s: Record<string, unknown>) =>
      configurationLabel('lisa', h('lisa', { gamma: 2, interval: 5, ...s }));
    expect(lisaLabel({ sampling: 'uniform', granularity: 'block' })).toBe('LISA γ=2 K=5');
    expect(lisaLabel({ sampling: 'importance', granularity: 'module' })).toBe('LISA γ=2 K=5 importance modules');
    expect(lisaLabel({ sampling: 'bernoulli' })).toBe('LISA γ=2 K=5 bernoulli');
    expect(lisaLabel({ sampling: 'fixed', fixed_blocks: [4, 5] })).toBe('LISA fixed 4,5 K=5');
    expect(configurationLabel('external', h('external', { rank: 8 }))).toBe('external');
    expect(configurationLabel('external', h('external', {}), { fallback: 'my run' })).toBe('my run');
  });
});

describe('compareConfigurations', () => {
  it('orders full, LoRA by r then α, LISA by γ then K, other kinds last, unrecorded knobs last', () => {
    const c = (kind: string, s: Record<string, unknown>, label = kind) => ({ ...headlineOf(kind, s), kind, label });
    const sorted = [
      c('external', {}, 'b'),
      c('lisa', { gamma: 2, interval: 5 }),
      c('lisa', { gamma: 1, interval: 20 }),
      c('lisa', { gamma: 1, interval: 5 }),
      c('lisa', { interval: 5 }),
      c('lora', { rank: 8, alpha: 16 }),
      c('lora', { rank: 4, alpha: 32 }),
      c('lora', { rank: 4, alpha: 8 }),
      c('external', {}, 'a'),
      c('full', { rank: 64 }),
    ].sort(compareConfigurations);
    expect(sorted.map((x) => [x.kind, x.gamma ?? x.rank, x.interval ?? x.alpha, x.label])).toEqual([
      ['full', null, null, 'full'],
      ['lora', 4, 8, 'lora'],
      ['lora', 4, 32, 'lora'],
      ['lora', 8, 16, 'lora'],
      ['lisa', 1, 5, 'lisa'],
      ['lisa', 1, 20, 'lisa'],
      ['lisa', 2, 5, 'lisa'],
      ['lisa', null, 5, 'lisa'],
      ['external', null, null, 'a'],
      ['external', null, null, 'b'],
    ]);
  });
});

describe('the table and the views group alike', () => {
  let t: TempDatabase;
  afterEach(() => t?.close());
  it('puts the runs of a table row in one curve, and no two rows in one curve', () => {
    t = tempDatabase();
    const sq = t.conn.sqlite;
    seedAblationSweep(sq, {
      sweepId: 'mix',
      gammas: [1],
      intervals: [2],
      seeds: [1, 2],
      steps: 4,
      evalEvery: 2,
      baselines: [{ kind: 'full' }],
      // LISA: the legacy spelling on one seed; full: one seed per backend.
      config: (r) =>
        r.kind === 'lisa'
          ? { optimizer_state: r.seed === 1 ? 'reset' : 'reset_all' }
          : { backend: r.seed === 1 ? 'wasm' : 'cpu' },
      finalLoss: (r) => 2 + r.seed / 100,
    });
    const runs = (
      sq.prepare('SELECT id, kind, label, status, seed, gamma, interval, config FROM runs').all() as (Omit<
        RunInfo,
        'config'
      > & { config: string })[]
    ).map((r) => ({ ...r, config: JSON.parse(r.config) as Record<string, unknown> }));
    const curveOf = new Map(groupRuns(runs).flatMap((g) => g.runs.map((r) => [r.id, g.key] as const)));
    const table = ablationTable(sq, 'mix')!;
    const rows = [...table.cells, ...table.baselines];
    expect(rows.map((r) => r.label)).toEqual(['LISA γ=1 K=2', 'Full backend=cpu', 'Full backend=wasm']);
    const curves = rows.map((r) => [...new Set(r.runIds.map((id) => curveOf.get(id)))]);
    for (const c of curves) expect(c).toHaveLength(1);
    expect(new Set(curves.flat()).size).toBe(rows.length);
  });
});

describe('methodConfig', () => {
  it('lists only the knobs a run’s method uses: no γ or K for LoRA, no rank for LISA, none for pretrain', () => {
    const trainer = { steps: 10, lr: 1e-3, seed: 1, gamma: 2, interval: 20, sampling: 'uniform', rank: 8, alpha: 16 };
    expect(Object.keys(methodConfig('lora', { method: 'lora', ...trainer }))).toEqual([
      'method',
      'steps',
      'lr',
      'seed',
      'rank',
      'alpha',
    ]);
    expect(Object.keys(methodConfig('lisa', trainer))).toEqual([
      'steps',
      'lr',
      'seed',
      'gamma',
      'interval',
      'sampling',
    ]);
    expect(Object.keys(methodConfig('full', trainer))).toEqual(['steps', 'lr', 'seed']);
    expect(Object.keys(methodConfig('pretrain', trainer))).toEqual(['steps', 'lr', 'seed']);
    expect(methodConfig('external', trainer)).toEqual(trainer);
  });
});
