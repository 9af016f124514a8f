import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../db';
import { seriesPoints } from '../queries/series';
import type { RunEvent } from '../protocol';
import { fromJson } from '../protocol/json';
import { runPeriods } from '../queries/run-details';
import { BLOCK_LEVELS } from './blocks';
import { EventBuilder, insertRun, tempDatabase, type TempDatabase } from './testing';
import { ingestEvents, IngestError } from './write';

let t: TempDatabase;
afterEach(() => t?.close());

function setup(id = 'r1') {
  t = tempDatabase();
  insertRun(t.conn.sqlite, { id });
  return { sqlite: t.conn.sqlite, b: new EventBuilder() };
}

const count = (sqlite: TempDatabase['conn']['sqlite'], sql: string, ...args: unknown[]) =>
  sqlite
    .prepare(sql)
    .pluck()
    .get(...args) as number;

/** point_blocks must equal a recomputation from the points, at every level. */
function expectBlocksConsistent(sqlite: TempDatabase['conn']['sqlite']) {
  for (const L of BLOCK_LEVELS) {
    const expected = sqlite
      .prepare(
        `SELECT series_id, CAST(step / ${L} AS INTEGER) AS block, count(value) AS count, count(*) - ` +
          `count(value) AS nan_count,
         min(value) AS min_value, max(value) AS max_value, round(total(value), 6) AS sum_value,
         min(step) AS first_step, max(step) AS last_step
         FROM points GROUP BY series_id, block ORDER BY series_id, block`,
      )
      .all();
    const actual = sqlite
      .prepare(
        `SELECT series_id, block, count, nan_count, min_value, max_value, round(sum_value, 6) AS sum_value, ` +
          `first_step, last_step
         FROM point_blocks WHERE level = ? ORDER BY series_id, block`,
      )
      .all(L);
    expect(actual).toEqual(expected);
  }
}

