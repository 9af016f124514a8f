/**
 * Reads of runs and sweeps for the API and pages: one run, one sweep with its runs, whether an id exists (pages
 * answer 404 for ids that do not), a sweep's name and its runs' settings, and the finished runs that measured memory
 * and speed.
 */
import type Database from 'better-sqlite3';
import { eq, sql } from 'drizzle-orm';
import type { Db } from '../../db';
import { latest, lisaPeriods, runs, sweeps, type Run } from '../../db/schema';
import { readEnv } from '../env';
import { notFound } from '../errors';
import { commandOf } from '../runs/command';
import { secondsSilent } from '../runs/layout';
import { type Annotations, annotationsOf } from './annotations';

/**
 * One run as the API answers it: its row without the token hash and pid, config and summary parsed, the latest
 * value of every metric key, and how many LISA periods it has recorded.
 */
export interface RunRecord extends Omit<Run, 'config' | 'summary' | 'tokenHash' | 'pid'> {
  config: Record<string, unknown>;
  summary: Record<string, number> | null;
  latest: Record<string, { step: number; value: number }>;
  periods: number;
  /** A running command run that has written no event for LAYERLAB_SILENT_AFTER_S seconds: says so. */
  note: string | null;
  /** The admin's tags and note on the run (lib/annotations). */
  annotations: Annotations;
}

/** The silence note of a running command run (docs/command-sweeps.md), or null. */
export function silenceNote(
  run: Pick<Run, 'status' | 'dir' | 'lastSeq'>,
  config: Record<string, unknown>,
): string | null {
  if (run.status !== 'running' || !run.dir || !commandOf(config)) return null;
  const silent = secondsSilent(run.dir);
  if (silent === null || silent < readEnv().LAYERLAB_SILENT_AFTER_S) return null;
  const since = run.lastSeq >= 0 ? 'since its last event (or its relaunch)' : 'since it started';
  return (
    `no events in ${Math.floor(silent)} s: the program has written nothing to its events file ` +
    `(LAYERLAB_EVENTS_FILE) ${since}; its log below shows what it is doing`
  );
}

const parse = <T>(s: string | null): T | null => (s ? (JSON.parse(s) as T) : null);

export function toRunRecord(db: Db, run: Run): RunRecord {
  const { tokenHash: _t, pid: _p, config, summary, ...rest } = run;
  const values = db.select().from(latest).where(eq(latest.runId, run.id)).all();
  const periods =
    db.select({ n: sql<number>`count(*)` }).from(lisaPeriods).where(eq(lisaPeriods.runId, run.id)).get()?.n ?? 0;
  const parsed = parse<Record<string, unknown>>(config) ?? {};
  return {
    ...rest,
    config: parsed,
    note: silenceNote(run, parsed),
    summary: parse<Record<string, number>>(summary),
    latest: Object.fromEntries(values.map((v) => [v.key, { step: v.step, value: v.value ?? Number.NaN }])),
    periods,
    annotations: annotationsOf(db.$client, 'run', run.id),
  };
}

export function getRun(db: Db, id: string): RunRecord {
  const run = db.select().from(runs).where(eq(runs.id, id)).get();
  if (!run) throw notFound(`run ${id}`);
  return toRunRecord(db, run);
}

export function getSweep(db: Db, id: string) {
  const sweep = db.select().from(sweeps).where(eq(sweeps.id, id)).get();
  if (!sweep) throw notFound(`sweep ${id}`);
  const members = db.select().from(runs).where(eq(runs.sweepId, id)).orderBy(runs.createdAt).all();
  // The pretrain base may belong to an earlier sweep (reused by config hash): include it.
  const baseIds = [
    ...new Set(members.map((r) => r.dependsOn).filter((d): d is string => !!d && !members.some((m) => m.id === d))),
  ];
  const bases = baseIds.map((b) => db.select().from(runs).where(eq(runs.id, b)).get()).filter((r): r is Run => !!r);
  return {
    id: sweep.id,
    name: sweep.name,
    createdAt: sweep.createdAt,
    spec: JSON.parse(sweep.spec) as unknown,
    annotations: annotationsOf(db.$client, 'sweep', id),
    runs: [...bases, ...members].map((r) => toRunRecord(db, r)),
  };
}

