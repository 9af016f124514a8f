import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { setAnnotations } from '../annotations';
import { EventBuilder, insertRun, insertSweep, type TempDatabase, tempDatabase } from '../ingest/testing';
import { ingestEvents } from '../ingest/write';
import { getRun, getSweep } from './runs';
import { runCard } from './run-card';
import { parseWhere, runsTable } from './runs-table';

let t: TempDatabase;

/** A finished run with evals (the last one is `final`), a peak memory and a tokens/s summary. */
function seed(id: string, o: { sweep?: string; kind: string; lr: number; evals: number[]; createdAt: string }) {
  const { sqlite } = t.conn;
  insertRun(sqlite, {
    id,
    sweepId: o.sweep ?? null,
    kind: o.kind,
    label: `${o.kind} ${id}`,
    createdAt: o.createdAt,
    config: { method: o.kind, lr: o.lr, preset: 'nano' },
  });
  const b = new EventBuilder();
  const events = [b.started(), b.metrics(1, { 'train/loss': 3, 'mem/peak_bytes': 1024 * 1024 * o.lr * 1000 })];
  o.evals.forEach((v, i) => events.push(b.eval(10 * (i + 1), { 'eval/loss': v })));
  events.push(b.finished(10 * o.evals.length, { tokens_per_s: 100 / o.lr }));
  ingestEvents(sqlite, id, events);
}

beforeEach(() => {
  t = tempDatabase();
  insertSweep(t.conn.sqlite, 's1', 'lisa ablation', '2026-01-01T00:00:00.000Z');
  insertSweep(t.conn.sqlite, 's2', 'lora check', '2026-01-02T00:00:00.000Z');
  seed('a', { sweep: 's1', kind: 'lisa', lr: 0.001, evals: [4, 3, 3.5], createdAt: '2026-01-01T00:00:01Z' });
  seed('b', { sweep: 's1', kind: 'full', lr: 0.002, evals: [5, 2.5], createdAt: '2026-01-01T00:00:02Z' });
  seed('c', { sweep: 's2', kind: 'lora', lr: 0.003, evals: [4.5, Number.NaN], createdAt: '2026-01-01T00:00:03Z' });
  insertRun(t.conn.sqlite, { id: 'q', kind: 'lisa', label: 'queued one', createdAt: '2026-01-01T00:00:04Z' });
});
afterEach(() => t.close());

const ids = (q: Parameters<typeof runsTable>[1]) => runsTable(t.conn.sqlite, q).rows.map((r) => r.id);

