/**
 * A run's status has one owner: every write of `runs.status`, and the creation of every run row, is here.
 * The write path applies the trainer's events through it, the scheduler its decisions; nothing else writes
 * `status`.
 *
 * TRANSITIONS is the whole lifecycle as data: queued → running → finished | failed | diverged | cancelled,
 * and back to queued on a retry or a user's resume. Causes in the past tense are what the trainer's events
 * report; imperative ones are what the server decides. A cause whose run is in a status its row does not list
 * is refused and nothing is written: `transition` throws a TransitionError naming the run, both statuses and
 * the cause; `tryTransition` returns false. The guard is part of each UPDATE, so check and write are one
 * statement.
 */
import type Database from 'better-sqlite3';
import { RUN_STATUSES, type RunStatus } from '../../db/schema';
import { AppError, notFound } from '../errors';
import type { FAILURE_REASONS } from '../protocol';

/** A run that has not ended: it may be launched, or cancelled. */
export const ACTIVE_STATUSES = ['queued', 'running'] as const satisfies readonly RunStatus[];

export const TRANSITIONS = {
  /** The scheduler launched a trainer for the run in a slot. */
  claim: { from: ['queued'], to: 'running' },
  /** The trainer's run_started. Only an active run: a late one cannot undo a cancel. */
  started: { from: ACTIVE_STATUSES, to: 'running' },
  /** run_started of a resumed trainer (`resumedFrom`): it may reopen an ended run. */
  resumed: { from: RUN_STATUSES, to: 'running' },
  /** The trainer's terminal events are the run's record (the events file outranks its index): always applied. */
  finished: { from: RUN_STATUSES, to: 'finished' },
  /** A `failed` event with reason error or oom. */
  failed: { from: RUN_STATUSES, to: 'failed' },
  diverged: { from: RUN_STATUSES, to: 'diverged' },
  /** A `failed` event with reason cancelled: the trainer stopped on a signal. */
  cancelled: { from: RUN_STATUSES, to: 'cancelled' },
  /** Its trainer died without a terminal event and attempts are left: back to the queue. */
  retry: { from: ['running'], to: 'queued' },
  /** A command run's program exited 0 without a terminal event: its exit code is its status. */
  'exited-ok': { from: ['running'], to: 'finished' },
  /** A command run's program exited non-zero, or died of a signal the server did not send, without one. */
  'exited-failing': { from: ['running'], to: 'failed' },
  /** Its trainer died without a terminal event once too often. */
  'give-up': { from: ['running'], to: 'failed' },
  /**
   * The cluster ended its job without a terminal event, for a reason a relaunch would meet again (Slurm's time
   * limit: `timeout`, resumable; out of memory: `oom`), so it is not retried.
   */
  'job-ended': { from: ['running'], to: 'failed' },
  /**
   * The cluster requeued the job of a run its trainer's SIGTERM ended `cancelled` (Slurm at a node failure or
   * `scontrol requeue`): its job waits to start again and the trainer will resume, so the run still runs.
   */
  'job-requeued': { from: ['cancelled'], to: 'running' },
  /** The scheduler cannot launch it: its base run did not finish, or the trainer would not start. */
  refuse: { from: ['queued'], to: 'failed' },
  /** A user's cancel; also from cancelled, when the trainer reported its own cancellation first. */
  cancel: { from: ['queued', 'running', 'cancelled'], to: 'cancelled' },
  /** A user's resume (or retry) of an ended run: back to the queue, to continue from its last checkpoint. */
  requeue: { from: ['failed', 'cancelled', 'diverged'], to: 'queued' },
} as const satisfies Record<string, { from: readonly RunStatus[]; to: RunStatus }>;

export type Cause = keyof typeof TRANSITIONS;

interface StartParams {
  backend: string;
  gpu: 0 | 1;
  /** The event's time; the run's first start time is kept. */
  time: string;
  totalSteps: number | null;
  evalRecords: number | null;
  evalHash: string | null;
}
interface EndParams {
  reason: string;
  message: string;
  time: string;
}
type None = Record<string, never>;

