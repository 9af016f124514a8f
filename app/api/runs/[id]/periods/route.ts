import { z } from 'zod';
import { normGroups } from '@/lib/queries/norms';
import { runPeriods } from '@/lib/queries/run-details';
import { runReadRoute } from '@/lib/server/read-route';
import { blocksFromGroups } from '@/lib/views/timeline';

export const dynamic = 'force-dynamic';

/** The run's LISA periods: first step and active block indices per period, and the model's block count. */
export const GET = runReadRoute(z.object({}), (run, _q, { conn }) => ({
  runId: run.id,
  totalSteps: run.totalSteps,
  blocks: blocksFromGroups(normGroups(conn.sqlite, run.id).map((g) => g.name)),
  periods: runPeriods(conn.sqlite, run.id),
}));
