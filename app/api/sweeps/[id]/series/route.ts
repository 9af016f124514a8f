import { z } from 'zod';
import { seriesForRuns } from '@/lib/queries/series';
import { intParam } from '@/lib/server/query';
import { sweepReadRoute } from '@/lib/server/read-route';

export const dynamic = 'force-dynamic';

const query = z.object({
  key: z.string().min(1).max(200),
  points: intParam(1, 5_000).default(300),
});

/** One key for every fine-tuning run of the sweep on one shared bucket grid (for seed bands). */
export const GET = sweepReadRoute(query, (_id, runIds, q, { conn }) =>
  seriesForRuns(conn.sqlite, runIds, q.key, q.points),
);
