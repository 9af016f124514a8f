import { NextResponse } from 'next/server';
import { z } from 'zod';
import { notFound } from '@/lib/errors';
import { registerExternalRun } from '@/lib/ingest/http';
import { RUN_KINDS } from '@/lib/protocol/config';
import { sweepExists } from '@/lib/queries/runs';
import { RUNS_TABLE_MAX_LIMIT, runsTable } from '@/lib/queries/runs-table';
import { requireAdmin, requireRead } from '@/lib/server/auth';
import { parseJsonBody } from '@/lib/server/body';
import { getContext } from '@/lib/server/context';
import { handle } from '@/lib/server/http';
import { intParam, jsonWithNaN, parseQuery } from '@/lib/server/query';

export const dynamic = 'force-dynamic';

const registerBody = z
  .object({
    label: z.string().min(1).max(200).optional(),
    sweepId: z.string().max(64).nullable().optional(),
    kind: z.enum(RUN_KINDS).optional(),
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

const list = z
  .string()
  .max(4000)
  .transform((s) =>
    s
      .split(',')
      .map((x) => x.trim())
      .filter(Boolean),
  );
const tableQuery = z
  .object({
    status: list.optional(),
    method: list.optional(),
    sweep: list.optional(),
    tags: list.optional(),
    q: z.string().max(200).optional(),
    where: z.string().max(4000).optional(),
    sort: z.string().max(300).optional(),
    dir: z.enum(['asc', 'desc']).optional(),
    columns: list.optional(),
    limit: intParam(1, RUNS_TABLE_MAX_LIMIT).optional(),
    offset: intParam(0, 10_000_000).optional(),
  })
  .strict();

/** The runs table: every run, filtered and sorted in SQL, with chosen columns (lib/queries/runs-table.ts). */
export async function GET(req: Request) {
  return handle(async () => {
    requireRead(req, {}); // the admin's: a share link covers one view, not every run
    return jsonWithNaN(runsTable(getContext().conn.sqlite, parseQuery(req.url, tableQuery)));
  });
}
