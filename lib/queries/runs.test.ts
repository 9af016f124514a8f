import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { insertRun, insertSweep, type TempDatabase, tempDatabase } from '../ingest/testing';
import { sweepStepTotals } from './overview';
import { getRun, measuredRuns, runExists, runOfSweep, sweepExists, sweepName } from './runs';
import { listShares, shareByTokenHash, shareExists } from './shares';

let t: TempDatabase;
beforeEach(() => {
  t = tempDatabase();
  const { sqlite } = t.conn;
  insertSweep(sqlite, 's1', 'first sweep', '2026-01-01T00:00:00.000Z');
  insertSweep(sqlite, 's2', 'second sweep', '2026-01-02T00:00:00.000Z');
  insertRun(sqlite, { id: 'base', kind: 'pretrain', config: { preset: 'nano' } });
  insertRun(sqlite, {
    id: 'a',
    sweepId: 's1',
    config: { preset: 'nano', batch: 4 },
    createdAt: '2026-01-01T00:00:01Z',
  });
  insertRun(sqlite, { id: 'b', sweepId: 's2', config: { preset: 'mini' }, createdAt: '2026-01-01T00:00:02Z' });
  sqlite.prepare(`UPDATE runs SET depends_on = 'base' WHERE id = 'a'`).run();
  const set = sqlite.prepare('UPDATE runs SET status = ?, summary = ?, last_step = ?, total_steps = ? WHERE id = ?');
  set.run('finished', '{"tokens_per_s":12.5}', 10, 10, 'a');
  set.run('finished', null, 3, 10, 'b');
  set.run('running', '{"x":1}', 4, 8, 'base');
});
afterEach(() => t.close());

describe('run and sweep reads', () => {
  it('say whether ids exist, and name a sweep', () => {
    const { sqlite } = t.conn;
    expect([
      sweepExists(sqlite, 's1'),
      sweepExists(sqlite, 'a'),
      runExists(sqlite, 'a'),
      runExists(sqlite, 's1'),
    ]).toEqual([true, false, true, false]);
    expect([sweepName(sqlite, 's2'), sweepName(sqlite, 'zz')]).toEqual(['second sweep', undefined]);
    expect(() => getRun(t.conn.db, 'zz')).toThrow('run zz not found');
  });

  it('count a sweep’s own runs and the base run they start from as its runs', () => {
    const { sqlite } = t.conn;
    expect(['a', 'base', 'b'].map((r) => runOfSweep(sqlite, r, 's1'))).toEqual([true, true, false]);
    expect(['a', 'base', 'b'].map((r) => runOfSweep(sqlite, r, 's2'))).toEqual([false, false, true]);
  });

  it('list finished runs with a summary, newest first, parsed, with their sweep name', () => {
    insertRun(t.conn.sqlite, { id: 'c', config: { preset: 'small' }, createdAt: '2026-01-01T00:00:03Z' });
    t.conn.sqlite.prepare(`UPDATE runs SET status = 'finished', summary = '{"tokens_per_s":1}' WHERE id = 'c'`).run();
    expect(measuredRuns(t.conn.sqlite)).toEqual([
      {
        kind: 'lisa',
        config: { preset: 'small' },
        backend: null,
        summary: { tokens_per_s: 1 },
        sweepId: null,
        sweepName: null,
      },
      {
        kind: 'lisa',
        config: { preset: 'nano', batch: 4 },
        backend: null,
        summary: { tokens_per_s: 12.5 },
        sweepId: 's1',
        sweepName: 'first sweep',
      },
    ]);
  });

  it('total the steps of each sweep', () => {
    expect([...sweepStepTotals(t.conn.sqlite).values()].sort((x, y) => x.id.localeCompare(y.id))).toEqual([
      { id: 's1', done: 10, total: 10, started: null },
      { id: 's2', done: 3, total: 10, started: null },
    ]);
  });
});

describe('share reads', () => {
  it('find a share by token hash, list them newest first, and say whether an id exists', () => {
    const add = t.conn.sqlite.prepare('INSERT INTO shares (id, token_hash, path, created_at) VALUES (?, ?, ?, ?)');
    add.run('sh1', 'h1', '/sweeps/s1', '2026-01-01T00:00:00.000Z');
    add.run('sh2', 'h2', '/runs/a', '2026-01-02T00:00:00.000Z');
    expect(shareByTokenHash(t.conn.sqlite, 'h2')).toEqual({
      id: 'sh2',
      path: '/runs/a',
      createdAt: '2026-01-02T00:00:00.000Z',
      expiresAt: null,
      revokedAt: null,
    });
    expect(shareByTokenHash(t.conn.sqlite, 'nope')).toBeUndefined();
    expect(listShares(t.conn.sqlite).map((s) => s.id)).toEqual(['sh2', 'sh1']);
    expect([shareExists(t.conn.sqlite, 'sh1'), shareExists(t.conn.sqlite, 'sh3')]).toEqual([true, false]);
  });
});
