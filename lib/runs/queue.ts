/**
 * The scheduler's view of the runs table: the runs it watches and launches, and what the lifecycle decides
 * when a trainer is gone or a base run has ended. Every status write goes through lifecycle.ts.
 */
import type Database from 'better-sqlite3';
import { releaseProcess, statusOf, transition, tryTransition } from './lifecycle';
import { type ExitRecord, STDERR_LOG } from './layout';

export interface QueueRow {
  id: string;
  status: string;
  dir: string | null;
  pid: number | null;
  slot: string | null;
  attempts: number;
  dependsOn: string | null;
  /** The resolved trainer config as JSON. */
  config: string;
  /** Its sweep spec's `executor` section as JSON (docs/sweep-spec.md); null when the sweep has none. */
  executor: string | null;
}

function rows(sqlite: Database.Database, where: string, ...params: unknown[]): QueueRow[] {
  return sqlite
    .prepare(
      'SELECT id, status, dir, pid, slot, attempts, depends_on AS dependsOn, config, ' +
        "(SELECT json_extract(s.spec, '$.executor') FROM sweeps s WHERE s.id = runs.sweep_id) AS executor FROM runs " +
        `WHERE ${where} ORDER BY created_at, rowid`,
    )
    .all(...params) as QueueRow[];
}

/**
 * Running runs whose trainer the scheduler launched and watches, oldest first. External runs (no folder) are
 * not among them: their trainer is not the scheduler's, so a server restart does not take them for dead.
 */
export const runningRuns = (sqlite: Database.Database): QueueRow[] =>
  rows(sqlite, `status = 'running' AND dir IS NOT NULL`);

/**
 * Runs their trainer's own `cancelled` event ended while its job may still be there (their process id is kept
 * until it is gone): a cluster that requeues a job sends the trainer SIGTERM first, then starts it again.
 */
export const lingeringRuns = (sqlite: Database.Database): QueueRow[] =>
  rows(sqlite, `status = 'cancelled' AND pid IS NOT NULL AND dir IS NOT NULL`);

/** Queued runs with a folder (external runs have none: nothing to launch), oldest first. */
export const launchableRuns = (sqlite: Database.Database): QueueRow[] =>
  rows(sqlite, `status = 'queued' AND dir IS NOT NULL`);

export const queueRow = (sqlite: Database.Database, runId: string): QueueRow | undefined =>
  rows(sqlite, 'id = ?', runId)[0];

/** Slots held by running runs. */
export function busySlots(sqlite: Database.Database): Set<string | null> {
  return new Set(rows(sqlite, `status = 'running' AND slot IS NOT NULL`).map((r) => r.slot));
}

/**
 * Whether a run may launch as far as its base run goes: no base or a finished one → 'ready'; a base still
 * queued or running (or not found) → 'wait'; a base that ended otherwise refuses the run (it is failed here).
 */
export function awaitBase(sqlite: Database.Database, run: QueueRow): 'ready' | 'wait' | 'refused' {
  if (!run.dependsOn) return 'ready';
  const base = statusOf(sqlite, run.dependsOn);
  if (!base || base === 'queued' || base === 'running') return 'wait';
  if (base === 'finished') return 'ready';
  tryTransition(sqlite, run.id, 'refuse', { message: `its base run ${run.dependsOn} ended ${base}` });
  return 'refused';
}

export type TrainerGone =
  /** The run had already ended (its events said how), or it is being cancelled: only the process is forgotten. */
  | { outcome: 'released' }
  /** No terminal event and attempts left: queued again. */
  | { outcome: 'retried'; attempts: number }
  /** No terminal event, attempts spent: failed. */
  | { outcome: 'failed'; attempts: number }
  /** A command run without a terminal event: its exit code said how it ended (no retries). */
  | { outcome: 'exited'; status: 'finished' | 'failed'; message?: string }
  /** No terminal event, and the cluster ended the job for good (time limit, out of memory, cancelled there). */
  | { outcome: 'ended'; status: 'failed' | 'cancelled'; message: string };

/**
 * How a cluster executor's job ended, when the run's program wrote no terminal event (Slurm: slurmJobEnd, in
 * lib/scheduler/slurm-status.ts): `resume` from the last checkpoint (bounded attempts), `fail` with a reason a
 * relaunch would meet again (`timeout` stays resumable by hand), or `cancel` (cancelled outside LayerLab).
 */
export type JobEnd =
  /** `cluster`: the cluster stopped it (node failure, preemption), so a cancelled event it wrote is no user's. */
  | { outcome: 'resume'; message: string; cluster: boolean }
  | { outcome: 'fail'; reason: 'timeout' | 'oom' | 'error'; message: string }
  | { outcome: 'cancel'; message: string };

/** How a command run's program ended, for `trainerGone`: its exit record (null: none) and its stderr's tail. */
export interface ProgramExit {
  record: ExitRecord | null;
  stderrTail: string;
}

/** The failure message of a program that did not exit 0. */
export function exitMessage(exit: ProgramExit): string {
  const { record } = exit;
  const how = !record
    ? 'ended without an exit record (its wrapper was killed)'
    : record.error
      ? `could not be started (${record.error})`
      : record.signal
        ? `was killed by ${record.signal}`
        : `exited with code ${record.code}`;
  const tail = exit.stderrTail.trim();
  return `the program ${how}${tail ? `; stderr ends: ${tail}` : ` (nothing on stderr; see ${STDERR_LOG})`}`;
}

/**
 * The run's trainer process is gone and what it wrote has been ingested. `cancelling`: its exit was asked for.
 * `exit`: a command run's program: its exit code is its status when it wrote no terminal event (0 finished, else
 * failed with its stderr's tail), and it is never retried. `jobEnd`: how the cluster ended the job (a `fail` or
 * `cancel` outranks the exit code). Null when the run no longer exists.
 */
export function trainerGone(
  sqlite: Database.Database,
  runId: string,
  opts: { maxAttempts: number; cancelling: boolean; exit?: ProgramExit; jobEnd?: JobEnd },
): TrainerGone | null {
  const run = queueRow(sqlite, runId);
  if (!run) return null;
  if (run.status !== 'running' || opts.cancelling) {
    releaseProcess(sqlite, runId);
    return { outcome: 'released' };
  }
  const end = opts.jobEnd;
  if (end?.outcome === 'fail') {
    transition(sqlite, runId, 'job-ended', { reason: end.reason, message: end.message });
    return { outcome: 'ended', status: 'failed', message: end.message };
  }
  if (end?.outcome === 'cancel') {
    transition(sqlite, runId, 'cancel', {});
    return { outcome: 'ended', status: 'cancelled', message: end.message };
  }
  if (opts.exit) {
    if (opts.exit.record?.code === 0) {
      transition(sqlite, runId, 'exited-ok', {});
      return { outcome: 'exited', status: 'finished' };
    }
    const message = exitMessage(opts.exit);
    transition(sqlite, runId, 'exited-failing', { message });
    return { outcome: 'exited', status: 'failed', message };
  }
  if (run.attempts < opts.maxAttempts) {
    transition(sqlite, runId, 'retry', {});
    return { outcome: 'retried', attempts: run.attempts };
  }
  const died = `the trainer died ${run.attempts} times without finishing${end ? ` (last: ${end.message})` : ''}`;
  const message = `${died}; see ${STDERR_LOG} in the run folder`;
  transition(sqlite, runId, 'give-up', { message });
  return { outcome: 'failed', attempts: run.attempts };
}
