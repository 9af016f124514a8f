/**
 * Drop everything the write path derived for one run, so its events file can be ingested again from byte 0
 * (the file is the durable log; the database is its index). Also the clean-up before deleting a run:
 * points, point_blocks and norm_points hang off series and norm_groups ids without foreign keys (a foreign
 * key check per point would slow the write path), so deleting the run alone would orphan them.
 */
import type Database from 'better-sqlite3';
import { forgetRun } from './cache';

export function resetRunIndex(sqlite: Database.Database, runId: string): void {
  sqlite
    .transaction(() => {
      const series = 'SELECT id FROM series WHERE run_id = ?';
      const groups = 'SELECT id FROM norm_groups WHERE run_id = ?';
      for (const sql of [
        `DELETE FROM points WHERE series_id IN (${series})`,
        `DELETE FROM point_blocks WHERE series_id IN (${series})`,
        `DELETE FROM norm_points WHERE group_id IN (${groups})`,
        'DELETE FROM series WHERE run_id = ?',
        'DELETE FROM norm_groups WHERE run_id = ?',
        'DELETE FROM latest WHERE run_id = ?',
        'DELETE FROM lisa_periods WHERE run_id = ?',
        'DELETE FROM checkpoints WHERE run_id = ?',
        'DELETE FROM run_logs WHERE run_id = ?',
      ]) {
        sqlite.prepare(sql).run(runId);
      }
      sqlite.prepare('UPDATE runs SET last_seq = -1, events_offset = 0, last_step = NULL WHERE id = ?').run(runId);
    })
    .immediate();
  forgetRun(sqlite, runId);
}
