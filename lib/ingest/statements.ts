/**
 * The write path's prepared statements, compiled once per connection (a WeakMap keyed by the handle).
 * Plain prepared statements in one transaction: drizzle's multi-row insert was 8x slower.
 */
import type Database from 'better-sqlite3';

type Stmt = Database.Statement;

export interface WriteStatements {
  runHead: Stmt;
  insertSeries: Stmt;
  insertPoint: Stmt;
  /** POINT_ROWS rows in one INSERT: one call into SQLite for many appended points. */
  insertPoints: Stmt;
  upsertPoint: Stmt;
  upsertLatest: Stmt;
  insertGroup: Stmt;
  upsertNorm: Stmt;
  upsertPeriod: Stmt;
  upsertCheckpoint: Stmt;
  upsertLog: Stmt;
  insertNote: Stmt;
  runProgress: Stmt;
  mergeBlock: Stmt;
  rebuildBlockFromPoints: Stmt;
  rebuildBlockFromBlocks: Stmt;
  seriesOfRun: Stmt;
  maxStepOfSeries: Stmt;
  groupsOfRun: Stmt;
}

/** Rows per multi-row insert of appended points (3 parameters each; SQLite allows 32,766). */
export const POINT_ROWS = 128;

const cache = new WeakMap<Database.Database, WriteStatements>();

export function writeStatements(sqlite: Database.Database): WriteStatements {
  let s = cache.get(sqlite);
  if (s) return s;
  const p = (sql: string) => sqlite.prepare(sql);
  s = {
    runHead: p('SELECT last_seq AS lastSeq, status FROM runs WHERE id = ?'),
    insertSeries: p(
      'INSERT INTO series (run_id, key) VALUES (?, ?) ' +
        'ON CONFLICT (run_id, key) DO UPDATE SET key = excluded.key RETURNING id',
    ),
    insertPoint: p('INSERT INTO points (series_id, step, value) VALUES (?, ?, ?)'),
    insertPoints: p(
      `INSERT INTO points (series_id, step, value) VALUES ${Array(POINT_ROWS).fill('(?, ?, ?)').join(', ')}`,
    ),
    upsertPoint: p(
      'INSERT INTO points (series_id, step, value) VALUES (?, ?, ?) ' +
        'ON CONFLICT (series_id, step) DO UPDATE SET value = excluded.value',
    ),
    upsertLatest: p(
      'INSERT INTO latest (run_id, key, step, value) VALUES (?, ?, ?, ?) ' +
        'ON CONFLICT (run_id, key) DO UPDATE SET step = excluded.step, value = excluded.value',
    ),
    insertGroup: p(
      'INSERT INTO norm_groups (run_id, name, position) VALUES (?, ?, ?) ' +
        'ON CONFLICT (run_id, name) DO UPDATE SET name = excluded.name RETURNING id, position',
    ),
    upsertNorm: p(
      'INSERT INTO norm_points (group_id, step, weight, "update", trainable, grad, has_grad) ' +
        'VALUES (?, ?, ?, ?, ?, ?, ?) ' +
        'ON CONFLICT (group_id, step) DO UPDATE SET weight = excluded.weight, "update" = excluded."update", ' +
        'trainable = excluded.trainable, grad = excluded.grad, has_grad = excluded.has_grad',
    ),
    upsertPeriod: p(
      'INSERT INTO lisa_periods (run_id, period, step, active, reset, modules, scores) VALUES (?, ?, ?, ?, ?, ?, ?) ' +
        'ON CONFLICT (run_id, period) DO UPDATE SET step = excluded.step, active = excluded.active, ' +
        'reset = excluded.reset, modules = excluded.modules, scores = excluded.scores',
    ),
    upsertCheckpoint: p(
      'INSERT INTO checkpoints (run_id, step, path, bytes, created_at) VALUES (?, ?, ?, ?, ?) ' +
        'ON CONFLICT (run_id, step) DO UPDATE SET ' +
        'path = excluded.path, bytes = excluded.bytes, created_at = excluded.created_at',
    ),
    upsertLog: p('INSERT OR REPLACE INTO run_logs (run_id, seq, step, level, message, time) VALUES (?, ?, ?, ?, ?, ?)'),
    insertNote: p(
      'INSERT OR IGNORE INTO run_logs (run_id, seq, step, level, message, time) VALUES (?, ?, NULL, ?, ?, ?)',
    ),
    runProgress: p('UPDATE runs SET last_seq = ?, last_step = coalesce(?, last_step) WHERE id = ?'),
    mergeBlock: p(
      'INSERT INTO point_blocks ' +
        '(series_id, level, block, count, nan_count, min_value, max_value, sum_value, first_step, last_step) ' +
        'VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (series_id, level, block) DO UPDATE SET ' +
        'count = count + excluded.count, nan_count = nan_count + excluded.nan_count, ' +
        'min_value = CASE WHEN min_value IS NULL THEN excluded.min_value ' +
        'WHEN excluded.min_value IS NULL THEN min_value ' +
        'ELSE min(min_value, excluded.min_value) END, ' +
        'max_value = CASE WHEN max_value IS NULL THEN excluded.max_value ' +
        'WHEN excluded.max_value IS NULL THEN max_value ' +
        'ELSE max(max_value, excluded.max_value) END, ' +
        'sum_value = sum_value + excluded.sum_value, ' +
        'first_step = min(first_step, excluded.first_step), last_step = max(last_step, excluded.last_step)',
    ),
    // Recompute one finest block from its points (after a step was overwritten: min/max cannot be un-merged).
    rebuildBlockFromPoints: p(
      'INSERT OR REPLACE INTO point_blocks ' +
        '(series_id, level, block, count, nan_count, min_value, max_value, sum_value, first_step, last_step) ' +
        'SELECT @series, @level, @block, count(value), count(*) - count(value), ' +
        'min(value), max(value), total(value), min(step), max(step) ' +
        'FROM points WHERE series_id = @series AND step BETWEEN @from AND @to HAVING count(*) > 0',
    ),
    // Recompute one coarser block from the finer blocks it covers.
    rebuildBlockFromBlocks: p(
      'INSERT OR REPLACE INTO point_blocks ' +
        '(series_id, level, block, count, nan_count, min_value, max_value, sum_value, first_step, last_step) ' +
        'SELECT @series, @level, @block, sum(count), sum(nan_count), min(min_value), max(max_value), ' +
        'CASE WHEN count(sum_value) < count(*) THEN NULL ELSE total(sum_value) END, min(first_step), max(last_step) ' +
        'FROM point_blocks WHERE series_id = @series AND level = @finer AND block BETWEEN @from AND @to ' +
        'HAVING count(*) > 0',
    ),
    seriesOfRun: p('SELECT id, key FROM series WHERE run_id = ?'),
    maxStepOfSeries: p('SELECT step FROM points WHERE series_id = ? ORDER BY step DESC LIMIT 1').pluck(),
    groupsOfRun: p('SELECT id, name, position FROM norm_groups WHERE run_id = ?'),
  };
  cache.set(sqlite, s);
  return s;
}
