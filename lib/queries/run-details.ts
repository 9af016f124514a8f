/**
 * Per-run reads for the run page: LISA periods, checkpoints, the log (structured `log` events and the tail
 * of the trainer's stderr file), and the fine-tuning runs of a sweep for the sweep-wide series and norms.
 */
import type Database from 'better-sqlite3';
import fs from 'node:fs';
import path from 'node:path';
import { CHECKPOINT_DIR, CHECKPOINT_MANIFEST, KEPT_CHECKPOINT_PREFIX } from '../protocol/run-folder';
import { fromJson } from '../protocol/json';
import { stderrLog } from '../runs/layout';

export interface PeriodRow {
  period: number;
  step: number;
  active: number[];
  reset: boolean;
  /** Module granularity: the drawn modules (`block.i/attn.q`). */
  modules?: string[];
  /** Importance sampling: every unit's score behind the draw. */
  scores?: Record<string, number>;
}

export function runPeriods(sqlite: Database.Database, runId: string): PeriodRow[] {
  const rows = sqlite
    .prepare('SELECT period, step, active, reset, modules, scores FROM lisa_periods WHERE run_id = ? ORDER BY period')
    .all(runId) as {
    period: number;
    step: number;
    active: string;
    reset: number;
    modules: string | null;
    scores: string | null;
  }[];
  return rows.map((r) => ({
    period: r.period,
    step: r.step,
    active: JSON.parse(r.active) as number[],
    reset: r.reset === 1,
    ...(r.modules ? { modules: JSON.parse(r.modules) as string[] } : {}),
    ...(r.scores ? { scores: fromJson<Record<string, number>>(r.scores) } : {}),
  }));
}

export interface CheckpointRow {
  step: number;
  /** Where the trainer wrote it (the `checkpoint` event's path). */
  path: string;
  bytes: number;
  createdAt: string;
  /**
   * What the run folder holds of it now: `latest` (in `checkpoint/`, where resume starts), `kept` (an older one
   * kept as `checkpoint-<step>/`, keep_checkpoints > 1), `superseded` (replaced by a later save and gone), or
   * `unknown` (no run folder on this machine, e.g. an external trainer).
   */
  state: 'latest' | 'kept' | 'superseded' | 'unknown';
  /** The folder inside the run folder that holds it now; null unless latest or kept. */
  folder: string | null;
}

/** The step in a checkpoint folder's manifest, or null when it has no readable one. */
function manifestStep(folder: string): number | null {
  try {
    const step = (JSON.parse(fs.readFileSync(path.join(folder, CHECKPOINT_MANIFEST), 'utf8')) as { step?: unknown })
      .step;
    return typeof step === 'number' ? step : null;
  } catch {
    return null;
  }
}

/** Step → folder name for the checkpoints on disk in a run folder: `checkpoint/` and the kept `checkpoint-<step>/`. */
function checkpointsOnDisk(dir: string): Map<number, string> {
  const found = new Map<number, string>();
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return found;
  }
  for (const name of names) {
    if (!/^\d+$/.test(name.slice(KEPT_CHECKPOINT_PREFIX.length)) || !name.startsWith(KEPT_CHECKPOINT_PREFIX)) continue;
    const step = manifestStep(path.join(dir, name));
    if (step !== null) found.set(step, name);
  }
  const latest = manifestStep(path.join(dir, CHECKPOINT_DIR));
  if (latest !== null) found.set(latest, CHECKPOINT_DIR);
  return found;
}

/** Every checkpoint the run saved, with what its folder holds of it now (see CheckpointRow.state). */
export function runCheckpoints(sqlite: Database.Database, runId: string, dir: string | null): CheckpointRow[] {
  const rows = sqlite
    .prepare('SELECT step, path, bytes, created_at AS createdAt FROM checkpoints WHERE run_id = ? ORDER BY step')
    .all(runId) as Omit<CheckpointRow, 'state' | 'folder'>[];
  const onDisk = dir ? checkpointsOnDisk(dir) : null;
  return rows.map((r) => {
    const folder = onDisk?.get(r.step) ?? null;
    const state = !onDisk ? 'unknown' : folder === CHECKPOINT_DIR ? 'latest' : folder ? 'kept' : 'superseded';
    return { ...r, state, folder };
  });
}

export interface LogRow {
  seq: number;
  step: number | null;
  level: string;
  message: string;
  time: string;
}

export interface RunLogs {
  /** The last `limit` structured log events. */
  events: LogRow[];
  /** The last `bytes` of the trainer's stderr in the run folder (human-readable progress), '' when absent. */
  stderr: string;
  stderrBytes: number;
}

export function runLogs(
  sqlite: Database.Database,
  runId: string,
  dir: string | null,
  limit = 200,
  bytes = 16_384,
): RunLogs {
  const events = (
    sqlite
      .prepare('SELECT seq, step, level, message, time FROM run_logs WHERE run_id = ? ORDER BY seq DESC LIMIT ?')
      .all(runId, limit) as LogRow[]
  ).reverse();
  return { events, ...tail(dir ? stderrLog(dir) : null, bytes) };
}

function tail(file: string | null, bytes: number): { stderr: string; stderrBytes: number } {
  if (!file || !fs.existsSync(file)) return { stderr: '', stderrBytes: 0 };
  const size = fs.statSync(file).size;
  const start = Math.max(0, size - bytes);
  const fd = fs.openSync(file, 'r');
  try {
    const buf = Buffer.alloc(size - start);
    fs.readSync(fd, buf, 0, buf.length, start);
    let text = buf.toString('utf8');
    // Drop a partial first line (and any split UTF-8 sequence) when the tail starts mid-file.
    if (start > 0) text = text.slice(text.indexOf('\n') + 1);
    return { stderr: text, stderrBytes: size };
  } finally {
    fs.closeSync(fd);
  }
}

/** Fine-tuning runs of a sweep (the pretrain base is not a configuration to compare). */
export function sweepRunIds(sqlite: Database.Database, sweepId: string): string[] | null {
  if (!sqlite.prepare('SELECT 1 FROM sweeps WHERE id = ?').get(sweepId)) return null;
  return sqlite
    .prepare("SELECT id FROM runs WHERE sweep_id = ? AND kind <> 'pretrain' ORDER BY created_at")
    .pluck()
    .all(sweepId) as string[];
}