describe('ingestEvents', () => {
  it('keeps the high-volume tables WITHOUT ROWID (migration 0002)', () => {
    const { sqlite } = setup();
    for (const name of ['points', 'point_blocks', 'norm_points']) {
      const sql = sqlite
        .prepare("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?")
        .pluck()
        .get(name) as string;
      expect(sql, name).toMatch(/WITHOUT ROWID\s*$/);
    }
  });

  it('records the evaluation set of run_started, and keeps it when a later run_started has none', () => {
    const { sqlite, b } = setup();
    const hash = 'c'.repeat(64);
    ingestEvents(sqlite, 'r1', [b.started(undefined, {}, { records: 256, hash }), b.metrics(1, { 'train/loss': 2 })]);
    const row = () => sqlite.prepare('SELECT eval_records AS records, eval_hash AS hash FROM runs').get();
    expect(row()).toEqual({ records: 256, hash });
    ingestEvents(sqlite, 'r1', [b.started()]);
    expect(row()).toEqual({ records: 256, hash });
  });

  it('stores a retried batch once', () => {
    const { sqlite, b } = setup();
    const batch = [
      b.started(),
      ...Array.from({ length: 50 }, (_, s) => b.metrics(s, { 'train/loss': 3 - s / 100, lr: 1e-3 })),
    ];
    const first = ingestEvents(sqlite, 'r1', batch);
    expect(first).toMatchObject({ stored: 51, duplicates: 0, points: 100, lastSeq: 50, lastStep: 49, gaps: [] });
    const again = ingestEvents(sqlite, 'r1', batch);
    expect(again).toMatchObject({ stored: 0, duplicates: 51, points: 0, lastSeq: 50 });
    expect(count(sqlite, 'SELECT count(*) FROM points')).toBe(100);
    expect(sqlite.prepare('SELECT last_seq, last_step, status FROM runs').get()).toEqual({
      last_seq: 50,
      last_step: 49,
      status: 'running',
    });
    expectBlocksConsistent(sqlite);
  });

  it('round-trips NaN and ±Infinity through points, latest, norms and the summary', () => {
    const { sqlite, b } = setup();
    ingestEvents(sqlite, 'r1', [
      b.started(),
      b.metrics(0, { a: NaN, b: Infinity, c: -Infinity }),
      b.metrics(1, { a: 1, b: 2, c: 3 }),
      b.norms(1, { embed: { weight: NaN, update: Infinity, trainable: 1, grad: NaN } }),
      b.finished(1, { loss: NaN, best: -Infinity }),
    ]);
    const raw = (key: string) => seriesPoints(sqlite, 'r1', key).buckets[0];
    expect(raw('a')).toMatchObject({ count: 0, nanCount: 1 });
    expect(raw('a').mean).toBeNaN();
    expect(raw('b')).toMatchObject({ min: Infinity, max: Infinity, mean: Infinity, nanCount: 0 });
    expect(raw('c')).toMatchObject({ min: -Infinity, mean: -Infinity });
    const blocks = sqlite
      .prepare(
        'SELECT s.key, b.count, b.nan_count, b.min_value, b.max_value FROM point_blocks b JOIN series s ON ' +
          's.id = b.series_id WHERE level = 16 ORDER BY s.key',
      )
      .all();
    expect(blocks).toEqual([
      { key: 'a', count: 1, nan_count: 1, min_value: 1, max_value: 1 },
      { key: 'b', count: 2, nan_count: 0, min_value: 2, max_value: Infinity },
      { key: 'c', count: 2, nan_count: 0, min_value: -Infinity, max_value: 3 },
    ]);
    const norm = sqlite.prepare('SELECT weight, "update", trainable, grad, has_grad FROM norm_points').get();
    expect(norm).toEqual({ weight: null, update: Infinity, trainable: 1, grad: null, has_grad: 1 });
    const summary = fromJson<Record<string, number>>(
      sqlite.prepare('SELECT summary FROM runs').pluck().get() as string,
    );
    expect(summary.loss).toBeNaN();
    expect(summary.best).toBe(-Infinity);
  });

  it('keeps a period’s drawn modules and importance scores (NaN included) and reads them back', () => {
    const { sqlite, b } = setup();
    const period = (n: number, extra: Record<string, unknown>) => ({ ...b.period(n * 3 + 1, n, [0]), ...extra });
    ingestEvents(sqlite, 'r1', [
      b.started(['embed', 'block.0', 'block.1', 'head'], { steps: 10 }),
      period(0, { modules: ['block.0/attn.q', 'block.0/ln'] }),
      period(1, { active: [1], modules: ['block.1/mlp.fc'], scores: { 'block.0/ln': 0.5, 'block.1/mlp.fc': NaN } }),
      b.period(7, 2, [1]),
    ] as RunEvent[]);
    const periods = runPeriods(sqlite, 'r1');
    expect(periods.map((p) => p.modules)).toEqual([['block.0/attn.q', 'block.0/ln'], ['block.1/mlp.fc'], undefined]);
    expect(periods[0].scores).toBeUndefined();
    expect(periods[1].scores!['block.0/ln']).toBe(0.5);
    expect(periods[1].scores!['block.1/mlp.fc']).toBeNaN();
    expect(periods[2]).toEqual({ period: 2, step: 7, active: [1], reset: true });
  });

  it('sorts a batch by seq, skips repeats, and reports and notes gaps', () => {
    const { sqlite, b } = setup();
    const e = [
      b.started(),
      b.metrics(1, { x: 1 }),
      b.metrics(2, { x: 2 }),
      b.metrics(3, { x: 3 }),
      b.metrics(4, { x: 4 }),
      b.metrics(5, { x: 5 }),
    ];
    const r1 = ingestEvents(sqlite, 'r1', [e[2], e[0], e[1], e[1]]);
    expect(r1).toMatchObject({ stored: 3, duplicates: 1, reordered: true, gaps: [], lastSeq: 2 });
    const r2 = ingestEvents(sqlite, 'r1', [e[5]]);
    expect(r2).toMatchObject({ stored: 1, gaps: [{ from: 3, to: 4 }], lastSeq: 5 });
    const note = sqlite.prepare('SELECT level, message FROM run_logs WHERE seq < 0').get() as {
      level: string;
      message: string;
    };
    expect(note.level).toBe('warn');
    expect(note.message).toContain('3..4');
    // The missing events arriving late are duplicates by the rule; the gap was the signal.
    expect(ingestEvents(sqlite, 'r1', [e[3], e[4]])).toMatchObject({ stored: 0, duplicates: 2 });
    expect(sqlite.prepare('SELECT step FROM points ORDER BY step').pluck().all()).toEqual([1, 2, 5]);
  });

  it('updates the run: start, periods, checkpoints, logs, norms in model order', () => {
    const { sqlite, b } = setup();
    ingestEvents(sqlite, 'r1', [
      b.started(['embed', 'block.0', 'block.1', 'head'], { steps: 10 }),
      b.period(0, 0, [1]),
      b.norms(
        0,
        { head: { weight: 4, update: 0, trainable: 4, grad: 1 }, 'block.1': { weight: 2, update: 0, trainable: 2 } },
        { 'block.1/attn.q': { weight: 1, update: 0, trainable: 1 } },
      ),
      b.checkpoint(5, 'ckpt/5', 2048),
      b.log('hello', 'warn', 5),
    ]);
    expect(sqlite.prepare('SELECT status, backend, gpu, started_at, total_steps, last_step FROM runs').get()).toEqual({
      status: 'running',
      backend: 'wasm',
      gpu: 0,
      started_at: '2026-01-01T00:00:00.000Z',
      total_steps: 10,
      last_step: 5,
    });
    expect(sqlite.prepare('SELECT name, position FROM norm_groups ORDER BY position').all()).toEqual([
      { name: 'embed', position: 0 },
      { name: 'block.0', position: 1 },
      { name: 'block.1', position: 2 },
      { name: 'head', position: 3 },
      { name: 'block.1/attn.q', position: 4 },
    ]);
    expect(
      sqlite
        .prepare('SELECT n.has_grad FROM norm_points n JOIN norm_groups g ON g.id = n.group_id ORDER BY g.position')
        .pluck()
        .all(),
    ).toEqual([0, 1, 0]);
    expect(sqlite.prepare('SELECT period, step, active, reset FROM lisa_periods').get()).toEqual({
      period: 0,
      step: 0,
      active: '[1]',
      reset: 1,
    });
    expect(sqlite.prepare('SELECT step, path, bytes FROM checkpoints').get()).toEqual({
      step: 5,
      path: 'ckpt/5',
      bytes: 2048,
    });
    expect(sqlite.prepare('SELECT seq, step, level, message FROM run_logs').get()).toEqual({
      seq: 4,
      step: 5,
      level: 'warn',
      message: 'hello',
    });
  });

  it.each([
    ['diverged', 'diverged'],
    ['cancelled', 'cancelled'],
    ['oom', 'failed'],
    ['error', 'failed'],
  ] as const)('failed with reason %s → status %s', (reason, status) => {
    const { sqlite, b } = setup();
    const r = ingestEvents(sqlite, 'r1', [b.started(), b.failed(reason, 'boom', 3)]);
    expect(r.status).toBe(status);
    expect(sqlite.prepare('SELECT status, failure_reason, failure_message, finished_at FROM runs').get()).toEqual({
      status,
      failure_reason: reason,
      failure_message: 'boom',
      finished_at: '2026-01-01T00:00:01.000Z',
    });
  });

  it('a fresh run_started does not reopen a cancelled run; a resume does', () => {
    const { sqlite, b } = setup();
    sqlite.prepare("UPDATE runs SET status = 'cancelled'").run();
    expect(ingestEvents(sqlite, 'r1', [b.started()]).status).toBeNull();
    const resumed = { ...b.started(), resumedFrom: 100 } as ReturnType<EventBuilder['started']>;
    expect(ingestEvents(sqlite, 'r1', [resumed]).status).toBe('running');
    expect(ingestEvents(sqlite, 'r1', [b.finished(10, { loss: 1 })]).status).toBe('finished');
  });

  it('recomputes blocks when a resumed run re-emits steps (a spike overwritten disappears)', () => {
    const { sqlite, b } = setup();
    const batch = [b.started()];
    for (let s = 0; s < 600; s++) batch.push(b.metrics(s, { loss: s === 300 ? 1000 : 1 }));
    ingestEvents(sqlite, 'r1', batch);
    expect(seriesPoints(sqlite, 'r1', 'loss', { points: 10 }).buckets.some((x) => x.max === 1000)).toBe(true);
    // resume from a checkpoint at step 250: steps 251..599 again, with new seqs and no spike
    const again = [];
    for (let s = 251; s < 600; s++) again.push(b.metrics(s, { loss: 2 }));
    ingestEvents(sqlite, 'r1', again);
    const buckets = seriesPoints(sqlite, 'r1', 'loss', { points: 10 }).buckets;
    expect(Math.max(...buckets.map((x) => x.max))).toBe(2);
    expectBlocksConsistent(sqlite);
  });

  it('keeps blocks consistent under random steps, NaN and repeats', () => {
    const { sqlite, b } = setup();
    let seed = 7;
    const rand = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    for (let batch = 0; batch < 20; batch++) {
      const events = [];
      for (let i = 0; i < 200; i++) {
        const step = Math.floor(rand() * 9000);
        const v = rand();
        events.push(b.metrics(step, { x: v < 0.05 ? NaN : v * 10, y: v }));
      }
      ingestEvents(sqlite, 'r1', events);
    }
    expectBlocksConsistent(sqlite);
  });

  it('stores appended points of many series in one batch, and a step re-sent later in the same batch wins', () => {
    const { sqlite, b } = setup();
    const batch = [b.started()];
    for (let s = 0; s < 300; s++) batch.push(b.metrics(s, { a: s, b: -s, c: s === 7 ? NaN : s / 2 }));
    // the same batch re-sends steps already appended in it (a resume mid-batch): the later value is kept
    batch.push(b.metrics(150, { a: 1e6 }), b.metrics(299, { b: 42 }), b.metrics(300, { a: 300 }));
    const r = ingestEvents(sqlite, 'r1', batch);
    expect(r.points).toBe(3 * 300 + 3);
    const value = (key: string, step: number) =>
      sqlite
        .prepare('SELECT p.value FROM points p JOIN series s ON s.id = p.series_id WHERE s.key = ? AND p.step = ?')
        .pluck()
        .get(key, step);
    expect(count(sqlite, 'SELECT count(*) FROM points')).toBe(3 * 300 + 1);
    expect([value('a', 150), value('b', 299), value('a', 300), value('a', 17), value('b', 17)]).toEqual([
      1e6, 42, 300, 17, -17,
    ]);
    expect(value('c', 7)).toBeNull(); // NaN is stored as NULL, as before
    expectBlocksConsistent(sqlite);
  });

  it('reloads its cache when another connection wrote to the run', () => {
    const { sqlite, b } = setup();
    const other = openDatabase(t.conn.file).sqlite;
    try {
      ingestEvents(sqlite, 'r1', [b.started(), b.metrics(0, { x: 1 })]);
      ingestEvents(other, 'r1', [b.metrics(1, { x: 2, y: 1 })]);
      ingestEvents(sqlite, 'r1', [b.metrics(2, { x: 3, y: 2 })]);
      expect(count(sqlite, 'SELECT count(*) FROM series')).toBe(2);
      expect(count(sqlite, 'SELECT count(*) FROM points')).toBe(5);
      expectBlocksConsistent(sqlite);
    } finally {
      other.close();
    }
  });

  it('refuses an unknown run and writes nothing', () => {
    const { sqlite, b } = setup();
    expect(() => ingestEvents(sqlite, 'nope', [b.metrics(0, { x: 1 })])).toThrow(IngestError);
    expect(count(sqlite, 'SELECT count(*) FROM series')).toBe(0);
  });
});