describe('the runs table', () => {
  it('lists every run newest first, with the total and chosen columns (NaN kept, absent as null)', () => {
    const table = runsTable(t.conn.sqlite, { columns: ['eval/loss', 'eval/loss:best', 'config.lr', 'tokens_per_s'] });
    expect(table.total).toBe(4);
    expect(table.rows.map((r) => r.id)).toEqual(['q', 'c', 'b', 'a']);
    const byId = Object.fromEntries(table.rows.map((r) => [r.id, r.values]));
    expect(byId.a).toEqual({ 'eval/loss': 3.5, 'eval/loss:best': 3, 'config.lr': 0.001, tokens_per_s: 100000 });
    expect(byId.c['eval/loss']).toBeNaN();
    expect(byId.c['eval/loss:best']).toBe(4.5);
    expect(byId.q).toEqual({ 'eval/loss': null, 'eval/loss:best': null, 'config.lr': null, tokens_per_s: null });
    expect(table.rows.find((r) => r.id === 'a')?.sweepName).toBe('lisa ablation');
    expect(table.keys).toEqual({
      config: ['lr', 'method', 'preset'],
      metrics: ['eval/loss', 'mem/peak_bytes', 'train/loss'],
    });
  });

  it('sorts by a metric or a config key in SQL, runs without a value last either way', () => {
    expect(ids({ sort: 'eval/loss:best', dir: 'asc' })).toEqual(['b', 'a', 'c', 'q']);
    expect(ids({ sort: 'eval/loss:best', dir: 'desc' })).toEqual(['c', 'a', 'b', 'q']);
    expect(ids({ sort: 'config.lr', dir: 'desc' })).toEqual(['c', 'b', 'a', 'q']);
    expect(ids({ sort: 'mem/peak_bytes', dir: 'asc' })).toEqual(['a', 'b', 'c', 'q']);
    expect(ids({ sort: 'label', dir: 'asc' })).toEqual(['b', 'a', 'c', 'q']);
  });

  it('filters by status, method, sweep, config keys and metrics, all at once', () => {
    expect(ids({ status: ['finished'] })).toEqual(['c', 'b', 'a']);
    expect(ids({ method: ['lisa', 'lora'] })).toEqual(['q', 'c', 'a']);
    expect(ids({ sweep: ['s1'] })).toEqual(['b', 'a']);
    expect(ids({ where: 'config.lr>=0.002' })).toEqual(['c', 'b']);
    expect(ids({ where: 'config.method=lisa' })).toEqual(['a']);
    expect(ids({ where: 'eval/loss:best<3.2; config.lr < 0.0025' })).toEqual(['b', 'a']);
    // A NaN final eval matches no comparison.
    expect(ids({ where: 'eval/loss>0' })).toEqual(['b', 'a']);
    expect(ids({ where: 'method!=lisa', status: ['finished'] })).toEqual(['c', 'b']);
    expect(runsTable(t.conn.sqlite, { where: 'config.lr>=0.002', limit: 1 })).toMatchObject({ total: 2 });
    expect(runsTable(t.conn.sqlite, { where: 'config.lr>=0.002', offset: 5 })).toMatchObject({ total: 2, rows: [] });
  });

  it('finds runs by their tags, their sweep’s tags and notes', () => {
    setAnnotations(t.conn.sqlite, 'run', 'a', { tags: ['Baseline', 'keep'], note: 'the good one' });
    setAnnotations(t.conn.sqlite, 'sweep', 's2', { tags: ['keep'], note: 'LoRA at three rates' });
    expect(ids({ tags: ['keep'] })).toEqual(['c', 'a']);
    expect(ids({ tags: ['keep', 'baseline'] })).toEqual(['a']);
    expect(ids({ q: 'GOOD' })).toEqual(['a']);
    expect(ids({ q: 'three rates' })).toEqual(['c']);
    expect(ids({ q: 'ablation' })).toEqual(['b', 'a']);
    expect(ids({ q: '100%' })).toEqual([]);
    expect(runsTable(t.conn.sqlite, { tags: ['keep'] }).rows.map((r) => r.tags)).toEqual([[], ['baseline', 'keep']]);
  });

  it('refuses unknown fields, statuses and unreadable filters with a message naming them', () => {
    expect(() => runsTable(t.conn.sqlite, { sort: 'best loss' })).toThrow(/unknown field "best loss"/);
    expect(() => runsTable(t.conn.sqlite, { status: ['done'] })).toThrow(/unknown status "done"/);
    expect(() => runsTable(t.conn.sqlite, { where: 'config.lr~1' })).toThrow(/invalid filter "config.lr~1"/);
    expect(() => runsTable(t.conn.sqlite, { columns: ["config.x') --"] })).toThrow(/invalid config key/);
    expect(() => runsTable(t.conn.sqlite, { sort: 'train/loss:roughness' })).toThrow(/roughness/);
    expect(parseWhere(' a=1 ;; b >= x y ')).toEqual([
      { field: 'a', op: '=', value: '1' },
      { field: 'b', op: '>=', value: 'x y' },
    ]);
  });
});

