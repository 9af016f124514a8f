/**
 * The scheduler: a persistent queue in SQLite. Each tick it ingests what running trainers wrote, notices
 * trainers that ended, and launches queued runs whose dependency finished, one per free slot.
 * On start it reconciles: runs marked running whose trainer still lives are re-attached; the others are
 * resumed from their last checkpoint (bounded attempts) or failed with a reason.
 */
import fs from 'node:fs';
import type { Connection } from '../../db';
import { resetRunIndex } from '../ingest/reset';
import { tailRun } from '../ingest/tail';
import { configFile, eventsFile, hasCheckpoint, setAsideEvents, STDERR_LOG } from '../runs/layout';
import type { Executor } from './executor';
import { acquireLock } from './lock';
import type { Slot } from './slots';

interface RunRow {
  id: string;
  status: string;
  dir: string | null;
  pid: number | null;
  slot: string | null;
  attempts: number;
  dependsOn: string | null;
  config: string;
}

export interface SchedulerOptions {
  dataHome: string;
  slots: Slot[];
  tickMs?: number;
  graceMs?: number;
  /** Launches of one run in all, the first included, before a dead trainer fails the run. */
  maxAttempts?: number;
  log?: (message: string) => void;
}

export class Scheduler {
  private timer: NodeJS.Timeout | null = null;
  private lock: { release(): void } | null = null;
  private ticking = false;
  /** Runs being cancelled: their trainer's exit is expected, not a crash to resume. */
  private readonly cancelling = new Set<string>();
  readonly tickMs: number;
  readonly graceMs: number;
  readonly maxAttempts: number;
  private readonly log: (message: string) => void;

  constructor(
    private readonly conn: Connection,
    private readonly executor: Executor,
    private readonly opts: SchedulerOptions,
  ) {
    this.tickMs = opts.tickMs ?? 500;
    this.graceMs = opts.graceMs ?? 5000;
    this.maxAttempts = opts.maxAttempts ?? 3;
    this.log = opts.log ?? ((m) => console.log(`[scheduler] ${m}`));
  }

  /** Takes the data home's lock; returns false (and does nothing) when another scheduler holds it. */
  start(): boolean {
    this.lock = acquireLock(this.opts.dataHome);
    if (!this.lock) {
      this.log('another LayerLab server schedules this data home; this one only serves');
      return false;
    }
    this.reconcile();
    this.timer = setInterval(() => this.tick(), this.tickMs);
    this.timer.unref();
    return true;
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.lock?.release();
    this.lock = null;
  }

  get slotCount(): number {
    return this.opts.slots.length;
  }

  get running(): boolean {
    return this.timer !== null;
  }

  private rows(where: string, ...params: unknown[]): RunRow[] {
    return this.conn.sqlite
      .prepare(
        `SELECT id, status, dir, pid, slot, attempts, depends_on AS dependsOn, config FROM runs WHERE ${where} ORDER BY created_at, rowid`,
      )
      .all(...params) as RunRow[];
  }

  private ingest(run: RunRow): void {
    if (!run.dir) return;
    const file = eventsFile(run.dir);
    if (!fs.existsSync(file)) return;
    // One call reads a bounded chunk; keep going until the file is caught up.
    while (tailRun(this.conn, run.id, file).more) {
      /* next chunk */
    }
  }

  /** After a restart: re-attach live trainers, resume or fail the ones that died while we were away. */
  reconcile(): void {
    for (const run of this.rows(`status = 'running'`)) {
      this.ingest(run);
      const alive = run.pid !== null && this.executor.status(run.id, { pid: run.pid }) === 'alive';
      if (alive) this.log(`re-attached to run ${run.id} (pid ${run.pid})`);
      else this.onTrainerGone(run.id);
    }
  }

  tick(): void {
    if (this.ticking) return;
    this.ticking = true;
    try {
      for (const run of this.rows(`status = 'running'`)) {
        this.ingest(run);
        if (run.pid !== null && this.executor.status(run.id, { pid: run.pid }) !== 'alive') this.onTrainerGone(run.id);
      }
      this.launchQueued();
    } catch (e) {
      this.log(`tick failed: ${(e as Error).message}`);
    } finally {
      this.ticking = false;
    }
  }

  /** The trainer process is gone: read what it wrote last; without a terminal event, resume or fail. */
  private onTrainerGone(runId: string): void {
    const run = this.rows('id = ?', runId)[0];
    if (!run) return;
    this.ingest(run);
    const now = this.rows('id = ?', runId)[0];
    if (now.status !== 'running' || this.cancelling.has(runId)) {
      this.conn.sqlite.prepare('UPDATE runs SET pid = NULL, slot = NULL WHERE id = ?').run(runId);
      return;
    }
    if (now.attempts < this.maxAttempts) {
      this.log(
        `trainer of run ${runId} died without finishing; resuming (attempt ${now.attempts + 1} of ${this.maxAttempts})`,
      );
      this.conn.sqlite.prepare(`UPDATE runs SET status = 'queued', pid = NULL, slot = NULL WHERE id = ?`).run(runId);
    } else {
      this.conn.sqlite
        .prepare(
          `UPDATE runs SET status = 'failed', pid = NULL, slot = NULL, failure_reason = 'error',
           failure_message = ?, finished_at = strftime('%Y-%m-%dT%H:%M:%fZ','now') WHERE id = ?`,
        )
        .run(`the trainer died ${now.attempts} times without finishing; see ${STDERR_LOG} in the run folder`, runId);
    }
  }