/**
 * What a share link may see of a run: a command run's config without its command (argument vector, working
 * folder, environment: docs/command-sweeps.md#security).
 */
export function redactRun<R extends { config: Record<string, unknown> }>(run: R): R {
  if (!('command' in run.config)) return run;
  const { command: _command, ...config } = run.config;
  return { ...run, config };
}

/** What a share link may see of a sweep: its spec without a command sweep's program, command and env. */
export function redactSweep(sweep: ReturnType<typeof getSweep>): ReturnType<typeof getSweep> {
  const spec = sweep.spec as Record<string, unknown> | null;
  const redacted = spec && typeof spec === 'object' && 'command' in spec ? { ...spec, command: undefined } : spec;
  return { ...sweep, spec: redacted, runs: sweep.runs.map(redactRun) };
}

export function sweepExists(sqlite: Database.Database, id: string): boolean {
  return sqlite.prepare('SELECT 1 FROM sweeps WHERE id = ?').get(id) !== undefined;
}

export function runExists(sqlite: Database.Database, id: string): boolean {
  return sqlite.prepare('SELECT 1 FROM runs WHERE id = ?').get(id) !== undefined;
}

/** Whether the run belongs to the sweep, or is the base run that the sweep's runs start from. */
export function runOfSweep(sqlite: Database.Database, runId: string, sweepId: string): boolean {
  const row = sqlite
    .prepare(
      `SELECT 1 FROM runs WHERE id = ? AND (sweep_id = ? OR id IN (SELECT depends_on FROM runs WHERE sweep_id = ?))`,
    )
    .get(runId, sweepId, sweepId);
  return row !== undefined;
}

/** The sweep's name; undefined for an unknown sweep. */
export function sweepName(sqlite: Database.Database, id: string): string | undefined {
  return (sqlite.prepare('SELECT name FROM sweeps WHERE id = ?').get(id) as { name: string } | undefined)?.name;
}

/** What grouping a run into its configuration needs (lib/views/groups). */
export type RunSettingsRecord = Pick<
  RunRecord,
  'id' | 'kind' | 'label' | 'status' | 'seed' | 'gamma' | 'interval' | 'config'
>;

/** The sweep's own runs in creation order, as getSweep lists them, with what grouping them needs. */
export function sweepRunSettings(sqlite: Database.Database, sweepId: string): RunSettingsRecord[] {
  const rows = sqlite
    .prepare(
      'SELECT id, kind, label, status, seed, gamma, interval, config FROM runs WHERE sweep_id = ? ORDER BY created_at',
    )
    .all(sweepId) as (Omit<RunSettingsRecord, 'config'> & { config: string })[];
  return rows.map((r) => ({ ...r, config: parse<Record<string, unknown>>(r.config) ?? {} }));
}

export interface MeasuredRun {
  kind: string;
  config: Record<string, unknown>;
  backend: string | null;
  summary: Record<string, number>;
  sweepId: string | null;
  sweepName: string | null;
}

/** The newest 2,000 finished runs with a summary (peak memory, throughput), with their sweep's name. */
export function measuredRuns(sqlite: Database.Database): MeasuredRun[] {
  const rows = sqlite
    .prepare(
      `SELECT r.kind, r.config, r.backend, r.summary, r.sweep_id AS sweepId, s.name AS sweepName
      FROM runs r LEFT JOIN sweeps s ON s.id = r.sweep_id
      WHERE r.status = 'finished' AND r.summary IS NOT NULL ORDER BY r.created_at DESC LIMIT 2000`,
    )
    .all() as (Omit<MeasuredRun, 'config' | 'summary'> & { config: string; summary: string })[];
  return rows.map((r) => ({
    ...r,
    config: JSON.parse(r.config) as Record<string, unknown>,
    summary: JSON.parse(r.summary) as Record<string, number>,
  }));
}
