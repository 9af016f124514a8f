import { NextResponse } from 'next/server';
import { AppError } from '@/lib/errors';
import { BodyTooLargeError, ingestEventsBody, MAX_EVENTS_BODY_BYTES, verifyRunToken } from '@/lib/ingest/http';
import { bearer } from '@/lib/server/auth';
import { getContext } from '@/lib/server/context';
import { handle, readBody } from '@/lib/server/http';

export const dynamic = 'force-dynamic';

/** Append NDJSON events to an external run. `Authorization: Bearer <run token>`; idempotent on `seq`. */
export async function POST(req: Request, ctx: { params: Promise<{ id: string }> }) {
  return handle(async () => {
    const { id } = await ctx.params;
    const token = bearer(req);
    const { conn } = getContext();
    if (!token || !verifyRunToken(conn.db, id, token)) {
      throw new AppError(
        'unauthorized',
        `a valid ingest token for run ${id} is required (Authorization: Bearer <token>)`,
      );
    }
    const body = await readBody(req, MAX_EVENTS_BODY_BYTES);
    try {
      const result = ingestEventsBody(conn.sqlite, id, body);
      const status = result.errors.length > 0 && result.stored === 0 ? 400 : 200;
      return NextResponse.json(result, { status });
    } catch (e) {
      if (e instanceof BodyTooLargeError) throw new AppError('too_large', e.message);
      throw e;
    }
  });
}
