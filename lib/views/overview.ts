/**
 * What the live overview page (/) shows: sweeps with run counts, step progress and a rough ETA, and the recent
 * runs with theirs. Built from the reads in lib/queries/overview.
 */
import type Database from 'better-sqlite3';
import type { Db } from '../../db';
import { eta } from '../format';
import { listRecentRuns, listSweeps, type RunRow, type SweepRow, sweepStepTotals } from '../queries/overview';

export interface LiveSweep extends SweepRow {
  stepsDone: number;
  stepsTotal: number;
  /** Remaining milliseconds by linear extrapolation since the first run started; null when done or unknown. */
  etaMs: number | null;
}

export interface LiveRun extends RunRow {
  etaMs: number | null;
}

export interface Overview {
  now: string;
  sweeps: LiveSweep[];
  runs: LiveRun[];
  /** Whether anything is queued or running (the page polls faster then). */
  active: boolean;
}

const ACTIVE = new Set(['queued', 'running']);

/** Sweep ETA: elapsed × remaining / done steps, from the earliest start; null once nothing is left. */
export function sweepEta(
  startedAt: string | null,
  done: number,
  total: number,
  active: boolean,
  now: number,
): number | null {
  if (!active || !startedAt || done <= 0 || total <= done) return null;
  return ((now - Date.parse(startedAt)) / done) * (total - done);
}

export function overviewData(db: Db, sqlite: Database.Database, now = Date.now()): Overview {
  const sweeps = listSweeps(db);
  const runs = listRecentRuns(db, 30);
  const steps = sweepStepTotals(sqlite);
  const liveSweeps = sweeps.map((s) => {
    const st = steps.get(s.id);
    const active = (s.counts.queued ?? 0) + (s.counts.running ?? 0) > 0;
    const done = Math.min(st?.done ?? 0, st?.total ?? 0);
    return {
      ...s,
      stepsDone: done,
      stepsTotal: st?.total ?? 0,
      etaMs: sweepEta(st?.started ?? null, done, st?.total ?? 0, active, now),
    };
  });
  const rank = (st: string) => (st === 'running' ? 0 : 1);
  const liveRuns = [...runs]
    .sort((a, b) => rank(a.status) - rank(b.status))
    .map((r) => ({ ...r, etaMs: r.status === 'running' ? eta(r.startedAt, r.lastStep, r.totalSteps, now) : null }));
  return {
    now: new Date(now).toISOString(),
    sweeps: liveSweeps,
    runs: liveRuns,
    active:
      runs.some((r) => ACTIVE.has(r.status)) || liveSweeps.some((s) => s.etaMs !== null || (s.counts.queued ?? 0) > 0),
  };
}
