import { z } from 'zod';
import { requireRead } from '@/lib/server/auth';
import { getContext } from '@/lib/server/context';
import { handle } from '@/lib/server/http';
import { jsonWithNaN, parseQuery } from '@/lib/server/query';
import { getRun } from '@/lib/runs/read';
import { normGroups } from '@/lib/queries/norms';
import { runPeriods } from '@/lib/queries/run-details';
import { blocksFromGroups } from '@/lib/views/timeline';

export const dynamic = 'force-dynamic';

const query = z.object({});

/** The run's LISA periods: first step and active block indices per period, and the model's block count. */
export async function GET(req: Request, ctx: { params: Promise<{ id: string }> }) {
  return handle(async () => {
    const { id } = await ctx.params;
    requireRead(req, { runId: id });
    parseQuery(req.url, query);
    const { conn } = getContext();
    const run = getRun(conn.db, id);
    const blocks = blocksFromGroups(normGroups(conn.sqlite, id).map((g) => g.name));
    return jsonWithNaN({ runId: id, totalSteps: run.totalSteps, blocks, periods: runPeriods(conn.sqlite, id) });
  });
}