  private launchQueued(): void {
    const busy = new Set(this.rows(`status = 'running' AND slot IS NOT NULL`).map((r) => r.slot));
    const free = this.opts.slots.filter((s) => !busy.has(s.id));
    if (free.length === 0) return;
    const statusOf = this.conn.sqlite.prepare('SELECT status FROM runs WHERE id = ?');
    for (const run of this.rows(`status = 'queued' AND dir IS NOT NULL`)) {
      if (free.length === 0) break;
      if (run.dependsOn) {
        const dep = statusOf.get(run.dependsOn) as { status: string } | undefined;
        if (!dep || dep.status === 'queued' || dep.status === 'running') continue;
        if (dep.status !== 'finished') {
          this.failRun(run.id, `its base run ${run.dependsOn} ended ${dep.status}`);
          continue;
        }
      }
      this.launch(run, free.shift()!);
    }
  }

  private launch(run: RunRow, slot: Slot): void {
    const dir = run.dir!;
    const config = configFile(dir);
    fs.mkdirSync(dir, { recursive: true });
    // The database holds the resolved config; the file is what the trainer reads.
    fs.writeFileSync(config, run.config);
    const resume = hasCheckpoint(dir);
    if (!resume) this.setAsideEarlierAttempt(run.id, dir);
    try {
      const handle = this.executor.submit({ runId: run.id, dir, configFile: config, resume, env: slot.env });
      this.conn.sqlite
        .prepare(
          `UPDATE runs SET status = 'running', pid = ?, slot = ?, attempts = attempts + 1,
           started_at = COALESCE(started_at, strftime('%Y-%m-%dT%H:%M:%fZ','now')) WHERE id = ?`,
        )
        .run(handle.pid, slot.id, run.id);
      this.log(`launched run ${run.id} on ${slot.id} (pid ${handle.pid}${resume ? ', resuming' : ''})`);
    } catch (e) {
      this.failRun(run.id, `could not start the trainer: ${(e as Error).message}`);
    }
  }

  /**
   * A trainer that died before its first checkpoint starts again from step 0. Its events file is kept
   * beside (events.attempt-N.ndjson) and the run's index cleared, so the new attempt's seq and steps are
   * stored once, not mixed with the old ones.
   */
  private setAsideEarlierAttempt(runId: string, dir: string): void {
    const kept = setAsideEvents(dir);
    if (!kept) return;
    resetRunIndex(this.conn.sqlite, runId);
    this.log(`run ${runId} had no checkpoint yet; starting it again (earlier events kept in ${kept})`);
  }

  private failRun(runId: string, message: string): void {
    this.conn.sqlite
      .prepare(
        `UPDATE runs SET status = 'failed', failure_reason = 'error', failure_message = ?,
         finished_at = strftime('%Y-%m-%dT%H:%M:%fZ','now') WHERE id = ?`,
      )
      .run(message, runId);
  }

  /** Cancel: SIGTERM, SIGKILL after the grace period; queued runs are cancelled at once. */
  async cancel(runId: string): Promise<boolean> {
    const run = this.rows('id = ?', runId)[0];
    if (!run || !['queued', 'running'].includes(run.status)) return false;
    this.cancelling.add(runId);
    try {
      if (run.status === 'running' && run.pid !== null) {
        await this.executor.cancel(run.id, { pid: run.pid }, this.graceMs);
        this.ingest(run);
      }
      this.markCancelled(runId);
    } finally {
      this.cancelling.delete(runId);
    }
    return true;
  }

  private markCancelled(runId: string): void {
    this.conn.sqlite
      .prepare(
        `UPDATE runs SET status = 'cancelled', pid = NULL, slot = NULL, failure_reason = COALESCE(failure_reason, 'cancelled'),
         finished_at = COALESCE(finished_at, strftime('%Y-%m-%dT%H:%M:%fZ','now')) WHERE id = ? AND status IN ('queued','running','cancelled')`,
      )
      .run(runId);
  }

  /** Resume (or retry) an ended run: it goes back to the queue and continues from its last checkpoint. */
  requeue(runId: string): boolean {
    const res = this.conn.sqlite
      .prepare(
        `UPDATE runs SET status = 'queued', attempts = 0, failure_reason = NULL, failure_message = NULL, finished_at = NULL
         WHERE id = ? AND status IN ('failed','cancelled','diverged')`,
      )
      .run(runId);
    return res.changes > 0;
  }
}
