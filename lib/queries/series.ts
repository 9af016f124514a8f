/**
 * Downsampled series reads. Buckets are aligned to multiples of `bucketSteps` (from step 0), so every chart of
 * the same key over the same range shares one grid across runs. Each bucket keeps min, max and mean of the
 * non-NaN values, the NaN count, and its first and last step: a single spike survives in min/max.
 * Wide ranges read pre-aggregated blocks (point_blocks, kept by the write path) instead of points; the block
 * level is the largest one at most half a bucket wide (≤ 32 rows per bucket), or one level coarser when
 * that would read more than ROW_BUDGET rows (then buckets may be up to 2x wider than asked).
 * Values may be NaN or ±Infinity: serialise results with lib/protocol/json toJson.
 */
import type Database from 'better-sqlite3';
import { BLOCK_LEVELS } from '../ingest/blocks';

export interface SeriesBucket {
  firstStep: number;
  lastStep: number;
  /** Non-NaN values in the bucket. */
  count: number;
  nanCount: number;
  /** NaN when count is 0. */
  min: number;
  max: number;
  mean: number;
}

export interface BucketPlan {
  /** Steps per bucket; 1 means raw points. */
  bucketSteps: number;
  /** What was read: 1 = points, else the point_blocks level. */
  level: number;
}

export interface SeriesResult extends BucketPlan {
  runId: string;
  key: string;
  buckets: SeriesBucket[];
}

export interface RangeQuery {
  /** Maximum number of buckets (default 500). */
  points?: number;
  /** Inclusive step range; edge buckets may include a few steps outside it (firstStep/lastStep tell). */
  from?: number;
  to?: number;
}

/** Rows one query may read before it moves to a coarser level (~20 ms here). */
const ROW_BUDGET = 20_000;

/**
 * Bucket width and storage level for `points` buckets over steps first..last. `series` is how many series
 * one request reads on this grid (a sweep chart reads one per run): the row budget counts all of their rows.
 */
export function planBuckets(first: number, last: number, points: number, series = 1): BucketPlan {
  const n = Math.max(1, Math.floor(points));
  const span = last - first + 1;
  if (span <= n) return { bucketSteps: 1, level: 1 };
  const wanted = Math.ceil(span / n);
  const levels = [1, ...BLOCK_LEVELS];
  let i = 0;
  while (i + 1 < levels.length && levels[i + 1] <= wanted / 2) i++;
  // Past the row budget, trade some bucket resolution (width rounds up to the coarser level) for speed.
  if ((span / levels[i]) * Math.max(1, series) > ROW_BUDGET && i + 1 < levels.length && levels[i + 1] <= wanted) i++;
  const level = levels[i];
  let width = Math.ceil(wanted / level) * level;
  while (Math.floor(last / width) - Math.floor(first / width) + 1 > n) width += level;
  return { bucketSteps: width, level };
}

interface SeriesRange {
  id: number;
  first: number;
  last: number;
}

function seriesRange(sqlite: Database.Database, runId: string, key: string): SeriesRange | null {
  const row = sqlite
    .prepare(
      'SELECT s.id AS id, (SELECT step FROM points WHERE series_id = s.id ORDER BY step LIMIT 1) AS first, ' +
        '(SELECT step FROM points WHERE series_id = s.id ORDER BY step DESC LIMIT 1) AS last ' +
        'FROM series s WHERE s.run_id = ? AND s.key = ?',
    )
    .get(runId, key) as { id: number; first: number | null; last: number | null } | undefined;
  if (!row || row.first === null || row.last === null) return null;
  return { id: row.id, first: row.first, last: row.last };
}

class BucketBuilder {
  readonly out: SeriesBucket[] = [];
  private index = -1;
  private cur: SeriesBucket | null = null;
  private sum = 0;

  constructor(private readonly width: number) {}

  /** Fold in one point or block; callers feed them in step order. */
  add(
    first: number,
    last: number,
    count: number,
    nan: number,
    min: number | null,
    max: number | null,
    sum: number | null,
  ): void {
    const index = Math.floor(first / this.width);
    if (index !== this.index) {
      this.close();
      this.index = index;
      this.cur = { firstStep: first, lastStep: last, count: 0, nanCount: 0, min: Infinity, max: -Infinity, mean: NaN };
      this.sum = 0;
    }
    const b = this.cur!;
    b.lastStep = last;
    b.nanCount += nan;
    if (count > 0) {
      b.count += count;
      this.sum += sum ?? NaN;
      if (min! < b.min) b.min = min!;
      if (max! > b.max) b.max = max!;
    }
  }

