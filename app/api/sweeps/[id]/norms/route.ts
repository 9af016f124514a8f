import { z } from 'zod';
import { requireRead } from '@/lib/server/auth';
import { getContext } from '@/lib/server/context';
import { handle } from '@/lib/server/http';
import { intParam, jsonWithNaN, parseQuery } from '@/lib/server/query';
import { notFound } from '@/lib/errors';
import { LAYER_NORM_QUANTITIES } from '@/lib/protocol';
import { normAggregates } from '@/lib/queries/norms';
import { sweepRunIds } from '@/lib/queries/run-details';

export const dynamic = 'force-dynamic';

const query = z
  .object({
    quantity: z.enum(LAYER_NORM_QUANTITIES).default('trainable'),
    agg: z.enum(['mean', 'last', 'step']).default('mean'),
    step: intParam(0, Number.MAX_SAFE_INTEGER).optional(),
  })
  .refine((q) => q.agg !== 'step' || q.step !== undefined, { message: 'agg=step needs step=N', path: ['step'] });

/** Per-layer-group norms of every fine-tuning run of the sweep (the inputs of the paper's Figure 2). */
export async function GET(req: Request, ctx: { params: Promise<{ id: string }> }) {
  return handle(async () => {
    const { id } = await ctx.params;
    requireRead(req, { sweepId: id });
    const q = parseQuery(req.url, query);
    const { sqlite } = getContext().conn;
    const ids = sweepRunIds(sqlite, id);
    if (!ids) throw notFound(`sweep ${id}`);
    const runs = ids.map((runId) => ({ runId, groups: normAggregates(sqlite, runId, q.quantity, q.agg, q.step) }));
    return jsonWithNaN({ sweepId: id, quantity: q.quantity, agg: q.agg, step: q.step ?? null, runs });
  });
}
