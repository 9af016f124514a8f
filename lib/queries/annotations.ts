/**
 * The admin's tags and note on a run or a sweep (written by lib/annotations): part of every run and sweep answer,
 * share links included.
 */
import type Database from 'better-sqlite3';
import type { AnnotationTarget } from '../../db/schema';

export interface Annotations {
  /** Sorted, unique. */
  tags: string[];
  /** '' when there is none. */
  note: string;
}

export function annotationsOf(sqlite: Database.Database, target: AnnotationTarget, id: string): Annotations {
  const tags = sqlite
    .prepare('SELECT tag FROM tags WHERE target = ? AND target_id = ? ORDER BY tag')
    .pluck()
    .all(target, id) as string[];
  const note = sqlite.prepare('SELECT text FROM notes WHERE target = ? AND target_id = ?').pluck().get(target, id) as
    | string
    | undefined;
  return { tags, note: note ?? '' };
}

/** Tags of many runs or sweeps at once: id → sorted tags (ids without tags are absent). */
export function tagsOf(sqlite: Database.Database, target: AnnotationTarget, ids: string[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  if (ids.length === 0) return out;
  const rows = sqlite
    .prepare(
      'SELECT target_id, tag FROM tags WHERE target = ? AND target_id IN (SELECT value FROM json_each(?)) ' +
        'ORDER BY target_id, tag',
    )
    .raw()
    .all(target, JSON.stringify(ids)) as [string, string][];
  for (const [id, tag] of rows) out.set(id, [...(out.get(id) ?? []), tag]);
  return out;
}
