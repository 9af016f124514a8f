import { NextResponse } from 'next/server';
import { resolveShare } from '@/lib/shares';
import { getContext } from '@/lib/server/context';
import { SHARE_COOKIE } from '@/lib/server/cookies';
import { requestOrigin } from '@/lib/server/http';

export const dynamic = 'force-dynamic';

/** Open a share link: remember it in an HttpOnly cookie and show its view, read-only. */
export async function GET(req: Request, ctx: { params: Promise<{ token: string }> }) {
  const { token } = await ctx.params;
  const share = resolveShare(getContext().conn.sqlite, token);
  if (!share) {
    return new NextResponse('This share link is invalid, revoked or expired. Ask its owner for a new one.', {
      status: 404,
      headers: { 'content-type': 'text/plain; charset=utf-8' },
    });
  }
  const res = NextResponse.redirect(new URL(share.path, requestOrigin(req)), 303);
  const maxAge = share.expiresAt ? Math.max(1, Math.floor((Date.parse(share.expiresAt) - Date.now()) / 1000)) : 30 * 86_400;
  res.cookies.set(SHARE_COOKIE, token, { httpOnly: true, sameSite: 'lax', path: '/', maxAge });
  return res;
}
