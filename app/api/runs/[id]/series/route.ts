import { z } from 'zod';
import { seriesPoints } from '@/lib/queries/series';
import { getRun } from '@/lib/runs/read';
import { requireRead } from '@/lib/server/auth';
import { getContext } from '@/lib/server/context';
import { handle } from '@/lib/server/http';
import { intParam, jsonWithNaN, parseQuery } from '@/lib/server/query';

export const dynamic = 'force-dynamic';

const query = z.object({
  key: z.string().min(1).max(200),
  points: intParam(1, 10_000).default(500),
  from: intParam(0, Number.MAX_SAFE_INTEGER).optional(),
  to: intParam(0, Number.MAX_SAFE_INTEGER).optional(),
});

/** One series downsampled to at most `points` buckets, each with min, max and mean (spikes survive). */
export async function GET(req: Request, ctx: { params: Promise<{ id: string }> }) {
  return handle(async () => {
    const { id } = await ctx.params;
    requireRead(req, { runId: id });
    const q = parseQuery(req.url, query);
    const { conn } = getContext();
    getRun(conn.db, id);
    return jsonWithNaN(seriesPoints(conn.sqlite, id, q.key, q));
  });
}
