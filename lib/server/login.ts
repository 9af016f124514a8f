/**
 * Signing in with the admin token: the body the /login form or a script sends, and the answer to it (the
 * HttpOnly, SameSite=Strict session cookie; a redirect for the form, JSON for a script).
 */
import { NextResponse } from 'next/server';
import { badRequest } from '../errors';
import { adminCookieValue, digest } from './auth';
import { readBody } from './body';
import { ADMIN_COOKIE, SHARE_COOKIE } from './cookies';
import { requestOrigin } from './http';

export interface SignIn {
  /** Sent as JSON (a script) rather than as a form (the /login page). */
  json: boolean;
  token: string;
  /** Where the form goes next: a path on this site, else `/`. */
  next: string;
}

/** A JSON `{token, next?}` body, or a form with those fields; 4 KiB at most. */
export async function readSignIn(req: Request): Promise<SignIn> {
  const text = await readBody(req, 4096);
  const json = (req.headers.get('content-type') ?? '').includes('json');
  let token: string;
  let next: string;
  try {
    const fields = json ? (JSON.parse(text) as Record<string, string>) : Object.fromEntries(new URLSearchParams(text));
    token = String(fields.token ?? '');
    next = String(fields.next ?? '/');
  } catch {
    throw badRequest('send {"token": "..."} or a form with a token field');
  }
  return { json, token, next: next.startsWith('/') && !next.startsWith('//') ? next : '/' };
}

/** The session cookie (and no share cookie) for the right token; for a wrong one, 401 or back to the form. */
export function signInResponse(req: Request, form: SignIn, adminToken: string): NextResponse {
  const ok = form.token.length > 0 && digest(form.token).equals(digest(adminToken));
  if (!ok) {
    return form.json
      ? NextResponse.json({ error: 'wrong admin token' }, { status: 401 })
      : NextResponse.redirect(new URL(`/login?e=1&next=${encodeURIComponent(form.next)}`, requestOrigin(req)), 303);
  }
  const res = form.json
    ? NextResponse.json({ ok: true })
    : NextResponse.redirect(new URL(form.next, requestOrigin(req)), 303);
  res.cookies.set(ADMIN_COOKIE, adminCookieValue(adminToken), {
    httpOnly: true,
    sameSite: 'strict',
    path: '/',
    maxAge: 7 * 86_400,
  });
  res.cookies.delete(SHARE_COOKIE);
  return res;
}
