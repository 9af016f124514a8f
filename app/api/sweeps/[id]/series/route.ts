import { z } from 'zod';
import { requireRead } from '@/lib/server/auth';
import { getContext } from '@/lib/server/context';
import { handle } from '@/lib/server/http';
import { intParam, jsonWithNaN, parseQuery } from '@/lib/server/query';
import { notFound } from '@/lib/errors';
import { seriesForRuns } from '@/lib/queries/series';
import { sweepRunIds } from '@/lib/queries/run-details';

export const dynamic = 'force-dynamic';

const query = z.object({
  key: z.string().min(1).max(200),
  points: intParam(1, 5_000).default(300),
});

/** One key for every fine-tuning run of the sweep on one shared bucket grid (for seed bands). */
export async function GET(req: Request, ctx: { params: Promise<{ id: string }> }) {
  return handle(async () => {
    const { id } = await ctx.params;
    requireRead(req, { sweepId: id });
    const q = parseQuery(req.url, query);
    const { sqlite } = getContext().conn;
    const ids = sweepRunIds(sqlite, id);
    if (!ids) throw notFound(`sweep ${id}`);
    return jsonWithNaN(seriesForRuns(sqlite, ids, q.key, q.points));
  });
}
