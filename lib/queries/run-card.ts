/**
 * A run's summary card (`GET /api/runs/:id/card`, the run page): final and best eval loss, final accuracy,
 * tokens/s, peak memory, wall time, and its configuration's place in its sweep's ablation table (rows ranked by
 * the table's default metric, the final eval loss over seeds, lower first).
 */
import type Database from 'better-sqlite3';
import { ablationTable } from './table';

export interface RunCard {
  finalEval: { value: number; step: number } | null;
  bestEval: { value: number; step: number } | null;
  finalAccuracy: number | null;
  /** Total tokens ÷ total time from the run's `finished` summary, else the mean of its per-step rates. */
  tokensPerS: number | null;
  peakBytes: number | null;
  /** Finished (or now, while running) − started, in seconds; null before it started. */
  wallTimeS: number | null;
  /** Its configuration's place in the sweep; null outside a sweep or when its row has no value yet. */
  rank: { position: number; of: number; label: string; metric: string; mean: number; n: number } | null;
  /** Why there is no rank, for people; null when there is one or the run has no sweep. */
  rankNote: string | null;
}

interface Row {
  status: string;
  sweep_id: string | null;
  kind: string;
  summary: string | null;
  started_at: string | null;
  finished_at: string | null;
}

const num = (v: unknown): number | null => (typeof v === 'number' ? v : v === null ? Number.NaN : null);

export function runCard(sqlite: Database.Database, runId: string, now = Date.now()): RunCard {
  const run = sqlite
    .prepare('SELECT status, sweep_id, kind, summary, started_at, finished_at FROM runs WHERE id = ?')
    .get(runId) as Row;
  const latest = (key: string) =>
    sqlite.prepare('SELECT step, value FROM latest WHERE run_id = ? AND key = ?').get(runId, key) as
      | { step: number; value: number | null }
      | undefined;
  const seriesId = (key: string) =>
    sqlite.prepare('SELECT id FROM series WHERE run_id = ? AND key = ?').pluck().get(runId, key) as number | undefined;
  const final = latest('eval/loss');
  const evalSeries = seriesId('eval/loss');
  const best = evalSeries
    ? (sqlite
        .prepare(
          'SELECT step, value FROM points WHERE series_id = ? AND value IS NOT NULL ORDER BY value, step LIMIT 1',
        )
        .get(evalSeries) as { step: number; value: number } | undefined)
    : undefined;
  const summary = run.summary ? (JSON.parse(run.summary) as Record<string, unknown>) : {};
  const stat = (key: string, agg: 'max' | 'mean') => {
    const id = seriesId(key);
    if (!id) return null;
    const sql =
      agg === 'max'
        ? 'SELECT max(value) FROM points WHERE series_id = ?'
        : 'SELECT avg(value) FROM points WHERE series_id = ? AND value IS NOT NULL';
    return sqlite.prepare(sql).pluck().get(id) as number | null;
  };
  const tokens = typeof summary.tokens_per_s === 'number' ? summary.tokens_per_s : stat('tokens_per_s', 'mean');
  const peak =
    typeof summary['mem/peak_bytes'] === 'number' ? summary['mem/peak_bytes'] : stat('mem/peak_bytes', 'max');
  const end = run.finished_at ? Date.parse(run.finished_at) : run.status === 'running' ? now : null;
  const wall = run.started_at && end !== null ? (end - Date.parse(run.started_at)) / 1000 : null;
  const accuracy = latest('eval/accuracy');
  return {
    finalEval: final ? { step: final.step, value: num(final.value) ?? Number.NaN } : null,
    bestEval: best ?? null,
    finalAccuracy: accuracy ? (num(accuracy.value) ?? null) : null,
    tokensPerS: tokens as number | null,
    peakBytes: peak as number | null,
    wallTimeS: wall,
    ...rankOf(sqlite, runId, run),
  };
}

function rankOf(sqlite: Database.Database, runId: string, run: Row): Pick<RunCard, 'rank' | 'rankNote'> {
  if (!run.sweep_id) return { rank: null, rankNote: null };
  if (run.kind === 'pretrain') return { rank: null, rankNote: 'the base run of the sweep: not ranked' };
  const table = ablationTable(sqlite, run.sweep_id);
  if (!table) return { rank: null, rankNote: null };
  const rows = [...table.cells, ...table.baselines];
  const ranked = rows
    .filter((r) => r.stats.n > 0 && Number.isFinite(r.stats.mean))
    .sort((a, b) => a.stats.mean - b.stats.mean);
  const mine = rows.find((r) => r.runIds.includes(runId));
  if (!mine) {
    const other = rows.some((r) => r.lrChoice.length > 1);
    return {
      rank: null,
      rankNote: other
        ? 'not ranked: its configuration ranks at another learning rate'
        : 'not ranked yet: the sweep table counts finished and diverged runs',
    };
  }
  const position = ranked.indexOf(mine);
  if (position < 0) return { rank: null, rankNote: 'not ranked yet: its configuration has no final eval loss' };
  return {
    rank: {
      position: position + 1,
      of: ranked.length,
      label: mine.label,
      metric: table.metric.label,
      mean: mine.stats.mean,
      n: mine.stats.n,
    },
    rankNote: null,
  };
}
