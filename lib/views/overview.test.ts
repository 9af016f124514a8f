import { afterEach, describe, expect, it } from 'vitest';
import { EventBuilder, insertRun, insertSweep, tempDatabase, type TempDatabase } from '../ingest/testing';
import { ingestEvents } from '../ingest/write';
import { overviewData, sweepEta } from './overview';

let t: TempDatabase | undefined;
afterEach(() => t?.close());

describe('sweepEta', () => {
  const start = '2026-01-01T00:00:00.000Z';
  const t0 = Date.parse(start);
  it('extrapolates the remaining steps from the pace so far', () => {
    expect(sweepEta(start, 25, 100, true, t0 + 10_000)).toBeCloseTo(30_000);
  });
  it('is unknown before progress, and null when done or idle', () => {
    expect(sweepEta(start, 0, 100, true, t0 + 1000)).toBeNull();
    expect(sweepEta(null, 10, 100, true, t0)).toBeNull();
    expect(sweepEta(start, 100, 100, true, t0 + 1000)).toBeNull();
    expect(sweepEta(start, 50, 100, false, t0 + 1000)).toBeNull();
  });
});

describe('overviewData', () => {
  it('names each recent run’s sweep, counts the pretrain base apart, and gives a running run its ETA', () => {
    t = tempDatabase();
    const sq = t.conn.sqlite;
    const t0 = Date.parse('2026-01-01T00:00:00Z');
    for (const s of ['a', 'b']) {
      insertSweep(sq, s, `sweep ${s}`);
      insertRun(sq, { id: `${s}-pre`, sweepId: s, kind: 'pretrain', label: 'Pretrain' });
      insertRun(sq, { id: `${s}-full`, sweepId: s, kind: 'full', label: 'Full seed 2', seed: 2 });
    }
    // b's Full run: started at t0, 5 of 10 steps by t0 + 1 s.
    const b = new EventBuilder(t0);
    ingestEvents(sq, 'b-full', [
      b.started(['embed'], { method: 'full', steps: 10 }),
      b.metrics(5, { 'train/loss': 3 }),
    ]);
    const o = overviewData(t.conn.db, sq, t0 + 10_000);
    expect(o.sweeps.map((s) => [s.name, s.total, s.pretrain])).toEqual([
      ['sweep b', 1, 1],
      ['sweep a', 1, 1],
    ]);
    const full = o.runs.filter((r) => r.label === 'Full seed 2');
    expect(full.map((r) => r.sweepName).sort()).toEqual(['sweep a', 'sweep b']);
    const running = o.runs.find((r) => r.id === 'b-full')!;
    expect(running.status).toBe('running');
    // 5 steps in 10 s: 5 left take 10 s more.
    expect(running.etaMs).toBeCloseTo(10_000, 6);
  });
});
