/**
 * Tags and notes on runs and sweeps, set by the admin (`PUT /api/runs/:id/annotations`,
 * `PUT /api/sweeps/:id/annotations`). A tag is 1–40 letters, digits or `_ . : + / -`; at most 20 per run or
 * sweep, stored lower-case; a note is at most 4,000 characters. An update replaces what it names (tags, note,
 * or both) in one transaction; a bad value is refused whole, naming the problem, and nothing is written.
 */
import type Database from 'better-sqlite3';
import { z } from 'zod';
import type { AnnotationTarget } from '../../db/schema';
import { badRequest, notFound } from '../errors';
import { type Annotations, annotationsOf } from '../queries/annotations';
import { runExists, sweepExists } from '../queries/runs';

export const TAG_PATTERN = /^[\p{L}\p{N}_.:+/-]{1,40}$/u;
export const MAX_TAGS = 20;
export const MAX_NOTE = 4000;

export interface AnnotationsUpdate {
  tags?: string[];
  note?: string;
}

/** The tags as stored (trimmed, lower-case, unique, sorted), or a bad request naming the first bad one. */
export function normalizeTags(tags: string[]): string[] {
  const out = [...new Set(tags.map((t) => t.trim().toLowerCase()))].sort();
  const bad = out.find((t) => !TAG_PATTERN.test(t));
  if (bad !== undefined) {
    throw badRequest(`invalid tag "${bad}": a tag is 1 to 40 letters, digits or _ . : + / - (no spaces)`, [
      { path: 'tags', message: `invalid tag "${bad}"` },
    ]);
  }
  if (out.length > MAX_TAGS) {
    throw badRequest(`too many tags: ${out.length} (at most ${MAX_TAGS})`, [{ path: 'tags', message: 'too many' }]);
  }
  return out;
}

export function setAnnotations(
  sqlite: Database.Database,
  target: AnnotationTarget,
  id: string,
  update: AnnotationsUpdate,
): Annotations {
  if (target === 'run' ? !runExists(sqlite, id) : !sweepExists(sqlite, id)) throw notFound(`${target} ${id}`);
  const tags = update.tags === undefined ? undefined : normalizeTags(update.tags);
  const note = update.note?.trim();
  if (note !== undefined && note.length > MAX_NOTE) {
    throw badRequest(`note too long: ${note.length} characters (at most ${MAX_NOTE})`, [
      { path: 'note', message: 'too long' },
    ]);
  }
  sqlite.transaction(() => {
    if (tags) {
      sqlite.prepare('DELETE FROM tags WHERE target = ? AND target_id = ?').run(target, id);
      const insert = sqlite.prepare('INSERT INTO tags (target, target_id, tag) VALUES (?, ?, ?)');
      for (const tag of tags) insert.run(target, id, tag);
    }
    if (note === '') sqlite.prepare('DELETE FROM notes WHERE target = ? AND target_id = ?').run(target, id);
    else if (note !== undefined) {
      sqlite
        .prepare(
          'INSERT INTO notes (target, target_id, text) VALUES (?, ?, ?) ON CONFLICT (target, target_id) ' +
            "DO UPDATE SET text = excluded.text, updated_at = strftime('%Y-%m-%dT%H:%M:%fZ','now')",
        )
        .run(target, id, note);
    }
  })();
  return annotationsOf(sqlite, target, id);
}

/** The body of `PUT /api/runs/:id/annotations` and `PUT /api/sweeps/:id/annotations`. */
export const annotationsBody = z
  .object({ tags: z.array(z.string().max(200)).max(100).optional(), note: z.string().max(100_000).optional() })
  .strict();
