import { NextResponse } from 'next/server';
import { ingestEventsBody, MAX_EVENTS_BODY_BYTES } from '@/lib/ingest/http';
import { requireRunToken } from '@/lib/server/auth';
import { readBody } from '@/lib/server/body';
import { getContext } from '@/lib/server/context';
import { handle } from '@/lib/server/http';

export const dynamic = 'force-dynamic';

/** Append NDJSON events to an external run. `Authorization: Bearer <run token>`; idempotent on `seq`. */
export async function POST(req: Request, ctx: { params: Promise<{ id: string }> }) {
  return handle(async () => {
    const { id } = await ctx.params;
    requireRunToken(req, id);
    const body = await readBody(req, MAX_EVENTS_BODY_BYTES);
    const result = ingestEventsBody(getContext().conn.sqlite, id, body);
    return NextResponse.json(result, { status: result.errors.length > 0 && result.stored === 0 ? 400 : 200 });
  });
}
