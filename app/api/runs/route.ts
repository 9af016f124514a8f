import { NextResponse } from 'next/server';
import { z } from 'zod';
import { AppError } from '@/lib/errors';
import { registerExternalRun } from '@/lib/ingest/http';
import { requireAdmin } from '@/lib/server/auth';
import { getContext } from '@/lib/server/context';
import { handle, readBody } from '@/lib/server/http';

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
    const text = await readBody(req, 64 * 1024);
    let raw: unknown;
    try {
      raw = text.trim() ? JSON.parse(text) : {};
    } catch {
      throw new AppError('bad_request', 'body is not valid JSON');
    }
    const parsed = registerBody.safeParse(raw);
    if (!parsed.success) {
      const problems = parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
      throw new AppError('bad_request', 'invalid run registration', problems);
    }
    const { conn } = getContext();
    if (parsed.data.sweepId) {
      const exists = conn.sqlite.prepare('SELECT 1 FROM sweeps WHERE id = ?').get(parsed.data.sweepId);
      if (!exists) throw new AppError('not_found', `sweep ${parsed.data.sweepId} not found`);
    }
    return NextResponse.json(registerExternalRun(conn.db, parsed.data), { status: 201 });
  });
}
