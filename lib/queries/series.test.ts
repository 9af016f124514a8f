import { afterEach, describe, expect, it } from 'vitest';
import { ingestEvents } from '../ingest/write';
import { EventBuilder, insertRun, tempDatabase, type TempDatabase } from '../ingest/testing';
import { planBuckets, seriesForRuns, seriesKeys, seriesPoints, type SeriesBucket } from './series';

let t: TempDatabase;
afterEach(() => t?.close());

function runWith(id: string, values: (step: number) => number | undefined, steps: number, b = new EventBuilder()) {
  insertRun(t.conn.sqlite, { id });
  let batch = [b.started()];
  for (let s = 0; s < steps; s++) {
    const v = values(s);
    if (v !== undefined) batch.push(b.metrics(s, { loss: v }));
    if (batch.length === 5000) {
      ingestEvents(t.conn.sqlite, id, batch);
      batch = [];
    }
  }
  ingestEvents(t.conn.sqlite, id, batch);
}

/** The same buckets computed from raw points, for comparison. */
function bruteForce(
  id: string,
  width: number,
  level: number,
  from: number,
  to: number,
): Omit<SeriesBucket, 'firstStep' | 'lastStep'>[] {
  const rows = t.conn.sqlite
    .prepare(
      'SELECT p.step, p.value FROM points p JOIN series s ON s.id = p.series_id WHERE s.run_id = ? AND s.key = ' +
        "'loss' ORDER BY p.step",
    )
    .all(id) as { step: number; value: number | null }[];
  const by = new Map<number, number[]>();
  for (const r of rows) {
    const i = Math.floor(r.step / width);
    // edge buckets include whole blocks of the level read
    if (r.step < Math.floor(from / level) * level || r.step > (Math.floor(to / level) + 1) * level - 1) continue;
    const list = by.get(i) ?? [];
    list.push(r.value ?? NaN);
    by.set(i, list);
  }
  return [...by.values()].map((vs) => {
    const ok = vs.filter((v) => !Number.isNaN(v));
    const sum = ok.reduce((a, v) => a + v, 0);
    return {
      count: ok.length,
      nanCount: vs.length - ok.length,
      min: ok.length ? Math.min(...ok) : NaN,
      max: ok.length ? Math.max(...ok) : NaN,
      mean: ok.length ? sum / ok.length : NaN,
    };
  });
}

describe('planBuckets', () => {
  it('never exceeds the requested count and aligns buckets to the block level', () => {
    for (const [first, last, n] of [
      [0, 999_999, 500],
      [0, 99, 500],
      [123, 456_789, 300],
      [5, 70_000, 2000],
      [0, 31, 10],
    ]) {
      const p = planBuckets(first, last, n);
      expect(Math.floor(last / p.bucketSteps) - Math.floor(first / p.bucketSteps) + 1).toBeLessThanOrEqual(n);
      expect(p.bucketSteps % p.level).toBe(0);
    }
    expect(planBuckets(0, 999_999, 500)).toEqual({ bucketSteps: 2048, level: 256 });
    expect(planBuckets(0, 99, 500)).toEqual({ bucketSteps: 1, level: 1 });
  });

  it('counts the rows of every series of a multi-run read against the row budget', () => {
    // One 5,000-step series reads raw points; a sweep chart of 100 such runs reads level-16 blocks instead.
    expect(planBuckets(1, 5_000, 300)).toEqual({ bucketSteps: 17, level: 1 });
    const p = planBuckets(1, 5_000, 300, 100);
    expect(p.level).toBe(16);
    expect(Math.floor(5_000 / p.bucketSteps) - Math.floor(1 / p.bucketSteps) + 1).toBeLessThanOrEqual(300);
  });
});

describe('seriesPoints', () => {
  it('keeps a single spike in min/max at every resolution', () => {
    t = tempDatabase();
    runWith('r1', (s) => (s === 61_234 ? 99 : s === 7_000 ? -5 : 1 + (s % 3) / 10), 100_000);
    for (const points of [10, 100, 500, 3000]) {
      const { buckets } = seriesPoints(t.conn.sqlite, 'r1', 'loss', { points });
      expect(buckets.length).toBeLessThanOrEqual(points);
      const spike = buckets.find((b) => b.firstStep <= 61_234 && 61_234 <= b.lastStep)!;
      expect(spike.max).toBe(99);
      expect(buckets.filter((b) => b.max === 99)).toHaveLength(1);
      expect(Math.min(...buckets.map((b) => b.min))).toBe(-5);
      expect(buckets.reduce((a, b) => a + b.count, 0)).toBe(100_000);
    }
  });

  it('matches buckets computed from raw points, NaN counted apart, for ranges and levels', () => {
    t = tempDatabase();
    runWith('r1', (s) => (s % 7 === 3 ? undefined : s % 101 === 0 ? NaN : Math.sin(s / 50) + (s % 13)), 50_000);
    const levels = new Set<number>();
    for (const [points, from, to] of [
      [500, 0, 49_999],
      [40, 0, 49_999],
      [5, 0, 49_999],
      [300, 1_000, 9_000],
      [200, 20_000, 20_150],
      [37, 3_333, 44_444],
    ]) {
      const r = seriesPoints(t.conn.sqlite, 'r1', 'loss', { points, from, to });
      levels.add(r.level);
      const expected = bruteForce('r1', r.bucketSteps, r.level, from, to);
      expect(r.buckets).toHaveLength(expected.length);
      r.buckets.forEach((got, i) => {
        const { mean, ...rest } = expected[i];
        expect(got).toMatchObject(rest);
        if (Number.isNaN(mean)) expect(got.mean).toBeNaN();
        else expect(got.mean).toBeCloseTo(mean, 9);
      });
    }
    expect([...levels].sort((a, b) => a - b)).toEqual([1, 16, 256, 4096]);
  });

  it('returns nothing for a missing series or an empty range', () => {
    t = tempDatabase();
    runWith('r1', (s) => s, 10);
    expect(seriesPoints(t.conn.sqlite, 'r1', 'nope').buckets).toEqual([]);
    expect(seriesPoints(t.conn.sqlite, 'r1', 'loss', { from: 50 }).buckets).toEqual([]);
    expect(seriesKeys(t.conn.sqlite, 'r1')).toEqual([{ key: 'loss', step: 9, value: 9 }]);
  });
});

describe('seriesForRuns', () => {
  it('puts runs of different lengths on one bucket grid', () => {
    t = tempDatabase();
    runWith('a', (s) => s, 10_000);
    runWith('b', (s) => -s, 4_000);
    const r = seriesForRuns(t.conn.sqlite, ['a', 'b', 'missing'], 'loss', 100);
    expect(r.runs.map((x) => x.runId)).toEqual(['a', 'b', 'missing']);
    expect(r.runs[2].buckets).toEqual([]);
    const [a, b] = r.runs;
    expect(b.buckets.length).toBeLessThan(a.buckets.length);
    b.buckets.forEach((bucket, i) =>
      expect(Math.floor(bucket.firstStep / r.bucketSteps)).toBe(Math.floor(a.buckets[i].firstStep / r.bucketSteps)),
    );
  });
});
