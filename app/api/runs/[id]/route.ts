import { z } from 'zod';
import { runReadRoute } from '@/lib/server/read-route';

export const dynamic = 'force-dynamic';

/** One run: config, status, backend, GPU use, latest values, summary, and where it executes (`placement`). */
export const GET = runReadRoute(z.object({}), (run, _q, ctx) => ({
  ...run,
  placement: ctx.scheduler.placement(run.id),
}));
