/**
 * The shape every read route shares: resolve the `:id`, check that the viewer may read that run or sweep
 * (admin, or a share link covering it), validate the query, 404 an unknown run, answer JSON with NaN kept.
 */
import type { z } from 'zod';
import { notFound } from '../errors';
import { sweepRunIds } from '../queries/run-details';
import { getRun, redactRun, type RunRecord } from '../queries/runs';
import { requireRead, viewerOf } from './auth';
import { getContext, type Context } from './context';
import { handle } from './http';
import { jsonWithNaN, parseQuery } from './query';

type RouteContext = { params: Promise<{ id: string }> };

/** GET handler for `/api/runs/:id/…`: `answer` gets the run (known to exist) and the validated query. */
export function runReadRoute<Q extends z.ZodType>(
  query: Q,
  answer: (run: RunRecord, q: z.infer<Q>, ctx: Context) => unknown,
) {
  return (req: Request, route: RouteContext) =>
    handle(async () => {
      const { id } = await route.params;
      requireRead(req, { runId: id });
      const q = parseQuery(req.url, query);
      const ctx = getContext();
      const run = getRun(ctx.conn.db, id);
      // A share link never sees a command run's command, working folder or environment.
      return jsonWithNaN(answer(viewerOf(req).role === 'share' ? redactRun(run) : run, q, ctx));
    });
}

/**
 * GET handler for `/api/sweeps/:id/…`: `answer` gets the ids of the sweep's fine-tuning runs (404 for an unknown
 * sweep).
 */
export function sweepReadRoute<Q extends z.ZodType>(
  query: Q,
  answer: (sweepId: string, runIds: string[], q: z.infer<Q>, ctx: Context) => unknown,
) {
  return (req: Request, route: RouteContext) =>
    handle(async () => {
      const { id } = await route.params;
      requireRead(req, { sweepId: id });
      const q = parseQuery(req.url, query);
      const ctx = getContext();
      const runIds = sweepRunIds(ctx.conn.sqlite, id);
      if (!runIds) throw notFound(`sweep ${id}`);
      return jsonWithNaN(answer(id, runIds, q, ctx));
    });
}
