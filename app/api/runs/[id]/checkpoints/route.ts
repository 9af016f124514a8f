import { z } from 'zod';
import { runCheckpoints } from '@/lib/queries/run-details';
import { runReadRoute } from '@/lib/server/read-route';

export const dynamic = 'force-dynamic';

/** The run's checkpoints: step, size, and what its folder holds of each now (latest, kept, superseded). */
export const GET = runReadRoute(z.object({}), (run, _q, { conn }) => ({
  runId: run.id,
  checkpoints: runCheckpoints(conn.sqlite, run.id, run.dir),
}));
