import { afterEach, describe, expect, it } from 'vitest';
import { seedAblationSweep, seedNanoSweep as nanoSweep, tempDatabase, type TempDatabase } from '../ingest/testing';
import { tableToMarkdown } from '../table-formats/table';
import { ablationTable } from './table';
import { parseTableMetric, TableMetricError } from './table-metric';

let t: TempDatabase;
afterEach(() => t?.close());

describe('ablationTable', () => {
  it('has one row per γ × K cell and per baseline, aggregated over seeds', () => {
    t = tempDatabase();
    nanoSweep(t.conn.sqlite);
    const table = ablationTable(t.conn.sqlite, 's1', 'eval/loss')!;
    expect(table.gammas).toEqual([1, 2]);
    expect(table.intervals).toEqual([2, 5]);
    expect(table.cells.map((c) => [c.label, c.stats.n, c.switches, c.excluded])).toEqual([
      ['LISA γ=1 K=2', 2, 5, 1],
      ['LISA γ=1 K=5', 2, 2, 0],
      ['LISA γ=2 K=2', 2, 5, 0],
      ['LISA γ=2 K=5', 2, 2, 0],
    ]);
    expect(table.baselines.map((c) => [c.label, c.stats.n, c.switches])).toEqual([
      ['Full', 2, null],
      ['LoRA r=8 α=16', 2, null],
    ]);
    const cell = table.cells[0];
    expect(cell.seeds).toEqual([1, 2]);
    expect(cell.stats.mean).toBeCloseTo(2.1215, 9);
    expect(cell.stats.std).toBeCloseTo(Math.SQRT1_2 / 1000, 9);
    expect([...table.cells, ...table.baselines].filter((r) => r.best).map((r) => r.label)).toEqual(['Full']);
  });

  it('answers each metric kind: best, max, mean, higher-is-better, wall time', () => {
    t = tempDatabase();
    nanoSweep(t.conn.sqlite);
    const sq = t.conn.sqlite;
    expect(ablationTable(sq, 's1', 'eval/loss:best')!.cells[3].stats.mean).toBeCloseTo(2.2515, 9);
    expect(ablationTable(sq, 's1', 'mem/peak_bytes')!.cells[2].stats.mean).toBe(2e8 + 10);
    expect(ablationTable(sq, 's1', 'tokens_per_s')!.baselines[0].stats.mean).toBe(1001.5);
    const acc = ablationTable(sq, 's1', 'eval/accuracy')!;
    expect(acc.metric.better).toBe('higher');
    expect(acc.baselines.find((r) => r.best)?.label).toBe('Full');
    const wall = ablationTable(sq, 's1', 'wall_time')!;
    expect(wall.cells[0].stats).toMatchObject({ n: 2, mean: 13, std: 0 });
    expect(ablationTable(sq, 'nope')).toBeNull();
  });

  it('answers train/loss:roughness from every point of each run: a ±ε zig-zag scores ε·(1 + 1/11)', () => {
    t = tempDatabase();
    const eps: Record<string, number> = { lisa: 0.05, full: 0.01, lora: 0.02 };
    seedAblationSweep(t.conn.sqlite, {
      sweepId: 'rough',
      gammas: [1],
      intervals: [5],
      seeds: [1, 2],
      steps: 40,
      evalEvery: 10,
      baselines: [{ kind: 'full' }, { kind: 'lora', rank: 8, alpha: 16 }],
      finalLoss: () => 2,
      // 40 steps leave 30 full windows: an even count, so the residuals' mean is exactly 0.
      trainLoss: (r, step) => 3 - 0.01 * step + eps[r.kind] * (-1) ** step,
    });
    const table = ablationTable(t.conn.sqlite, 'rough', 'train/loss:roughness')!;
    expect(table.metric).toMatchObject({ agg: 'roughness', better: 'lower' });
    expect(table.metric.label).toMatch(/^roughness of train\/loss \(std around its 11-step centred moving average\)/);
    const rows = [...table.cells, ...table.baselines].map((r) => [r.method, r.stats.n, r.stats.mean] as const);
    expect(rows.map(([m, n]) => [m, n])).toEqual([
      ['lisa', 2],
      ['full', 2],
      ['lora', 2],
    ]);
    for (const [method, , mean] of rows) expect(mean).toBeCloseTo(eps[method] * (12 / 11), 12);
  });

  it('keeps sampling rule × granularity apart as cells, each compared with every baseline by seed', () => {
    t = tempDatabase();
    const importance = {
      sampling: 'importance',
      importance_score: 'grad_norm',
      importance_tau: 1,
      importance_eps: 0.1,
    };
    const variants = [{}, { granularity: 'module' }, importance, { ...importance, granularity: 'module' }];
    seedAblationSweep(t.conn.sqlite, {
      sweepId: 'axes',
      gammas: [2],
      intervals: [5],
      seeds: [1, 2, 3],
      steps: 10,
      evalEvery: 5,
      lisaVariants: variants,
      baselines: [{ kind: 'full' }, { kind: 'lora', rank: 8, alpha: 16 }],
      // Baseline configs carry the trainer's LISA defaults, as resolved configs do; they must not matter there.
      finalLoss: (r) => 2 + r.seed / 10 + (r.kind === 'lisa' ? 0 : 0.5),
      config: (r) => (r.kind === 'lisa' ? {} : { sampling: 'uniform', granularity: 'block' }),
    });
    const table = ablationTable(t.conn.sqlite, 'axes', 'eval/loss')!;
    expect(table.cells.map((c) => [c.label, c.sampling, c.granularity, c.stats.n, c.variant])).toEqual([
      ['LISA γ=2 K=5', 'uniform', 'block', 3, {}],
      ['LISA γ=2 K=5 importance', 'importance', 'block', 3, {}],
      ['LISA γ=2 K=5 importance modules', 'importance', 'module', 3, {}],
      ['LISA γ=2 K=5 modules', 'uniform', 'module', 3, {}],
    ]);
    expect(table.baselines.map((b) => [b.label, b.sampling, b.granularity])).toEqual([
      ['Full', null, null],
      ['LoRA r=8 α=16', null, null],
    ]);
    for (const c of table.cells)
      expect(c.comparisons.map((x) => [x.baseline, x.n])).toEqual([
        ['Full', 3],
        ['LoRA r=8 α=16', 3],
      ]);
    const md = tableToMarkdown(table);
    expect(md).toContain('| LISA sampling=importance granularity=module | 2 | 5 |');
    expect(md).toContain('| LISA | 2 | 5 |');
  });

  it('marks no best row when the best mean is shared (a tie of zeros marks nothing)', () => {
    t = tempDatabase();
    seedAblationSweep(t.conn.sqlite, {
      sweepId: 'tie',
      gammas: [1, 2],
      intervals: [5],
      seeds: [1, 2],
      steps: 10,
      evalEvery: 5,
      baselines: [{ kind: 'full' }],
      // γ=1 and Full tie at the lowest loss; wall time and tokens/s are equal everywhere.
      finalLoss: (r) => (r.gamma === 2 ? 2.5 : 2) + r.seed / 1000,
    });
    const marked = (metric: string) => {
      const table = ablationTable(t.conn.sqlite, 'tie', metric)!;
      return [...table.cells, ...table.baselines].filter((r) => r.best).map((r) => r.label);
    };
    expect(marked('eval/loss')).toEqual([]);
    expect(marked('wall_time')).toEqual([]);
    expect(marked('tokens_per_s')).toEqual([]);
  });

  it('parses metric ids and rejects unknown aggregations', () => {
    expect(parseTableMetric('eval/loss')).toMatchObject({ key: 'eval/loss', agg: 'last', better: 'lower' });
    expect(parseTableMetric('eval/accuracy:best')).toMatchObject({ agg: 'max', better: 'higher' });
    expect(parseTableMetric('mem/peak_bytes')).toMatchObject({ agg: 'max' });
    expect(parseTableMetric('train/loss:roughness')).toMatchObject({ agg: 'roughness', better: 'lower' });
    expect(() => parseTableMetric('eval/loss:median')).toThrow(TableMetricError);
    expect(() => parseTableMetric('a b')).toThrow(TableMetricError);
  });

  it('picks each row’s best lr on final eval/loss, and says so in the caption', () => {
    t = tempDatabase();
    // LoRA learns at 3e-3, barely at 3e-4; Full is best at 3e-4. LISA cells: γ=1 best at 1e-3, γ=2 at 3e-4.
    const loss: Record<string, Record<number, number>> = {
      full: { 3e-4: 2.0, 3e-3: 2.4 },
      lora: { 3e-4: 2.9, 3e-3: 2.1 },
      lisa1: { 3e-4: 2.3, 1e-3: 2.2 },
      lisa2: { 3e-4: 2.25, 1e-3: 2.5 },
    };
    seedAblationSweep(t.conn.sqlite, {
      sweepId: 'lr',
      gammas: [1, 2],
      intervals: [5],
      seeds: [1, 2, 3],
      steps: 10,
      evalEvery: 5,
      baselines: [{ kind: 'full' }, { kind: 'lora', rank: 8, alpha: 16 }],
      lrs: { lisa: [3e-4, 1e-3], full: [3e-4, 3e-3], lora: [3e-4, 3e-3] },
      // tokens_per_s is 1000 + seed for every run, so the lr is chosen on eval/loss whatever the table shows.
      finalLoss: (r) => loss[r.kind === 'lisa' ? `lisa${r.gamma}` : r.kind][r.lr!] + r.seed / 1000,
    });
    const table = ablationTable(t.conn.sqlite, 'lr', 'tokens_per_s')!;
    expect(table.selection.id).toBe('eval/loss');
    expect(table.cells.map((c) => [c.label, c.lr, c.stats.n])).toEqual([
      ['LISA γ=1 K=5', 1e-3, 3],
      ['LISA γ=2 K=5', 3e-4, 3],
    ]);
    expect(table.baselines.map((c) => [c.label, c.lr, c.stats.n])).toEqual([
      ['Full', 3e-4, 3],
      ['LoRA r=8 α=16', 3e-3, 3],
    ]);
    const lora = table.baselines[1];
    expect(lora.lrChoice.map((c) => [c.lr, c.n, Number(c.mean.toFixed(6)), c.chosen])).toEqual([
      [3e-4, 3, 2.902, false],
      [3e-3, 3, 2.102, true],
    ]);
    expect(lora.runIds).toEqual(['lr-lora-0-0-8-lr0.003-1', 'lr-lora-0-0-8-lr0.003-2', 'lr-lora-0-0-8-lr0.003-3']);
    expect(table.lr).toEqual([
      { label: 'LISA', values: [3e-4, 1e-3], chosen: true },
      { label: 'Full', values: [3e-4, 3e-3], chosen: true },
      { label: 'LoRA r=8 α=16', values: [3e-4, 3e-3], chosen: true },
    ]);
    expect(table.caption).toContain(
      'Learning rate: LISA best of lr ∈ {0.0003, 0.001} per cell; Full best of lr ∈ {0.0003, 0.003}; ' +
        'LoRA r=8 α=16 best of lr ∈ {0.0003, 0.003}; chosen on final eval/loss (mean over seeds).',
    );
  });

  it('compares every LISA cell with every baseline, paired by seed, at the chosen lr', () => {
    t = tempDatabase();
    nanoSweep(t.conn.sqlite);
    const table = ablationTable(t.conn.sqlite, 's1', 'eval/loss')!;
    const cell = table.cells[0]; // γ=1 K=2: 2.12 + seed/1000; Full: 1.9 + seed/1000 → Δ = 0.22 for both seeds
    expect(cell.comparisons.map((c) => c.baseline)).toEqual(['Full', 'LoRA r=8 α=16']);
    const [full, lora] = cell.comparisons;
    expect(full).toMatchObject({ seeds: [1, 2], n: 2, interval: 't', significant: true });
    expect(full.mean).toBeCloseTo(0.22, 9);
    expect(full.ci95![0]).toBeCloseTo(0.22, 9);
    expect(lora.mean).toBeCloseTo(-0.38, 9);
    expect(lora.ci95![1]).toBeLessThan(0);
    expect(table.baselines.every((b) => b.comparisons.length === 0)).toBe(true);
    expect(table.caption).toContain('Δ = LISA − baseline, paired by seed');
  });

  it('pairs only shared seeds: one shared seed gives no interval; five give a seeded bootstrap interval', () => {
    t = tempDatabase();
    seedAblationSweep(t.conn.sqlite, {
      sweepId: 'p',
      gammas: [1],
      intervals: [5],
      seeds: [1, 2, 3, 4, 5],
      baselineSeeds: [5, 6],
      steps: 10,
      evalEvery: 5,
      baselines: [{ kind: 'full' }],
      finalLoss: (r) => (r.kind === 'full' ? 2 : 2.1) + ((r.seed * 7) % 5) / 100,
    });
    const one = ablationTable(t.conn.sqlite, 'p')!.cells[0].comparisons[0];
    expect(one).toMatchObject({ seeds: [5], n: 1, ci95: null, interval: null, significant: null });
    expect(one.mean).toBeCloseTo(0.1, 9);

    seedAblationSweep(t.conn.sqlite, {
      sweepId: 'q',
      gammas: [1],
      intervals: [5],
      seeds: [1, 2, 3, 4, 5],
      steps: 10,
      evalEvery: 5,
      baselines: [{ kind: 'full' }],
      finalLoss: (r) => (r.kind === 'full' ? 2 + r.seed / 50 : 2.1 + ((r.seed * 7) % 5) / 100),
    });
    const a = ablationTable(t.conn.sqlite, 'q')!.cells[0].comparisons[0];
    const b = ablationTable(t.conn.sqlite, 'q')!.cells[0].comparisons[0];
    expect(a.interval).toBe('bootstrap');
    expect(a.n).toBe(5);
    expect(a.ci95).toEqual(b.ci95);
  });

  it('states the optimizer-state mode of the LISA runs, reading the legacy reset as reset_all', () => {
    t = tempDatabase();
    const base = {
      gammas: [1, 2],
      intervals: [5],
      seeds: [1],
      steps: 10,
      evalEvery: 5,
      baselines: [{ kind: 'full' as const }],
    };
    seedAblationSweep(t.conn.sqlite, {
      ...base,
      sweepId: 'old',
      config: () => ({ optimizer_state: 'reset' }),
      finalLoss: () => 2,
    });
    const old = ablationTable(t.conn.sqlite, 'old')!;
    expect(old.optimizerState).toEqual({ modes: ['reset_all'], mixed: false });
    expect(old.cells.map((c) => c.optimizerState)).toEqual(['reset_all', 'reset_all']);
    expect(old.caption).toContain('Optimizer state at LISA switches: reset_all.');

    seedAblationSweep(t.conn.sqlite, {
      ...base,
      sweepId: 'mixed',
      finalLoss: () => 2,
      config: (r) => ({ optimizer_state: r.gamma === 1 ? 'keep' : 'reset_blocks' }),
    });
    const mixed = ablationTable(t.conn.sqlite, 'mixed')!;
    expect(mixed.optimizerState).toEqual({ modes: ['keep', 'reset_blocks'], mixed: true });
    expect(mixed.caption).toContain('Optimizer state at LISA switches: mixed (keep, reset_blocks) — cells differ.');
    expect(mixed.cells.map((c) => c.label)).toEqual([
      'LISA γ=1 K=5 optimizer_state=keep',
      'LISA γ=2 K=5 optimizer_state=reset_blocks',
    ]);
  });

  it('refuses runs scored on another eval set than the rest of their row, and says why', () => {
    t = tempDatabase();
    const A = 'a'.repeat(64),
      B = 'b'.repeat(64);
    seedAblationSweep(t.conn.sqlite, {
      sweepId: 'ev',
      gammas: [1, 2],
      intervals: [5],
      seeds: [1, 2, 3],
      steps: 10,
      evalEvery: 5,
      baselines: [{ kind: 'full' }],
      // γ=2 seed 3 and the full run of seed 1 were scored on another set.
      evalSet: (r) => ({
        records: (r.gamma === 2 && r.seed === 3) || (r.kind === 'full' && r.seed === 1) ? 32 : 256,
        hash: (r.gamma === 2 && r.seed === 3) || (r.kind === 'full' && r.seed === 1) ? B : A,
      }),
      finalLoss: (r) => 2 + r.seed / 10 + (r.gamma ?? 0),
    });
    const table = ablationTable(t.conn.sqlite, 'ev')!;
    const [g1, g2] = table.cells;
    expect(g1.refused).toEqual([]);
    expect([g1.stats.n, g2.stats.n, g2.excluded]).toEqual([3, 2, 0]);
    expect(g2.seeds).toEqual([1, 2]);
    expect(g2.refused.map((r) => [r.seed, r.evalHash])).toEqual([[3, B]]);
    expect(g2.refused[0].reason).toMatch(
      /different set \(32 records, hash bbbbbbbbbbbb\) than the rest of its row \(256 records, hash aaaaaaaaaaaa\)/,
    );
    const full = table.baselines[0];
    expect([full.stats.n, full.seeds, full.refused.map((r) => r.seed)]).toEqual([2, [2, 3], [1]]);
  });
});
