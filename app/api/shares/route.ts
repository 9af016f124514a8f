import { NextResponse } from 'next/server';
import { z } from 'zod';
import { AppError } from '@/lib/errors';
import { createShare, listShares } from '@/lib/shares';
import { requireAdmin } from '@/lib/server/auth';
import { getContext } from '@/lib/server/context';
import { handle, readBody, requestOrigin } from '@/lib/server/http';

export const dynamic = 'force-dynamic';

const body = z
  .object({ path: z.string().min(1).max(2000), expiresInDays: z.number().positive().max(3650).optional() })
  .strict();

/** Create a read-only link to one view: `{path}` → `{id, url}` (the token inside the url is shown once). */
export async function POST(req: Request) {
  return handle(async () => {
    requireAdmin(req);
    let raw: unknown;
    try {
      raw = JSON.parse(await readBody(req, 8 * 1024));
    } catch (e) {
      if (e instanceof AppError) throw e;
      throw new AppError('bad_request', 'body must be JSON: {"path": "/sweeps/<id>/table"}');
    }
    const parsed = body.safeParse(raw);
    if (!parsed.success) {
      throw new AppError(
        'bad_request',
        'invalid share request',
        parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })),
      );
    }
    const share = createShare(getContext().conn.sqlite, parsed.data);
    const origin = requestOrigin(req);
    return NextResponse.json({ ...share, url: `${origin}${share.url}` }, { status: 201 });
  });
}

export async function GET(req: Request) {
  return handle(async () => {
    requireAdmin(req);
    return NextResponse.json(listShares(getContext().conn.sqlite));
  });
}