  close(): SeriesBucket[] {
    const b = this.cur;
    if (b) {
      if (b.count > 0) b.mean = this.sum / b.count;
      else b.min = b.max = NaN;
      this.out.push(b);
      this.cur = null;
    }
    return this.out;
  }
}

function readBuckets(
  sqlite: Database.Database,
  seriesId: number,
  from: number,
  to: number,
  plan: BucketPlan,
): SeriesBucket[] {
  const builder = new BucketBuilder(plan.bucketSteps);
  if (plan.level === 1) {
    const rows = sqlite
      .prepare('SELECT step, value FROM points WHERE series_id = ? AND step BETWEEN ? AND ?')
      .raw()
      .all(seriesId, from, to) as [number, number | null][];
    for (const [step, value] of rows) {
      if (value === null) builder.add(step, step, 0, 1, null, null, null);
      else builder.add(step, step, 1, 0, value, value, value);
    }
  } else {
    const L = plan.level;
    const rows = sqlite
      .prepare(
        'SELECT first_step, last_step, count, nan_count, min_value, max_value, sum_value FROM point_blocks ' +
          'WHERE series_id = ? AND level = ? AND block BETWEEN ? AND ?',
      )
      .raw()
      .all(seriesId, L, Math.floor(from / L), Math.floor(to / L)) as [
      number,
      number,
      number,
      number,
      number | null,
      number | null,
      number | null,
    ][];
    for (const r of rows) builder.add(r[0], r[1], r[2], r[3], r[4], r[5], r[6]);
  }
  return builder.close();
}

/** One run's series `key`, downsampled to at most `points` buckets. Empty buckets when the series is absent. */
export function seriesPoints(sqlite: Database.Database, runId: string, key: string, q: RangeQuery = {}): SeriesResult {
  const points = q.points ?? 500;
  const range = seriesRange(sqlite, runId, key);
  const from = Math.max(range?.first ?? 0, q.from ?? -Infinity);
  const to = Math.min(range?.last ?? -1, q.to ?? Infinity);
  if (!range || from > to) return { runId, key, bucketSteps: 1, level: 1, buckets: [] };
  const plan = planBuckets(from, to, points);
  return { runId, key, ...plan, buckets: readBuckets(sqlite, range.id, from, to, plan) };
}

export interface MultiSeriesResult extends BucketPlan {
  key: string;
  runs: { runId: string; buckets: SeriesBucket[] }[];
}

/** The same key for several runs on one shared bucket grid (for overlaid charts and seed bands). */
export function seriesForRuns(
  sqlite: Database.Database,
  runIds: readonly string[],
  key: string,
  points = 500,
  q: Omit<RangeQuery, 'points'> = {},
): MultiSeriesResult {
  const ranges = runIds.map((id) => seriesRange(sqlite, id, key));
  let from = Infinity;
  let to = -Infinity;
  for (const r of ranges) {
    if (!r) continue;
    from = Math.min(from, r.first);
    to = Math.max(to, r.last);
  }
  from = Math.max(from, q.from ?? -Infinity);
  to = Math.min(to, q.to ?? Infinity);
  if (!(from <= to)) return { key, bucketSteps: 1, level: 1, runs: runIds.map((runId) => ({ runId, buckets: [] })) };
  const plan = planBuckets(from, to, points, ranges.filter((r) => r !== null).length);
  return {
    key,
    ...plan,
    runs: runIds.map((runId, i) => {
      const r = ranges[i];
      return { runId, buckets: r ? readBuckets(sqlite, r.id, from, to, plan) : [] };
    }),
  };
}

/** The run's metric keys with their latest step and value (from the latest table, no history scan). */
export function seriesKeys(sqlite: Database.Database, runId: string): { key: string; step: number; value: number }[] {
  const rows = sqlite.prepare('SELECT key, step, value FROM latest WHERE run_id = ? ORDER BY key').all(runId) as {
    key: string;
    step: number;
    value: number | null;
  }[];
  return rows.map((r) => ({ ...r, value: r.value ?? NaN }));
}
