// The claim rows from a made-up sweep whose answers are known: which cells each claim reads, the seed pairing,
// and verdicts that follow from the numbers.
import { describe, expect, it } from 'vitest';
import type { AblationTable, TableRow } from '../queries/table';
import { buildClaims, chooseCells, type RunNorms } from './claims';

const SEEDS = [1, 2, 3];

function row(method: string, values: number[], extra: Partial<TableRow> = {}): TableRow {
  const id = `${method}-${extra.gamma ?? ''}-${extra.interval ?? ''}`;
  return {
    method,
    gamma: null,
    interval: null,
    steps: 60,
    values,
    seeds: SEEDS,
    runIds: SEEDS.map((s) => `${id}-s${s}`),
    stats: { n: 3, mean: values.reduce((a, b) => a + b) / 3, std: 0.01 },
    ...extra,
  } as TableRow;
}

/** LISA γ ∈ {1, 2} × K ∈ {1, 10, 60}; `f(γ, K)` is the loss of seed 1, seeds 2 and 3 add 0.01 and 0.02. */
function table(f: (g: number, k: number) => number, full: number, lora: number): AblationTable {
  const cells = [1, 2].flatMap((g) =>
    [1, 10, 60].map((k) =>
      row(
        'lisa',
        SEEDS.map((s) => f(g, k) + (s - 1) * 0.01),
        { gamma: g, interval: k },
      ),
    ),
  );
  return {
    gammas: [1, 2],
    intervals: [1, 10, 60],
    cells,
    baselines: [row('full', [full, full + 0.012, full + 0.019]), row('lora', [lora, lora + 0.01, lora + 0.021])],
  } as AblationTable;
}

function norms(t: AblationTable, method: string, groups: Record<string, number>): RunNorms[] {
  const r = t.baselines.find((b) => b.method === method)!;
  return r.runIds.map((runId, i) => ({
    runId,
    groups: Object.entries(groups).map(([group, value]) => ({ group, value: value * (1 + i * 0.001) })),
  }));
}

describe('buildClaims', () => {
  const loss = table((g, k) => 3 - 0.2 * g - (k === 10 ? 0.1 : 0), 2.3, 3.5);
  const memory = table(() => 100, 200, 150);
  const step = table((g) => 10 * g, 40, 30);
  const loraInit = ['embed', 'block.0', 'block.1', 'head'].map((group) => ({
    group,
    adapters: group.startsWith('block') ? 6 : 0,
    norm: group.startsWith('block') ? Math.sqrt(8) : 0,
  }));
  const rows = buildClaims({
    evalTable: loss,
    memoryTable: memory,
    stepTable: step,
    norms: [
      ...norms(loss, 'full', { embed: 20, 'block.0': 8, 'block.1': 8.1, head: 24 }),
      ...norms(loss, 'lora', { embed: 0, 'block.0': Math.sqrt(8) * 1.01, 'block.1': Math.sqrt(8) * 1.02, head: 0 }),
    ],
    loraInit,
    torch: { fullMs: 10, lisaMs: 7, version: 'pytorch-test' },
  });
  const by = Object.fromEntries(rows.map((r) => [r.id, r]));

  it('reads γ = 2 at the moderate K against K = 1 and K = steps', () => {
    expect(chooseCells(loss)).toMatchObject({ gammaRef: 2, gammaMin: 1, gammaMax: 2, kMin: 1, kMod: 10, kMax: 60 });
    expect(by['2b'].parts[0].label).toContain('γ=2 K=10 − γ=2 K=1');
    expect(by['2c'].parts[0].label).toContain('γ=2 K=10 − γ=2 K=60');
  });

  it('pairs cells by seed: a constant difference has a zero-width interval', () => {
    expect(by['2a'].parts[0].value).toBeCloseTo(-0.2, 12);
    expect(by['2a'].parts[0].ci![1] - by['2a'].parts[0].ci![0]).toBeLessThan(1e-9);
    expect(by['2a'].verdict.text).toBe('holds');
    expect(by['2b'].verdict.text).toBe('holds');
    expect(by['2c'].verdict.text).toBe('holds');
  });

  it('says LISA beats LoRA, and that it does not beat full when full is lower on every seed', () => {
    expect(by['3a'].parts[0].value).toBeCloseTo(2.5 - 3.5 + (0.03 - 0.031) / 3, 9);
    expect(by['3a'].verdict.text).toBe('holds');
    expect(by['3b'].parts[0].value).toBeCloseTo(0.2 + (0.03 - 0.031) / 3, 9);
    expect(by['3b'].verdict.text).toBe('does not hold');
  });

  it('reads Figure 2: full skewed, LoRA flat and at its init norm', () => {
    expect(by['1a'].parts[0].value).toBeCloseTo(20 / 8.05, 2);
    expect(by['1a'].verdict.text).toBe('holds');
    expect(by['1b'].verdict.text).toBe('holds');
    expect(by['1c'].parts[0].value).toBeCloseTo(0.015, 2);
    expect(by['1c'].verdict.text).toBe('holds');
  });

  it('reads a tied head (no head group, as GPT-2) as the embedding', () => {
    const tied = buildClaims({
      evalTable: loss,
      memoryTable: memory,
      stepTable: step,
      norms: norms(loss, 'full', { embed: 20, pos: 3, 'block.0': 8, 'block.1': 8.1, lnf: 2 }),
      loraInit: null,
      torch: null,
    });
    expect(tied[0].id).toBe('1a');
    expect(tied[0].parts[0].value).toBeCloseTo(20 / 8.05, 2);
    expect(tied[0].verdict.text).toBe('holds');
  });

  it('checks memory ordering and speed from their own tables', () => {
    expect(by['4c'].parts[0].value).toBeCloseTo(-50, 2);
    expect(by['4c'].parts[1].value).toBeCloseTo(-50, 2);
    expect(by['4c'].verdict.text).toBe('holds');
    expect(by['5'].parts[0].value).toBeCloseTo(0.5, 3);
    expect(by['5'].verdict.text).toBe('holds');
    expect(by['5'].paper).toContain('PyTorch on this shape: 0.70');
  });

  it('gives every claim a row, and no data where the grid lacks a cell', () => {
    expect(rows.map((r) => r.id)).toEqual([
      '1a',
      '1b',
      '1c',
      '2a',
      '2b',
      '2c',
      '2d',
      '3a',
      '3b',
      '4a',
      '4b',
      '4c',
      '5',
    ]);
    const noSingle = buildClaims({
      evalTable: { ...loss, intervals: [1, 10], cells: loss.cells.filter((c) => c.interval !== 60) },
      memoryTable: memory,
      stepTable: step,
      norms: [],
      loraInit: null,
      torch: null,
    });
    expect(noSingle.find((r) => r.id === '2c')!.verdict.text).toBe('cannot tell (no data)');
    expect(noSingle.find((r) => r.id === '1c')!.verdict.text).toBe('cannot tell (no data)');
  });
});
