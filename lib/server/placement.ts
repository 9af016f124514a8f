/**
 * Where a sweep's runs execute, for its header: the executor (a sweep's `executor.kind`, else the server's
 * default), whether it is reachable ("Slurm unreachable" with Slurm's message), and the job of each run that has
 * one (id, state, reason). Read from the scheduler; nothing here asks the executor to do anything.
 */
import type { Placement } from '../scheduler/scheduler';
import type { Context } from './context';

export interface SweepPlacement {
  executor: string;
  unreachable?: string;
  jobs: { runId: string; id: string; state: string; reason: string | null }[];
}

export function sweepPlacement(ctx: Context, spec: unknown, runIds: string[]): SweepPlacement {
  const kind = (spec as { executor?: { kind?: string } } | null)?.executor?.kind ?? ctx.scheduler.defaultExecutor;
  const placements = runIds
    .map((runId) => ({ runId, p: ctx.scheduler.placement(runId) }))
    .filter((x): x is { runId: string; p: Placement } => x.p !== null);
  const unreachable = placements.find((x) => x.p.unreachable)?.p.unreachable;
  return {
    executor: kind,
    ...(unreachable ? { unreachable } : {}),
    jobs: placements.flatMap(({ runId, p }) => (p.job ? [{ runId, ...p.job }] : [])),
  };
}