export interface TransitionParams {
  claim: { pid: number; slot: string };
  started: StartParams;
  resumed: StartParams;
  finished: { summary: string; time: string };
  failed: EndParams;
  diverged: EndParams;
  cancelled: EndParams;
  retry: None;
  'exited-ok': None;
  'exited-failing': { message: string };
  'give-up': { message: string };
  'job-ended': { reason: 'timeout' | 'oom' | 'error'; message: string };
  'job-requeued': None;
  refuse: { message: string };
  cancel: None;
  requeue: None;
}

const NOW = "strftime('%Y-%m-%dT%H:%M:%fZ','now')";
const FINISHED_NOW = `finished_at = ${NOW}`;
const STARTED =
  'backend = @backend, gpu = @gpu, started_at = coalesce(started_at, @time), finished_at = NULL, ' +
  'failure_reason = NULL, failure_message = NULL, total_steps = coalesce(total_steps, @totalSteps), ' +
  'eval_records = coalesce(@evalRecords, eval_records), eval_hash = coalesce(@evalHash, eval_hash)';
const ENDED = 'failure_reason = @reason, failure_message = @message, finished_at = @time';

/** What each cause writes besides `status`. */
const EFFECTS: Record<Cause, string> = {
  claim:
    'pid = @pid, slot = @slot, attempts = attempts + 1, launches = launches + 1, ' +
    `started_at = coalesce(started_at, ${NOW})`,
  started: STARTED,
  resumed: STARTED,
  finished: 'summary = @summary, finished_at = @time',
  failed: ENDED,
  diverged: ENDED,
  cancelled: ENDED,
  retry: 'pid = NULL, slot = NULL',
  'exited-ok': `pid = NULL, slot = NULL, finished_at = ${NOW}`,
  'exited-failing': `pid = NULL, slot = NULL, failure_reason = 'error', failure_message = @message, ${FINISHED_NOW}`,
  'give-up': `pid = NULL, slot = NULL, failure_reason = 'error', failure_message = @message, finished_at = ${NOW}`,
  'job-requeued': 'failure_reason = NULL, failure_message = NULL, finished_at = NULL',
  'job-ended': `pid = NULL, slot = NULL, failure_reason = @reason, failure_message = @message, ${FINISHED_NOW}`,
  refuse: `failure_reason = 'error', failure_message = @message, finished_at = ${NOW}`,
  cancel:
    "pid = NULL, slot = NULL, failure_reason = coalesce(failure_reason, 'cancelled'), " +
    `finished_at = coalesce(finished_at, ${NOW})`,
  requeue: 'attempts = 0, failure_reason = NULL, failure_message = NULL, finished_at = NULL',
};

export class TransitionError extends AppError {
  constructor(
    readonly runId: string,
    readonly from: RunStatus,
    readonly cause: Cause,
  ) {
    super('conflict', `run ${runId} cannot go from ${from} to ${TRANSITIONS[cause].to} (${cause})`);
    this.name = 'TransitionError';
  }
}

/** The cause a trainer's `failed` event applies, by its reason. */
const FAILURE_CAUSES: Record<(typeof FAILURE_REASONS)[number], 'failed' | 'diverged' | 'cancelled'> = {
  diverged: 'diverged',
  cancelled: 'cancelled',
  error: 'failed',
  oom: 'failed',
  timeout: 'failed',
};
export const failureCause = (reason: (typeof FAILURE_REASONS)[number]) => FAILURE_CAUSES[reason];

export const isActive = (status: string): boolean => (ACTIVE_STATUSES as readonly string[]).includes(status);

function sqlOf(cause: Cause): string {
  const { from, to } = TRANSITIONS[cause];
  const guard =
    from.length === RUN_STATUSES.length ? '' : ` AND status IN (${from.map((s: string) => `'${s}'`).join(', ')})`;
  return `UPDATE runs SET status = '${to}', ${EFFECTS[cause]} WHERE id = @id${guard}`;
}

