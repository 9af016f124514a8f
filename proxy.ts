/**
 * Page access (API routes check for themselves): with an admin token configured, pages need the admin
 * cookie; a share-link viewer may open only the pages of the view that was shared.
 */
import { NextResponse, type NextRequest } from 'next/server';
import { sharePageAllowed } from '@/lib/shares';
import { viewerOf } from '@/lib/server/auth';
import { getContext } from '@/lib/server/context';

export function proxy(req: NextRequest) {
  const v = viewerOf(req);
  if (v.role === 'admin') return NextResponse.next();
  if (v.role === 'share') {
    const { pathname, search } = req.nextUrl;
    if (sharePageAllowed(getContext().conn.sqlite, v.share, pathname, search)) return NextResponse.next();
    return NextResponse.redirect(new URL(v.share.path, req.url));
  }
  if (!getContext().env.LAYERLAB_ADMIN_TOKEN) {
    // Open server, stale share cookie: drop it and show the page.
    const res = NextResponse.redirect(req.nextUrl);
    res.cookies.delete('ll_share');
    return res;
  }
  const login = new URL('/login', req.url);
  login.searchParams.set('next', req.nextUrl.pathname + req.nextUrl.search);
  const res = NextResponse.redirect(login);
  // An invalid or revoked share cookie is dropped so the visitor is not stuck.
  res.cookies.delete('ll_share');
  return res;
}

export const config = {
  matcher: ['/((?!api/|_next/|s/|login|favicon|icon\\.svg).*)'],
};
