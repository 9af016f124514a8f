/** Whether a sweep or a run exists: pages answer 404 for ids that do not. */
import type Database from 'better-sqlite3';

export function sweepExists(sqlite: Database.Database, id: string): boolean {
  return sqlite.prepare('SELECT 1 FROM sweeps WHERE id = ?').get(id) !== undefined;
}

export function runExists(sqlite: Database.Database, id: string): boolean {
  return sqlite.prepare('SELECT 1 FROM runs WHERE id = ?').get(id) !== undefined;
}