const statements = new WeakMap<Database.Database, Map<string, Database.Statement>>();

function prepared(sqlite: Database.Database, key: string, sql: () => string): Database.Statement {
  let byKey = statements.get(sqlite);
  if (!byKey) {
    byKey = new Map();
    statements.set(sqlite, byKey);
  }
  let st = byKey.get(key);
  if (!st) {
    st = sqlite.prepare(sql());
    byKey.set(key, st);
  }
  return st;
}

/** Apply `cause` to the run; false (and nothing written) when the run is missing or its status refuses it. */
export function tryTransition<C extends Cause>(
  sqlite: Database.Database,
  runId: string,
  cause: C,
  params: TransitionParams[C],
): boolean {
  return prepared(sqlite, cause, () => sqlOf(cause)).run({ ...params, id: runId }).changes > 0;
}

/** Apply `cause` to the run, or throw: not_found for a missing run, a TransitionError when its status refuses. */
export function transition<C extends Cause>(
  sqlite: Database.Database,
  runId: string,
  cause: C,
  params: TransitionParams[C],
): void {
  if (tryTransition(sqlite, runId, cause, params)) return;
  const status = statusOf(sqlite, runId);
  if (status === undefined) throw notFound(`run ${runId}`);
  throw new TransitionError(runId, status, cause);
}

export function statusOf(sqlite: Database.Database, runId: string): RunStatus | undefined {
  const st = prepared(sqlite, 'status', () => 'SELECT status FROM runs WHERE id = ?');
  return st.pluck().get(runId) as RunStatus | undefined;
}

/** Its trainer process is gone for good: forget the pid and free the slot; the status stays. */
export function releaseProcess(sqlite: Database.Database, runId: string): void {
  prepared(sqlite, 'release', () => 'UPDATE runs SET pid = NULL, slot = NULL WHERE id = ?').run(runId);
}

export interface NewRun {
  id: string;
  sweepId?: string | null;
  /** `pretrain` | `full` | `lora` | `lisa` | `external` */
  kind: string;
  label: string;
  /** The resolved trainer config as JSON. */
  config: string;
  configHash: string;
  seed?: number | null;
  gamma?: number | null;
  interval?: number | null;
  /** The run that must finish first (a fine-tune's pretrain base). */
  dependsOn?: string | null;
  /** The run folder, for runs the scheduler launches; external runs have none. */
  dir?: string | null;
  totalSteps?: number | null;
  /** sha256 of an external run's ingest token. */
  tokenHash?: string | null;
  /** For fixtures; the database's clock otherwise. */
  createdAt?: string | null;
}

/** Every run row starts here, queued: sweep runs (lib/sweep/create.ts) and runs registered over HTTP alike. */
export function createRun(sqlite: Database.Database, run: NewRun): void {
  const insert = prepared(
    sqlite,
    'insert',
    () =>
      'INSERT INTO runs (id, sweep_id, kind, label, config, config_hash, seed, gamma, interval, status, depends_on, ' +
      'dir, total_steps, token_hash, created_at) VALUES (@id, @sweepId, @kind, @label, @config, @configHash, @seed, ' +
      `@gamma, @interval, 'queued', @dependsOn, @dir, @totalSteps, @tokenHash, coalesce(@createdAt, ${NOW}))`,
  );
  insert.run({
    id: run.id,
    sweepId: run.sweepId ?? null,
    kind: run.kind,
    label: run.label,
    config: run.config,
    configHash: run.configHash,
    seed: run.seed ?? null,
    gamma: run.gamma ?? null,
    interval: run.interval ?? null,
    dependsOn: run.dependsOn ?? null,
    dir: run.dir ?? null,
    totalSteps: run.totalSteps ?? null,
    tokenHash: run.tokenHash ?? null,
    createdAt: run.createdAt ?? null,
  });
}
