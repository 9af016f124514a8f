/**
 * Who may do what.
 * - No LAYERLAB_ADMIN_TOKEN: single user on loopback (lib/env.ts refuses other addresses); everyone is admin,
 *   except a browser holding a share-link cookie, which is read-only like any share viewer.
 * - With a token: admin = `Authorization: Bearer <token>`, or the HttpOnly SameSite=Strict cookie set by
 *   /login. Cookie-authenticated mutations must also come from this site (x-layerlab-request header, or an
 *   Origin equal to the Host), which cross-site forms cannot forge.
 * - A share viewer (cookie from /s/<token>, or the `x-layerlab-share` header) may read only the data of the
 *   shared view, and never mutate.
 * - The ingest route takes neither: it needs the run's own bearer token (lib/ingest/http.ts).
 */
import crypto from 'node:crypto';
import { AppError } from '../errors';
import { verifyRunToken } from '../ingest/http';
import type { ShareRow } from '../queries/shares';
import { resolveShare, shareCovers } from '../shares';
import { getContext } from './context';
import { ADMIN_COOKIE, SHARE_COOKIE } from './cookies';

export type Viewer =
  | { role: 'admin'; via: 'open' | 'bearer' | 'cookie' }
  | { role: 'share'; share: ShareRow }
  | { role: 'none'; why: string };

export function digest(text: string): Buffer {
  return crypto.createHash('sha256').update(`layerlab-admin:${text}`).digest();
}

/** The admin cookie's value: a digest of the token, so the cookie never holds the secret itself. */
export function adminCookieValue(token: string): string {
  return digest(token).toString('base64url');
}

function sameDigest(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && crypto.timingSafeEqual(a, b);
}

export function parseCookies(header: string | null): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq <= 0) continue;
    const raw = part.slice(eq + 1).trim();
    try {
      out[part.slice(0, eq).trim()] = decodeURIComponent(raw);
    } catch {
      out[part.slice(0, eq).trim()] = raw; // malformed %-escape: keep it as is (it will simply not match)
    }
  }
  return out;
}

export function bearer(req: { headers: Headers }): string | null {
  const m = req.headers.get('authorization')?.match(/^Bearer\s+(\S+)$/i);
  return m ? m[1] : null;
}

export function viewerOf(req: { headers: Headers }): Viewer {
  const { env, conn } = getContext();
  const cookies = parseCookies(req.headers.get('cookie'));
  const token = env.LAYERLAB_ADMIN_TOKEN;
  if (token) {
    const given = bearer(req);
    if (given && sameDigest(digest(given), digest(token))) return { role: 'admin', via: 'bearer' };
    const cookie = cookies[ADMIN_COOKIE];
    if (cookie && sameDigest(Buffer.from(cookie), Buffer.from(adminCookieValue(token))))
      return { role: 'admin', via: 'cookie' };
  }
  const shareToken = req.headers.get('x-layerlab-share') ?? cookies[SHARE_COOKIE];
  if (shareToken) {
    const share = resolveShare(conn.sqlite, shareToken);
    return share ? { role: 'share', share } : { role: 'none', why: 'this share link is invalid, revoked or expired' };
  }
  if (!token) return { role: 'admin', via: 'open' };
  return { role: 'none', why: 'sign in at /login, or send Authorization: Bearer <LAYERLAB_ADMIN_TOKEN>' };
}

function sameSite(req: { headers: Headers }): boolean {
  if (req.headers.get('x-layerlab-request') === '1') return true;
  const origin = req.headers.get('origin');
  const host = req.headers.get('host');
  if (!origin || !host) return false;
  try {
    return new URL(origin).host === host;
  } catch {
    return false; // e.g. `Origin: null` from a sandboxed frame
  }
}

/** Mutations: the admin only, and cookie sessions only from this site. */
export function requireAdmin(req: { headers: Headers }): void {
  const v = viewerOf(req);
  if (v.role === 'share') throw new AppError('forbidden', 'a share link is read-only');
  if (v.role === 'none') throw new AppError('unauthorized', v.why);
  if (v.via === 'cookie' && !sameSite(req)) throw new AppError('forbidden', 'cross-site request refused');
}

/**
 * A command sweep (docs/command-sweeps.md) runs any program: the admin only, and without an admin token (a
 * loopback server) only from this site (`x-layerlab-request: 1` or a same-origin request), so that a web page
 * cannot post one to a local server.
 */
export function requireCommandAdmin(req: { headers: Headers }): void {
  requireAdmin(req);
  const v = viewerOf(req);
  if (v.role === 'admin' && v.via === 'open' && !sameSite(req)) {
    throw new AppError(
      'forbidden',
      'a command sweep needs the x-layerlab-request: 1 header (or the admin token) on a server without an admin token',
    );
  }
}

/** Reads: the admin, or a share viewer whose view covers this sweep or run. */
export function requireRead(req: { headers: Headers }, target: { sweepId?: string; runId?: string }): void {
  const v = viewerOf(req);
  if (v.role === 'none') throw new AppError('unauthorized', v.why);
  if (!mayRead(v, target)) throw new AppError('forbidden', 'this share link does not cover that data');
}

/** requireRead's rule as a yes or no (for pages, which render without the data rather than fail). */
export function mayRead(v: Viewer, target: { sweepId?: string; runId?: string }): boolean {
  if (v.role === 'admin') return true;
  if (v.role === 'none') return false;
  return shareCovers(getContext().conn.sqlite, v.share, target);
}

/** Ingest: the run's own token, `Authorization: Bearer <run token>`. */
export function requireRunToken(req: { headers: Headers }, runId: string): void {
  const token = bearer(req);
  if (!token || !verifyRunToken(getContext().conn.db, runId, token)) {
    throw new AppError(
      'unauthorized',
      `a valid ingest token for run ${runId} is required (Authorization: Bearer <token>)`,
    );
  }
}
