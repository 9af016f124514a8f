import { badRequest } from '@/lib/errors';
import { getContext } from '@/lib/server/context';
import { handle } from '@/lib/server/http';
import { readSignIn, signInResponse } from '@/lib/server/login';

export const dynamic = 'force-dynamic';

/** Sign in with the admin token (form or JSON); sets an HttpOnly, SameSite=Strict session cookie. */
export async function POST(req: Request) {
  return handle(async () => {
    const { env } = getContext();
    if (!env.LAYERLAB_ADMIN_TOKEN) throw badRequest('this server has no admin token; no sign-in is needed');
    return signInResponse(req, await readSignIn(req), env.LAYERLAB_ADMIN_TOKEN);
  });
}
