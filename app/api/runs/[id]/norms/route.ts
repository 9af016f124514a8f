import { z } from 'zod';
import { LAYER_NORM_QUANTITIES } from '@/lib/protocol';
import { normAggregates, normMatrix } from '@/lib/queries/norms';
import { intParam } from '@/lib/server/query';
import { runReadRoute } from '@/lib/server/read-route';

export const dynamic = 'force-dynamic';

const query = z
  .object({
    quantity: z.enum(LAYER_NORM_QUANTITIES).default('weight'),
    agg: z.enum(['mean', 'last', 'step', 'matrix']).default('mean'),
    step: intParam(0, Number.MAX_SAFE_INTEGER).optional(),
    points: intParam(1, 2000).default(200),
    modules: z.enum(['0', '1']).default('0'),
  })
  .refine((q) => q.agg !== 'step' || q.step !== undefined, { message: 'agg=step needs step=N', path: ['step'] });

/** Per-layer-group norms: one value per group (mean over steps, last, or at step N), or the groups × steps matrix. */
export const GET = runReadRoute(query, (run, q, { conn }) => {
  const modules = q.modules === '1';
  if (q.agg === 'matrix') return normMatrix(conn.sqlite, run.id, q.quantity, { modules, points: q.points });
  return {
    runId: run.id,
    quantity: q.quantity,
    agg: q.agg,
    groups: normAggregates(conn.sqlite, run.id, q.quantity, q.agg, q.step, { modules }),
  };
});
