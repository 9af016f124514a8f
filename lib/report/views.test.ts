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
    expect(curves.table!.columns).toEqual(['step', 'Full lr=0.0003', 'Full lr=0.003', 'LISA γ=1 K=5']);
    // train/loss = final + 2 / step; the mean over seeds 1 and 2 adds 0.15.
    const last = curves.table!.rows.at(-1)!;
    expect(last[0]).toBe(6);
    const expected = [2.03, 2.3, 2].map((f) => f + 0.15 + 2 / 6);
    last.slice(1).forEach((v, i) => expect(v).toBeCloseTo(expected[i], 9));
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
});
