import { z } from 'zod';
import { requireRead } from '@/lib/server/auth';
import { getContext } from '@/lib/server/context';
import { handle } from '@/lib/server/http';
import { intParam, jsonWithNaN, parseQuery } from '@/lib/server/query';
import { getRun } from '@/lib/runs/read';
import { runLogs } from '@/lib/queries/run-details';

export const dynamic = 'force-dynamic';

const query = z.object({
  limit: intParam(1, 2_000).default(200),
  bytes: intParam(1, 1_048_576).default(16_384),
});

/** The run's last log events and the tail of its stderr (human-readable progress). */
export async function GET(req: Request, ctx: { params: Promise<{ id: string }> }) {
  return handle(async () => {
    const { id } = await ctx.params;
    requireRead(req, { runId: id });
    const q = parseQuery(req.url, query);
    const { conn } = getContext();
    const run = getRun(conn.db, id);
    return jsonWithNaN({ runId: id, ...runLogs(conn.sqlite, id, run.dir, q.limit, q.bytes) });
  });
}
