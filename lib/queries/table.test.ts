import { afterEach, describe, expect, it } from 'vitest';
import { seedNanoSweep as nanoSweep, tempDatabase, type TempDatabase } from '../ingest/testing';
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
      ['LISA γ=1 K=2', 2, 5, 1], ['LISA γ=1 K=5', 2, 2, 0], ['LISA γ=2 K=2', 2, 5, 0], ['LISA γ=2 K=5', 2, 2, 0],
    ]);
    expect(table.baselines.map((c) => [c.label, c.stats.n, c.switches])).toEqual([['Full', 2, null], ['LoRA r=8 α=16', 2, null]]);
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

  it('parses metric ids and rejects unknown aggregations', () => {
    expect(parseTableMetric('eval/loss')).toMatchObject({ key: 'eval/loss', agg: 'last', better: 'lower' });
    expect(parseTableMetric('eval/accuracy:best')).toMatchObject({ agg: 'max', better: 'higher' });
    expect(parseTableMetric('mem/peak_bytes')).toMatchObject({ agg: 'max' });
    expect(() => parseTableMetric('eval/loss:median')).toThrow(TableMetricError);
    expect(() => parseTableMetric('a b')).toThrow(TableMetricError);
  });
});