describe('tags and notes', () => {
  it('are stored normalised, replaced per field, and part of run and sweep answers', () => {
    const { sqlite } = t.conn;
    expect(setAnnotations(sqlite, 'run', 'a', { tags: [' Keep', 'keep', 'lr:1e-3'], note: ' first ' })).toEqual({
      tags: ['keep', 'lr:1e-3'],
      note: 'first',
    });
    expect(setAnnotations(sqlite, 'run', 'a', { note: 'second' })).toEqual({
      tags: ['keep', 'lr:1e-3'],
      note: 'second',
    });
    expect(setAnnotations(sqlite, 'run', 'a', { tags: [] })).toEqual({ tags: [], note: 'second' });
    expect(getRun(t.conn.db, 'a').annotations).toEqual({ tags: [], note: 'second' });
    setAnnotations(sqlite, 'sweep', 's1', { tags: ['paper'], note: '' });
    expect(getSweep(t.conn.db, 's1').annotations).toEqual({ tags: ['paper'], note: '' });
  });

  it('refuse a bad tag, too many tags, a long note or an unknown target, writing nothing', () => {
    const { sqlite } = t.conn;
    setAnnotations(sqlite, 'run', 'a', { tags: ['keep'], note: 'n' });
    expect(() => setAnnotations(sqlite, 'run', 'a', { tags: ['ok', 'two words'], note: 'changed' })).toThrow(
      'invalid tag "two words"',
    );
    const many = Array.from({ length: 21 }, (_, i) => `t${i}`);
    expect(() => setAnnotations(sqlite, 'run', 'a', { tags: many })).toThrow('too many tags: 21 (at most 20)');
    expect(() => setAnnotations(sqlite, 'run', 'a', { note: 'x'.repeat(4001) })).toThrow('note too long');
    expect(() => setAnnotations(sqlite, 'run', 'zz', { tags: ['a'] })).toThrow('run zz not found');
    expect(() => setAnnotations(sqlite, 'sweep', 'a', { tags: ['a'] })).toThrow('sweep a not found');
    expect(getRun(t.conn.db, 'a').annotations).toEqual({ tags: ['keep'], note: 'n' });
  });
});

describe('the run summary card', () => {
  it('has final and best eval, tokens/s, peak memory, wall time and the configuration’s place in its sweep', () => {
    const { sqlite } = t.conn;
    sqlite
      .prepare(
        "UPDATE runs SET started_at = '2026-01-01T00:00:00Z', finished_at = '2026-01-01T00:01:30Z' WHERE id = 'a'",
      )
      .run();
    const card = runCard(sqlite, 'a');
    expect(card).toMatchObject({
      finalEval: { step: 30, value: 3.5 },
      bestEval: { step: 20, value: 3 },
      finalAccuracy: null,
      tokensPerS: 100000,
      peakBytes: 1024 * 1024,
      wallTimeS: 90,
      rankNote: null,
    });
    // Sweep s1: full (final 2.5) ranks first, this LISA run (final 3.5) second of two.
    expect(card.rank).toMatchObject({ position: 2, of: 2, n: 1, mean: 3.5, metric: 'final eval/loss' });
    expect(runCard(sqlite, 'b').rank).toMatchObject({ position: 1, of: 2 });
  });

  it('says why a run has no place: no sweep, no value, or not counted yet', () => {
    const { sqlite } = t.conn;
    expect(runCard(sqlite, 'q')).toMatchObject({ finalEval: null, bestEval: null, rank: null, rankNote: null });
    // Sweep s2's only run ended on a NaN eval: its row has no mean to rank.
    expect(runCard(sqlite, 'c')).toMatchObject({ rank: null, rankNote: expect.stringMatching(/no final eval loss/) });
    expect(runCard(sqlite, 'c').finalEval?.value).toBeNaN();
    insertRun(sqlite, { id: 'live', sweepId: 's1', kind: 'lisa', createdAt: '2026-01-01T00:00:05Z' });
    expect(runCard(sqlite, 'live').rankNote).toMatch(/not ranked yet/);
  });
});
