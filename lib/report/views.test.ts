import { afterEach, describe, expect, it } from 'vitest';
import {
  EventBuilder,
  insertRun,
  insertSweep,
  seedAblationSweep,
  tempDatabase,
  type TempDatabase,
} from '../ingest/testing';
import { ingestEvents } from '../ingest/write';
import { ablationTable } from '../queries/table';
import { renderTable } from '../table-formats/table';
import { exportView, parseViewPath } from './views';

let t: TempDatabase;
afterEach(() => t?.close());

const view = (path: string) => exportView(t.conn.sqlite, parseViewPath(path)!)!;

describe('exportView', () => {
  it('draws the curves page: one line per configuration (each lr its own), in the page order and spelling', () => {
    t = tempDatabase();
    seedAblationSweep(t.conn.sqlite, {
      sweepId: 'sw',
      gammas: [1],
      intervals: [5],
      seeds: [1, 2],
      steps: 6,
      evalEvery: 3,
      baselines: [{ kind: 'full' }],
      lrs: { full: [3e-4, 3e-3] },
      finalLoss: (r) => 2 + (r.lr ?? 0) * 100 + r.seed / 10,
    });
    const [curves] = view('/sweeps/sw?k=train/loss').sections;
    // The page's data table: one row per configuration and step.
    expect(curves.table!.columns).toEqual(['configuration', 'step', 'mean', 'band low', 'band high', 'seeds (n)']);
    const names = [...new Set(curves.table!.rows.map((r) => r[0]))];
    expect(names).toEqual(['Full lr=0.0003', 'Full lr=0.003', 'LISA γ=1 K=5']);
    // train/loss = final + 2 / step; the mean over seeds 1 and 2 adds 0.15.
    const expected = [2.03, 2.3, 2].map((f) => f + 0.15 + 2 / 6);
    names.forEach((name, i) => {
      const last = curves.table!.rows.filter((r) => r[0] === name).at(-1)!;
      expect(last[1]).toBe(6);
      expect(last[2]).toBeCloseTo(expected[i], 9);
      expect(last[5]).toBe(2);
    });
  });

  it('draws Figure 2 as the norms page does: layer names in model order, seeds averaged per configuration', () => {
    t = tempDatabase();
    const sq = t.conn.sqlite;
    insertSweep(sq, 'nm');
    const runs = [
      { id: 'f1', kind: 'full', seed: 1, scale: 1 },
      { id: 'f2', kind: 'full', seed: 2, scale: 3 },
      { id: 'l1', kind: 'lisa', seed: 1, scale: 10, gamma: 1, interval: 2 },
    ];
    for (const r of runs) {
      const config = { method: r.kind, seed: r.seed, steps: 2, out: `/runs/${r.id}` };
      insertRun(sq, {
        id: r.id,
        sweepId: 'nm',
        kind: r.kind,
        config,
        seed: r.seed,
        gamma: r.gamma,
        interval: r.interval,
      });
      const b = new EventBuilder();
      const entry = (x: number) => ({ weight: x, update: x, trainable: x });
      ingestEvents(sq, r.id, [
        b.started(['embed', 'block.0', 'head'], config),
        b.norms(1, { head: entry(r.scale), 'block.0': entry(2 * r.scale), embed: entry(4 * r.scale) }),
        b.finished(2),
      ]);
    }
    const [norms] = view('/sweeps/nm/norms?q=weight').sections;
    expect(norms.table).toEqual({
      columns: ['layer group', 'Full', 'LISA γ=1 K=2'],
      rows: [
        ['embed', 8, 40],
        ['block 0', 4, 20],
        ['head', 2, 10],
      ],
    });
  });

  it('exports the curves as the page shows them: its metrics, log axis, band, smoothing and per-seed traces', () => {
    t = tempDatabase();
    seedAblationSweep(t.conn.sqlite, {
      sweepId: 'cv',
      gammas: [1],
      intervals: [5],
      seeds: [1, 2],
      steps: 6,
      evalEvery: 3,
      baselines: [{ kind: 'full' }],
      finalLoss: (r) => 2 + r.seed / 10,
    });
    type Series = { type: string; lineStyle?: { width: number } };
    const sections = view('/sweeps/cv?m=train/loss&e=eval/ppl&b=mm&log=1&t=1').sections;
    expect(sections.map((s) => s.heading)).toEqual([
      'train/loss: mean over seeds per configuration, band = min–max over seeds',
      'eval/ppl: mean over seeds per configuration, band = min–max over seeds',
    ]);
    const option = sections[0].option as { yAxis: { type: string }; series: Series[] };
    expect(option.yAxis.type).toBe('log');
    const kinds = option.series.map((s) => (s.type === 'custom' ? 'band' : s.lineStyle!.width < 1 ? 'seed' : 'mean'));
    // Per configuration: its band, one trace per seed, the mean line.
    expect(kinds).toEqual(['band', 'seed', 'seed', 'mean', 'band', 'seed', 'seed', 'mean']);
    const plain = view('/sweeps/cv?b=none').sections[0].option as { yAxis: { type: string }; series: Series[] };
    expect(plain.yAxis.type).toBe('value');
    expect(plain.series.map((s) => s.type)).toEqual(['line', 'line']);
  });

  it('exports Figure 2 at the page’s aggregation: the last step or step t, not always the mean', () => {
    t = tempDatabase();
    const sq = t.conn.sqlite;
    insertSweep(sq, 'ag');
    const config = { method: 'full', seed: 1, steps: 2, out: '/runs/a1' };
    insertRun(sq, { id: 'a1', sweepId: 'ag', kind: 'full', config, seed: 1 });
    const b = new EventBuilder();
    const entry = (x: number) => ({ weight: x, update: x, trainable: x });
    ingestEvents(sq, 'a1', [
      b.started(['embed', 'head'], config),
      b.norms(1, { embed: entry(1), head: entry(2) }),
      b.norms(2, { embed: entry(3), head: entry(6) }),
      b.finished(2),
    ]);
    const rows = (path: string) => view(path).sections[0].table!.rows;
    expect(rows('/sweeps/ag/norms?q=weight')).toEqual([
      ['embed', 2],
      ['head', 4],
    ]);
    expect(rows('/sweeps/ag/norms?q=weight&a=last')).toEqual([
      ['embed', 3],
      ['head', 6],
    ]);
    expect(rows('/sweeps/ag/norms?q=weight&a=step&t=1')).toEqual([
      ['embed', 1],
      ['head', 2],
    ]);
  });

  it('prints the table’s numbers as the page and the Markdown do: MiB for bytes, the mean to its spread', () => {
    t = tempDatabase();
    seedAblationSweep(t.conn.sqlite, {
      sweepId: 'mem',
      gammas: [1, 2],
      intervals: [5],
      seeds: [1, 2],
      steps: 6,
      evalEvery: 3,
      finalLoss: (r) => 2 + r.seed / 1000,
    });
    for (const metric of ['mem/peak_bytes', 'eval/loss']) {
      const [section] = view(`/sweeps/mem/table?m=${metric}`).sections;
      const col = section.table!.columns.indexOf('mean ± std');
      const md = renderTable(ablationTable(t.conn.sqlite, 'mem', metric)!, 'md');
      for (const row of section.table!.rows) expect(md).toContain(`${row[col]} (2)`);
    }
    const [mem] = view('/sweeps/mem/table?m=mem/peak_bytes').sections;
    expect(mem.heading).toBe('max mem/peak_bytes (MiB): mean ± std over seeds');
    expect(mem.table!.rows[0][5]).toBe('95.37 ± 0');
  });
});
