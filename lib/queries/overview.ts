/**
 * Reads for the overview page (/): sweeps with per-status run counts and step totals, and the most recent runs
 * with progress.
 */
import type Database from 'better-sqlite3';
import { desc, eq, sql } from 'drizzle-orm';
import type { Db } from '../../db';
import { runs, sweeps, type RunStatus } from '../../db/schema';

export interface SweepRow {
  id: string;
  name: string;
  createdAt: string;
  /** The sweep's fine-tuning runs, as its header counts them; the pretrain base is counted apart. */
  total: number;
  /** Every run per status, the pretrain base included (total + pretrain in all). */
  counts: Partial<Record<RunStatus, number>>;
  /** Pretrain runs (the shared base checkpoint): 0 or 1. */
  pretrain: number;
}

export interface RunRow {
  id: string;
  sweepId: string | null;
  /** Its sweep's name, so two "Full seed 2" rows of different sweeps tell apart; null without a sweep. */
  sweepName: string | null;
  label: string;
  kind: string;
  status: RunStatus;
  lastStep: number | null;
  totalSteps: number | null;
  startedAt: string | null;
  finishedAt: string | null;
  createdAt: string;
}

export function listSweeps(db: Db, limit = 50): SweepRow[] {
  const rows = db.select().from(sweeps).orderBy(desc(sweeps.createdAt)).limit(limit).all();
  if (rows.length === 0) return [];
  const isPretrain = sql<number>`${runs.kind} = 'pretrain'`;
  const counts = db
    .select({ sweepId: runs.sweepId, status: runs.status, pretrain: isPretrain, n: sql<number>`count(*)` })
    .from(runs)
    .where(
      sql`${runs.sweepId} IN (${sql.join(
        rows.map((r) => sql`${r.id}`),
        sql`, `,
      )})`,
    )
    .groupBy(runs.sweepId, runs.status, isPretrain)
    .all();
  return rows.map((s) => {
    const mine = counts.filter((c) => c.sweepId === s.id);
    const byStatus: Partial<Record<RunStatus, number>> = {};
    for (const c of mine) byStatus[c.status] = (byStatus[c.status] ?? 0) + c.n;
    const pretrain = mine.filter((c) => c.pretrain).reduce((a, c) => a + c.n, 0);
    return {
      id: s.id,
      name: s.name,
      createdAt: s.createdAt,
      total: mine.reduce((a, c) => a + c.n, 0) - pretrain,
      counts: byStatus,
      pretrain,
    };
  });
}

export function listRecentRuns(db: Db, limit = 20): RunRow[] {
  return db
    .select({
      id: runs.id,
      sweepId: runs.sweepId,
      sweepName: sweeps.name,
      label: runs.label,
      kind: runs.kind,
      status: runs.status,
      lastStep: runs.lastStep,
      totalSteps: runs.totalSteps,
      startedAt: runs.startedAt,
      finishedAt: runs.finishedAt,
      createdAt: runs.createdAt,
    })
    .from(runs)
    .leftJoin(sweeps, eq(sweeps.id, runs.sweepId))
    .orderBy(desc(runs.createdAt))
    .limit(limit)
    .all();
}

export interface SweepSteps {
  id: string;
  /** Steps done and planned over the sweep's runs (a run without a count adds 0). */
  done: number;
  total: number;
  /** The earliest start of any of its runs. */
  started: string | null;
}

/** Step totals of every sweep, by sweep id. */
export function sweepStepTotals(sqlite: Database.Database): Map<string, SweepSteps> {
  const rows = sqlite
    .prepare(
      'SELECT sweep_id AS id, total(coalesce(last_step, 0)) AS done, total(coalesce(total_steps, 0)) AS total, ' +
        'min(started_at) AS started FROM runs WHERE sweep_id IS NOT NULL GROUP BY sweep_id',
    )
    .all() as SweepSteps[];
  return new Map(rows.map((r) => [r.id, r]));
}
