import { z } from 'zod';
import { runCard } from '@/lib/queries/run-card';
import { runReadRoute } from '@/lib/server/read-route';

export const dynamic = 'force-dynamic';

/** The run page's summary card: final and best eval, tokens/s, peak memory, wall time, place in its sweep. */
export const GET = runReadRoute(z.object({}), (run, _q, ctx) => runCard(ctx.conn.sqlite, run.id));
