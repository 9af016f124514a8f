import { z } from 'zod';
import { LAYER_NORM_QUANTITIES } from '@/lib/protocol';
import { sweepNorms } from '@/lib/queries/norms';
import { intParam } from '@/lib/server/query';
import { sweepReadRoute } from '@/lib/server/read-route';

export const dynamic = 'force-dynamic';

const query = z
  .object({
    quantity: z.enum(LAYER_NORM_QUANTITIES).default('trainable'),
    agg: z.enum(['mean', 'last', 'step']).default('mean'),
    step: intParam(0, Number.MAX_SAFE_INTEGER).optional(),
  })
  .refine((q) => q.agg !== 'step' || q.step !== undefined, { message: 'agg=step needs step=N', path: ['step'] });

/** Per-layer-group norms of every fine-tuning run of the sweep (the inputs of the paper's Figure 2). */
export const GET = sweepReadRoute(query, (sweepId, runIds, q, { conn }) =>
  sweepNorms(conn.sqlite, sweepId, runIds, q.quantity, q.agg, q.step),
);
