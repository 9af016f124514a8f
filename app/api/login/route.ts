import { NextResponse } from 'next/server';
import { AppError } from '@/lib/errors';
import { adminCookieValue, digest } from '@/lib/server/auth';
import { getContext } from '@/lib/server/context';
import { ADMIN_COOKIE, SHARE_COOKIE } from '@/lib/server/cookies';
import { handle, readBody, requestOrigin } from '@/lib/server/http';

export const dynamic = 'force-dynamic';

/** Sign in with the admin token (form or JSON); sets an HttpOnly, SameSite=Strict session cookie. */
export async function POST(req: Request) {
  return handle(async () => {
    const { env } = getContext();
    if (!env.LAYERLAB_ADMIN_TOKEN)
      throw new AppError('bad_request', 'this server has no admin token; no sign-in is needed');
    const text = await readBody(req, 4096);
    const isJson = (req.headers.get('content-type') ?? '').includes('json');
    let token = '';
    let next = '/';
    try {
      const fields = isJson
        ? (JSON.parse(text) as Record<string, string>)
        : Object.fromEntries(new URLSearchParams(text));
      token = String(fields.token ?? '');
      next = String(fields.next ?? '/');
    } catch {
      throw new AppError('bad_request', 'send {"token": "..."} or a form with a token field');
    }
    if (!next.startsWith('/') || next.startsWith('//')) next = '/';
    const ok = token.length > 0 && digest(token).equals(digest(env.LAYERLAB_ADMIN_TOKEN));
    const res = ok
      ? isJson
        ? NextResponse.json({ ok: true })
        : NextResponse.redirect(new URL(next, requestOrigin(req)), 303)
      : isJson
        ? NextResponse.json({ error: 'wrong admin token' }, { status: 401 })
        : NextResponse.redirect(new URL(`/login?e=1&next=${encodeURIComponent(next)}`, requestOrigin(req)), 303);
    if (ok) {
      res.cookies.set(ADMIN_COOKIE, adminCookieValue(env.LAYERLAB_ADMIN_TOKEN), {
        httpOnly: true,
        sameSite: 'strict',
        path: '/',
        maxAge: 7 * 86_400,
      });
      res.cookies.delete(SHARE_COOKIE);
    }
    return res;
  });
}
