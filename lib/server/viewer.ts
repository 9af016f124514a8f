/**
 * The viewer's role for server-rendered pages: share-link visitors are read-only (see lib/server/auth.ts).
 */
import { headers } from 'next/headers';
import { viewerOf } from './auth';

export async function viewerRoleFromCookies(): Promise<'admin' | 'share'> {
  const v = viewerOf({ headers: await headers() });
  return v.role === 'admin' ? 'admin' : 'share';
}
