/**
 * GET /api/sweeps/:id's answer: the sweep, its runs and where they execute, redacted for a share link. The route
 * answers it, and the sweep pages seed their first render with it (app/components/page-data.ts).
 */
import { getSweep, redactSweep } from '../queries/runs';
import type { Viewer } from './auth';
import type { Context } from './context';
import { sweepPlacement } from './placement';

export function sweepAnswer(context: Context, id: string, viewer: Viewer) {
  const sweep = getSweep(context.conn.db, id);
  const placement = sweepPlacement(
    context,
    sweep.spec,
    sweep.runs.map((r) => r.id),
  );
  // A share link never sees a command sweep's program, command or environment.
  return { ...(viewer.role === 'share' ? redactSweep(sweep) : sweep), placement };
}
