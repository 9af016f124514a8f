import { z } from 'zod';
import { LAYER_NORM_QUANTITIES } from '@/lib/protocol';
import { normAggregates, normMatrix } from '@/lib/queries/norms';
import { getRun } from '@/lib/runs/read';
import { requireRead } from '@/lib/server/auth';
import { getContext } from '@/lib/server/context';
import { handle } from '@/lib/server/http';
import { intParam, jsonWithNaN, parseQuery } from '@/lib/server/query';

export const dynamic = 'force-dynamic';

const query = z
  .object({
    quantity: z.enum(LAYER_NORM_QUANTITIES).default('weight'),
    agg: z.enum(['mean', 'last', 'step', 'matrix']).default('mean'),
    step: intParam(0, Number.MAX_SAFE_INTEGER).optional(),
    points: intParam(1, 2000).default(200),
    modules: z.enum(['0', '1']).default('0'),
  })
  .refine((q) => q.agg !== 'step' || q.step !== undefined, { message: "agg=step needs step=N", path: ['step'] });

/** Per-layer-group norms: one value per group (mean over steps, last, or at step N), or the groups × steps matrix. */
export async function GET(req: Request, ctx: { params: Promise<{ id: string }> }) {
  return handle(async () => {
    const { id } = await ctx.params;
    requireRead(req, { runId: id });
    const q = parseQuery(req.url, query);
    const { conn } = getContext();
    getRun(conn.db, id);
    const modules = q.modules === '1';
    if (q.agg === 'matrix') return jsonWithNaN(normMatrix(conn.sqlite, id, q.quantity, { modules, points: q.points }));
    return jsonWithNaN({ runId: id, quantity: q.quantity, agg: q.agg, groups: normAggregates(conn.sqlite, id, q.quantity, q.agg, q.step, { modules }) });
  });
}
