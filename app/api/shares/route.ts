import { NextResponse } from 'next/server';
import { z } from 'zod';
import { listShares } from '@/lib/queries/shares';
import { createShare } from '@/lib/shares';
import { requireAdmin } from '@/lib/server/auth';
import { parseJsonBody } from '@/lib/server/body';
import { getContext } from '@/lib/server/context';
import { handle, requestOrigin } from '@/lib/server/http';

export const dynamic = 'force-dynamic';

const body = z
  .object({ path: z.string().min(1).max(2000), expiresInDays: z.number().positive().max(3650).optional() })
  .strict();

/** Create a read-only link to one view: `{path}` → `{id, url}` (the token inside the url is shown once). */
export async function POST(req: Request) {
  return handle(async () => {
    requireAdmin(req);
    const input = await parseJsonBody(req, body, 8 * 1024, {
      notJson: 'body must be JSON: {"path": "/sweeps/<id>/table"}',
      invalid: 'invalid share request',
    });
    const share = createShare(getContext().conn.sqlite, input);
    return NextResponse.json({ ...share, url: `${requestOrigin(req)}${share.url}` }, { status: 201 });
  });
}

export async function GET(req: Request) {
  return handle(async () => {
    requireAdmin(req);
    return NextResponse.json(listShares(getContext().conn.sqlite));
  });
}
