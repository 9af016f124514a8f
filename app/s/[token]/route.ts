import { NextResponse } from 'next/server';
import { resolveShare } from '@/lib/shares';
import { getContext } from '@/lib/server/context';
import { SHARE_COOKIE } from '@/lib/server/cookies';
import { requestOrigin } from '@/lib/server/http';

export const dynamic = 'force-dynamic';

const NOT_FOUND_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>No such share link · LayerLab</title>
<meta name="robots" content="noindex"><link rel="icon" href="/icon.svg"></head>
<body style="font-family: system-ui, sans-serif; max-width: 40rem; margin: 4rem auto; padding: 0 1rem">
<h1>No such share link</h1>
<p>This share link is invalid, revoked or expired. Ask its owner for a new one.</p>
</body></html>
`;

/** Open a share link: remember it in an HttpOnly cookie and show its view, read-only. */
export async function GET(req: Request, ctx: { params: Promise<{ token: string }> }) {
  const { token } = await ctx.params;
  const share = resolveShare(getContext().conn.sqlite, token);
  if (!share) {
    return new NextResponse(NOT_FOUND_PAGE, { status: 404, headers: { 'content-type': 'text/html; charset=utf-8' } });
  }
  const res = NextResponse.redirect(new URL(share.path, requestOrigin(req)), 303);
  const maxAge = share.expiresAt
    ? Math.max(1, Math.floor((Date.parse(share.expiresAt) - Date.now()) / 1000))
    : 30 * 86_400;
  res.cookies.set(SHARE_COOKIE, token, { httpOnly: true, sameSite: 'lax', path: '/', maxAge });
  return res;
}
