import { z } from 'zod';
import { runPeriods } from '@/lib/queries/run-details';
import { sweepReadRoute } from '@/lib/server/read-route';

export const dynamic = 'force-dynamic';

/** LISA periods (active blocks per period) of every fine-tuning run of the sweep; non-LISA runs have none. */
export const GET = sweepReadRoute(z.object({}), (sweepId, runIds, _q, { conn }) => ({
  sweepId,
  runs: runIds.map((runId) => ({ runId, periods: runPeriods(conn.sqlite, runId) })),
}));
