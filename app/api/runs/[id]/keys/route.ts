import { z } from 'zod';
import { seriesKeys } from '@/lib/queries/series';
import { runReadRoute } from '@/lib/server/read-route';

export const dynamic = 'force-dynamic';

/** The run's metric keys with their latest step and value. */
export const GET = runReadRoute(z.object({}), (run, _q, { conn }) => ({
  runId: run.id,
  keys: seriesKeys(conn.sqlite, run.id),
}));
