/**
 * Live updates, decided in one place: a view polls every `LIVE_MS` while a run it shows is queued or running,
 * and when a run reaches a final state every open view of that run and of its sweep refetches once — the
 * poll that saw the status change may have run before the last events were stored.
 */
import { LIVE_STATUSES } from './types';

export const LIVE_MS = 2000;
export const FINAL_STATUSES = ['finished', 'failed', 'cancelled', 'diverged'];

export interface RunState {
  id: string;
  status: string;
  sweepId?: string | null;
}

/** How often a view refetches: every `LIVE_MS` while live, never otherwise. */
export function liveInterval(live: boolean): number | false {
  return live ? LIVE_MS : false;
}

/** Remembers the last status seen of each run and reports the runs that went from live to final. */
export class RunEndWatch {
  private readonly seen = new Map<string, string>();

  /** Runs in `runs` that were live when last seen and are final now (a run first seen final is not news). */
  observe(runs: readonly RunState[]): RunState[] {
    const ended: RunState[] = [];
    for (const r of runs) {
      const before = this.seen.get(r.id);
      this.seen.set(r.id, r.status);
      if (before !== undefined && LIVE_STATUSES.includes(before) && FINAL_STATUSES.includes(r.status)) ended.push(r);
    }
    return ended;
  }
}

/** The ids whose views refetch when `ended` runs end: the runs, their sweeps and the sweep they were seen in. */
export function endScope(ended: readonly RunState[], sweepId: string | null = null): Set<string> {
  const ids = new Set<string>();
  for (const r of ended) {
    ids.add(r.id);
    if (r.sweepId) ids.add(r.sweepId);
  }
  if (sweepId && ended.length > 0) ids.add(sweepId);
  return ids;
}
