/**
 * Share links: a read-only link to one view. The token is 32 random bytes, shown once; only its sha256 is
 * stored. A link covers the data of its view alone: one sweep (with its base run), one run, or the runs of
 * one comparison. Links can expire and be revoked.
 */
import crypto from 'node:crypto';
import type Database from 'better-sqlite3';
import { AppError, notFound } from '../errors';
import { newId, sha256 } from '../ids';
import { runExists, runOfSweep, sweepExists } from '../queries/runs';
import { type ShareRow, shareByTokenHash, shareExists } from '../queries/shares';

export interface ShareScope {
  sweepId?: string;
  runIds?: string[];
}

const ID = '[A-Za-z0-9_-]{1,64}';
const SWEEP_PATH = new RegExp(`^/sweeps/(${ID})(/[a-z-]*)?$`);
const RUN_PATH = new RegExp(`^/runs/(${ID})$`);

/** What a view path exposes, or an error naming why it cannot be shared. */
export function scopeForPath(viewPath: string): ShareScope {
  let url: URL;
  try {
    url = new URL(viewPath, 'http://share.invalid');
  } catch {
    throw new AppError('bad_request', `not a view path: ${viewPath}`);
  }
  if (url.origin !== 'http://share.invalid' || !viewPath.startsWith('/'))
    throw new AppError('bad_request', 'path must be a path on this server, e.g. /sweeps/<id>/table');
  const sweep = url.pathname.match(SWEEP_PATH);
  if (sweep && sweep[1] !== 'new') return { sweepId: sweep[1] };
  const run = url.pathname.match(RUN_PATH);
  if (run) return { runIds: [run[1]] };
  if (url.pathname === '/compare') {
    const runs = (url.searchParams.get('runs') ?? '').split(',').filter(Boolean);
    if (runs.length === 0 || runs.length > 50 || !runs.every((r) => new RegExp(`^${ID}$`).test(r))) {
      throw new AppError('bad_request', 'a compare link needs ?runs=<id>,<id>… (1 to 50 run ids)');
    }
    return { runIds: runs };
  }
  throw new AppError('bad_request', `the view ${url.pathname} cannot be shared; share a sweep, run or compare view`);
}

export function createShare(
  sqlite: Database.Database,
  input: { path: string; expiresInDays?: number },
): { id: string; token: string; url: string; path: string; expiresAt: string | null } {
  const scope = scopeForPath(input.path);
  if (scope.sweepId && !sweepExists(sqlite, scope.sweepId)) throw notFound(`sweep ${scope.sweepId}`);
  for (const r of scope.runIds ?? []) {
    if (!runExists(sqlite, r)) throw notFound(`run ${r}`);
  }
  const token = crypto.randomBytes(32).toString('base64url');
  const id = newId('sh', 8);
  const expiresAt = input.expiresInDays ? new Date(Date.now() + input.expiresInDays * 86_400_000).toISOString() : null;
  sqlite
    .prepare('INSERT INTO shares (id, token_hash, path, expires_at) VALUES (?, ?, ?, ?)')
    .run(id, sha256(token), input.path, expiresAt);
  return { id, token, url: `/s/${token}`, path: input.path, expiresAt };
}

/** The live share for a token, or null (unknown, revoked or expired). */
export function resolveShare(sqlite: Database.Database, token: string): ShareRow | null {
  if (!/^[A-Za-z0-9_-]{20,100}$/.test(token)) return null;
  const row = shareByTokenHash(sqlite, sha256(token));
  if (!row || row.revokedAt) return null;
  if (row.expiresAt && Date.parse(row.expiresAt) <= Date.now()) return null;
  return row;
}

export function revokeShare(sqlite: Database.Database, id: string): void {
  const res = sqlite
    .prepare(`UPDATE shares SET revoked_at = strftime('%Y-%m-%dT%H:%M:%fZ','now') WHERE id = ? AND revoked_at IS NULL`)
    .run(id);
  if (res.changes === 0 && !shareExists(sqlite, id)) throw notFound(`share ${id}`);
}

/** Does the share's view cover this data? A sweep covers its runs and the base run they start from. */
export function shareCovers(
  sqlite: Database.Database,
  share: ShareRow,
  target: { sweepId?: string; runId?: string },
): boolean {
  const scope = scopeForPath(share.path);
  if (target.sweepId) return scope.sweepId === target.sweepId;
  if (!target.runId) return false;
  if (scope.runIds) return scope.runIds.includes(target.runId);
  return !!scope.sweepId && runOfSweep(sqlite, target.runId, scope.sweepId);
}

/** Page paths a share viewer may open: the shared view, its sibling tabs, and pages of the runs it covers. */
export function sharePageAllowed(
  sqlite: Database.Database,
  share: ShareRow,
  pathname: string,
  search: string,
): boolean {
  const scope = scopeForPath(share.path);
  if (scope.sweepId && SWEEP_PATH.test(pathname)) return pathname.split('/')[2] === scope.sweepId;
  let asked: ShareScope;
  try {
    asked = scopeForPath(pathname + search);
  } catch {
    return false;
  }
  return !!asked.runIds && asked.runIds.every((runId) => shareCovers(sqlite, share, { runId }));
}
