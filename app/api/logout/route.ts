import { NextResponse } from 'next/server';
import { ADMIN_COOKIE, SHARE_COOKIE } from '@/lib/server/cookies';
import { requestOrigin } from '@/lib/server/http';

export const dynamic = 'force-dynamic';

/** Sign out, and leave any shared view: clears both cookies. */
export async function POST(req: Request) {
  const res = NextResponse.redirect(new URL('/', requestOrigin(req)), 303);
  res.cookies.delete(ADMIN_COOKIE);
  res.cookies.delete(SHARE_COOKIE);
  return res;
}
