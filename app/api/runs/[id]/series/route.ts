import { z } from 'zod';
import { seriesPoints } from '@/lib/queries/series';
import { intParam } from '@/lib/server/query';
import { runReadRoute } from '@/lib/server/read-route';

export const dynamic = 'force-dynamic';

const query = z.object({
  key: z.string().min(1).max(200),
  points: intParam(1, 10_000).default(500),
  from: intParam(0, Number.MAX_SAFE_INTEGER).optional(),
  to: intParam(0, Number.MAX_SAFE_INTEGER).optional(),
});

/** One series downsampled to at most `points` buckets, each with min, max and mean (spikes survive). */
export const GET = runReadRoute(query, (run, q, { conn }) => seriesPoints(conn.sqlite, run.id, q.key, q));
