/**
 * Reads of share links (lib/shares creates and revokes them): by token hash, the list, whether an id exists.
 */
import type Database from 'better-sqlite3';

export interface ShareRow {
  id: string;
  path: string;
  createdAt: string;
  expiresAt: string | null;
  revokedAt: string | null;
}

const COLUMNS = 'id, path, created_at AS createdAt, expires_at AS expiresAt, revoked_at AS revokedAt';

/** The share with this token hash, revoked or expired ones included. */
export function shareByTokenHash(sqlite: Database.Database, tokenHash: string): ShareRow | undefined {
  return sqlite.prepare(`SELECT ${COLUMNS} FROM shares WHERE token_hash = ?`).get(tokenHash) as ShareRow | undefined;
}

/** Every share link, newest first (never their tokens). */
export function listShares(sqlite: Database.Database): ShareRow[] {
  return sqlite.prepare(`SELECT ${COLUMNS} FROM shares ORDER BY created_at DESC`).all() as ShareRow[];
}

export function shareExists(sqlite: Database.Database, id: string): boolean {
  return sqlite.prepare('SELECT 1 FROM shares WHERE id = ?').get(id) !== undefined;
}
