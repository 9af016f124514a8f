import { NextResponse } from 'next/server';
import { z } from 'zod';
import { notFound } from '@/lib/errors';
import { registerExternalRun } from '@/lib/ingest/http';
import { sweepExists } from '@/lib/queries/runs';
import { requireAdmin } from '@/lib/server/auth';
import { parseJsonBody } from '@/lib/server/body';
import { getContext } from '@/lib/server/context';
import { handle } from '@/lib/server/http';

export const dynamic = 'force-dynamic';

const registerBody = z
  .object({
    label: z.string().min(1).max(200).optional(),
    sweepId: z.string().max(64).nullable().optional(),
    kind: z.enum(['external', 'full', 'lora', 'lisa', 'pretrain']).optional(),
    config: z.record(z.string(), z.unknown()).optional(),
  })
  .strict();

/** Register a run that a trainer elsewhere feeds over HTTP: returns its id and a bearer token, once. */
export async function POST(req: Request) {
  return handle(async () => {
    requireAdmin(req);
    const input = await parseJsonBody(req, registerBody, 64 * 1024, { blank: {}, invalid: 'invalid run registration' });
    const { conn } = getContext();
    if (input.sweepId && !sweepExists(conn.sqlite, input.sweepId)) throw notFound(`sweep ${input.sweepId}`);
    return NextResponse.json(registerExternalRun(conn.db, input), { status: 201 });
  });
}
