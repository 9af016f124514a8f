import { requireRead } from '@/lib/server/auth';
import { getContext } from '@/lib/server/context';
import { handle } from '@/lib/server/http';
import { jsonWithNaN } from '@/lib/server/query';
import { notFound } from '@/lib/errors';
import { runPeriods, sweepRunIds } from '@/lib/queries/run-details';

export const dynamic = 'force-dynamic';

/** LISA periods (active blocks per period) of every fine-tuning run of the sweep; non-LISA runs have none. */
export async function GET(req: Request, ctx: { params: Promise<{ id: string }> }) {
  return handle(async () => {
    const { id } = await ctx.params;
    requireRead(req, { sweepId: id });
    const { sqlite } = getContext().conn;
    const ids = sweepRunIds(sqlite, id);
    if (!ids) throw notFound(`sweep ${id}`);
    return jsonWithNaN({ sweepId: id, runs: ids.map((runId) => ({ runId, periods: runPeriods(sqlite, runId) })) });
  });
}
