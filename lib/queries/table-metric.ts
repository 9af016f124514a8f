/**
 * What an ablation-table cell measures, and one value per run of a sweep for it, read without scanning
 * history: final values from `latest`, min/max/mean from the coarsest point_blocks level (which covers every
 * point), wall time from the run's start and finish.
 *
 * A metric id is `key` or `key:agg` with agg in last | min | max | mean | best (best = min, or max when higher
 * is better). Defaults: `eval/loss` = final eval loss, `eval/loss:best` = best (min) eval loss,
 * `mem/peak_bytes` = max, `tokens_per_s` = the run's own figure from its `finished` summary (total tokens ÷ total
 * time of its timed steps; the mean of the per-step series for a run without one), `wall_time` = finished −
 * started in seconds, `train/loss:roughness` = the loss's roughness (lib/stats/roughness: the std of the loss
 * around its own 11-step centred moving average), computed from the run's points when read.
 */
import type Database from 'better-sqlite3';
import { AppError } from '../errors';
import { BLOCK_LEVELS } from '../ingest/blocks';
import { ROUGHNESS_WINDOW, roughness } from '../stats/roughness';

export type MetricAgg = 'last' | 'min' | 'max' | 'mean' | 'wall' | 'run' | 'roughness';

export interface TableMetric {
  id: string;
  key: string;
  agg: MetricAgg;
  better: 'lower' | 'higher';
  /** Human label, e.g. "final eval/loss". */
  label: string;
}

/** A metric id the table cannot compute: a bad request. */
export class TableMetricError extends AppError {
  constructor(message: string) {
    super('bad_request', message);
    this.name = 'TableMetricError';
  }
}

const HIGHER_IS_BETTER = /(accuracy|acc$|tokens_per_s|throughput)/;
const DEFAULT_AGG: Record<string, MetricAgg> = {
  'mem/peak_bytes': 'max',
  'mem/rss_bytes': 'max',
  tokens_per_s: 'run',
  loss_tokens_per_s: 'run',
  step_ms: 'mean',
};
const AGG_LABEL: Record<MetricAgg, string> = {
  last: 'final',
  min: 'min',
  max: 'max',
  mean: 'mean',
  wall: '',
  run: 'run',
  roughness: 'roughness of',
};

export function parseTableMetric(id: string): TableMetric {
  const trimmed = id.trim();
  if (trimmed === 'wall_time')
    return { id: trimmed, key: 'wall_time', agg: 'wall', better: 'lower', label: 'wall time (s)' };
  const colon = trimmed.lastIndexOf(':');
  const key = colon >= 0 ? trimmed.slice(0, colon) : trimmed;
  const aggText = colon >= 0 ? trimmed.slice(colon + 1) : null;
  if (!/^[\w./-]{1,200}$/.test(key)) throw new TableMetricError(`unknown metric "${id}"`);
  const better = HIGHER_IS_BETTER.test(key) ? 'higher' : 'lower';
  let agg: MetricAgg;
  if (aggText === null) agg = DEFAULT_AGG[key] ?? 'last';
  else if (aggText === 'best') agg = better === 'lower' ? 'min' : 'max';
  else if (['last', 'min', 'max', 'mean', 'roughness'].includes(aggText)) agg = aggText as MetricAgg;
  else {
    throw new TableMetricError(
      `unknown aggregation "${aggText}" in metric "${id}" (last, min, max, mean, best, roughness)`,
    );
  }
  const label =
    agg === 'run'
      ? `${key} (total tokens ÷ total time)`
      : agg === 'roughness'
        ? `roughness of ${key} (std around its ${ROUGHNESS_WINDOW}-step centred moving average)`
        : aggText === 'best'
          ? `best ${key}`
          : `${AGG_LABEL[agg]} ${key}`;
  return { id: trimmed, key, agg, better: agg === 'roughness' ? 'lower' : better, label };
}

/** runId → value for every run of the sweep that has one (NaN when the stored value is NaN). */
export function metricValues(sqlite: Database.Database, sweepId: string, metric: TableMetric): Map<string, number> {
  const out = new Map<string, number>();
  if (metric.agg === 'wall') {
    const rows = sqlite
      .prepare(
        'SELECT id, started_at AS s, finished_at AS f FROM runs ' +
          'WHERE sweep_id = ? AND started_at IS NOT NULL AND finished_at IS NOT NULL',
      )
      .all(sweepId) as { id: string; s: string; f: string }[];
    for (const r of rows) out.set(r.id, (Date.parse(r.f) - Date.parse(r.s)) / 1000);
    return out;
  }
  if (metric.agg === 'last') {
    const rows = sqlite
      .prepare(
        'SELECT r.id AS id, l.value AS v FROM runs r JOIN latest l ON l.run_id = r.id AND l.key = ? ' +
          'WHERE r.sweep_id = ?',
      )
      .raw()
      .all(metric.key, sweepId) as [string, number | null][];
    for (const [id, v] of rows) out.set(id, v ?? NaN);
    return out;
  }
  if (metric.agg === 'run') {
    // A rate over the whole run comes from the run itself; the series only holds per-step rates.
    const rows = sqlite
      .prepare('SELECT id, json_extract(summary, ?) FROM runs WHERE sweep_id = ? AND summary IS NOT NULL')
      .raw()
      .all(`$."${metric.key}"`, sweepId) as [string, number | string | null][];
    const fromSeries = metricValues(sqlite, sweepId, { ...metric, agg: 'mean' });
    for (const [id, v] of fromSeries) out.set(id, v);
    for (const [id, v] of rows) if (typeof v === 'number') out.set(id, v);
    return out;
  }
  if (metric.agg === 'roughness') {
    // Every point of each run's series, in step order (NULL is a stored NaN).
    const rows = sqlite
      .prepare(
        'SELECT r.id, p.value FROM runs r JOIN series s ON s.run_id = r.id AND s.key = ? ' +
          'JOIN points p ON p.series_id = s.id WHERE r.sweep_id = ? ORDER BY r.id, p.step',
      )
      .raw()
      .all(metric.key, sweepId) as [string, number | null][];
    const byRun = new Map<string, number[]>();
    for (const [id, v] of rows) {
      const list = byRun.get(id) ?? [];
      list.push(v ?? NaN);
      byRun.set(id, list);
    }
    for (const [id, values] of byRun) out.set(id, roughness(values));
    return out;
  }
  const top = BLOCK_LEVELS[BLOCK_LEVELS.length - 1];
  const rows = sqlite
    .prepare(
      'SELECT r.id, min(b.min_value), max(b.max_value), total(b.sum_value), sum(b.count), ' +
        'count(b.sum_value) < count(*) ' +
        'FROM runs r JOIN series s ON s.run_id = r.id AND s.key = ? ' +
        'JOIN point_blocks b ON b.series_id = s.id AND b.level = ? ' +
        'WHERE r.sweep_id = ? GROUP BY r.id',
    )
    .raw()
    .all(metric.key, top, sweepId) as [string, number | null, number | null, number, number, number][];
  for (const [id, min, max, sum, count, sumIsNaN] of rows) {
    if (count === 0) out.set(id, NaN);
    else if (metric.agg === 'min') out.set(id, min ?? NaN);
    else if (metric.agg === 'max') out.set(id, max ?? NaN);
    else out.set(id, sumIsNaN ? NaN : sum / count);
  }
  return out;
}
