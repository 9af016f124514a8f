/**
 * The scheduler: process management over a persistent queue in SQLite. Each tick it ingests what running
 * trainers wrote, notices trainers that ended, and launches queued runs whose base run finished, one per free
 * slot. On start it reconciles: runs marked running whose trainer still lives are re-attached; the others are
 * resumed from their last checkpoint (bounded attempts) or failed with a reason. What a run's status becomes
 * is decided in lib/runs (lifecycle.ts, queue.ts); processes are started and stopped by an Executor.
 */
import fs from 'node:fs';
import type { Connection } from '../../db';
import { scanRunFolders } from '../ingest/import';
import { resetRunIndex } from '../ingest/reset';
import { tailRun } from '../ingest/tail';
import { commandOf, issueRunToken, type RunCommand } from '../runs/command';
import {
  argsFile,
  configFile,
  eventsFile,
  hasCheckpoint,
  launchedBefore,
  readExitRecord,
  setAsideEvents,
} from '../runs/layout';
import { isActive, releaseProcess, tryTransition } from '../runs/lifecycle';
import {
  awaitBase,
  busySlots,
  launchableRuns,
  lingeringRuns,
  type QueueRow,
  queueRow,
  runningRuns,
  trainerGone,
} from '../runs/queue';
import { type Executor, ExecutorUnavailable, type JobInfo, type LaunchSpec } from './executor';
import { acquireLock } from './lock';
import type { Slot } from './slots';

export interface SchedulerOptions {
  dataHome: string;
  slots: Slot[];
  tickMs?: number;
  graceMs?: number;
  /** Launches of one run in all, the first included, before a dead trainer fails the run. */
  maxAttempts?: number;
  /** The server's own URL, given to command runs as LAYERLAB_URL. */
  publicUrl?: string;
  /** Ticks between scans of the runs folder for command-line runs to import (default 10: every 5 s). */
  scanEveryTicks?: number;
  log?: (message: string) => void;
  /**
   * More executors by name (e.g. `slurm` beside `local`): a sweep's `executor.kind` picks one; runs without
   * one go to the constructor's. A slot with `executor` set serves only that executor's runs.
   */
  executors?: Record<string, Executor>;
}

export interface Placement {
  executor: string;
  job?: JobInfo;
  /** The executor's own message while it cannot reach its cluster ("Slurm unreachable"). */
  unreachable?: string;
}

export class Scheduler {
  private timer: NodeJS.Timeout | null = null;
  private lock: { release(): void } | null = null;
  private ticking = false;
  /** Runs being cancelled: their trainer's exit is expected, not a crash to resume. */
  private readonly cancelling = new Set<string>();
  /** Run folder names the scan of the runs folder has settled (lib/ingest/import.ts). */
  private readonly scanned = new Set<string>();
  private ticks = 0;
  readonly tickMs: number;
  readonly graceMs: number;
  readonly maxAttempts: number;
  private readonly log: (message: string) => void;
  private readonly executors: Record<string, Executor>;
  /** Executors that refused submissions this tick because they cannot be reached. */
  private unavailable = new Set<string>();

  constructor(
    private readonly conn: Connection,
    private readonly executor: Executor,
    private readonly opts: SchedulerOptions,
  ) {
    this.tickMs = opts.tickMs ?? 500;
    this.graceMs = opts.graceMs ?? 5000;
    this.maxAttempts = opts.maxAttempts ?? 3;
    this.log = opts.log ?? ((m) => console.log(`[scheduler] ${m}`));
    this.executors = { ...opts.executors, [executor.name]: executor };
  }

  /**
   * The executor of a run: the one whose slot it holds (so a restart with another default keeps watching it
   * where it runs), else its sweep's `executor.kind`, else the default.
   */
  executorOf(run: QueueRow): Executor | null {
    const slot = run.slot ? this.opts.slots.find((s) => s.id === run.slot) : undefined;
    if (slot?.executor && this.executors[slot.executor]) return this.executors[slot.executor];
    const kind = run.executor ? (JSON.parse(run.executor) as { kind?: string }).kind : undefined;
    if (!kind) return this.executor;
    return this.executors[kind] ?? null;
  }

  private slotExecutor = (slot: Slot): string => slot.executor ?? this.executor.name;

  /** Takes the data home's lock; returns false (and does nothing) when another scheduler holds it. */
  start(): boolean {
    this.lock = acquireLock(this.opts.dataHome);
    if (!this.lock) {
      this.log('another LayerLab server schedules this data home; this one only serves');
      return false;
    }
    this.reconcile();
    this.importFolders();
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

  /** Slots of the default executor. */
  get slotCount(): number {
    return this.slotsFor();
  }

  /** Slots of one executor (by name; the default's without one): how many of its runs go out at once. */
  slotsFor(kind?: string): number {
    const name = kind ?? this.executor.name;
    return this.opts.slots.filter((s) => this.slotExecutor(s) === name).length;
  }

  /** The default executor's name: where runs of sweeps without an `executor` section go. */
  get defaultExecutor(): string {
    return this.executor.name;
  }

  get running(): boolean {
    return this.timer !== null;
  }

  private ingest(run: QueueRow): void {
    if (!run.dir) return;
    const file = eventsFile(run.dir);
    if (!fs.existsSync(file)) return;
    // One call reads a bounded chunk; keep going until the file is caught up.
    while (tailRun(this.conn, run.id, file).more) {
      /* next chunk */
    }
  }

  /** Runs started from the command line into the data home's runs folder: imported, then tailed while running. */
  private importFolders(): void {
    try {
      for (const r of scanRunFolders(this.conn, this.opts.dataHome, this.scanned))
        this.log(`imported the command-line run in ${r.dir} as run ${r.runId} (${r.status})`);
    } catch (e) {
      // A folder that cannot be read must not stop the scheduler: the next scan tries again.
      this.log(`importing command-line runs failed: ${(e as Error).message}`);
    }
  }

  /**
   * After a restart: re-attach live trainers, resume or fail the ones that died while we were away. A running run
   * the scheduler never launched (no pid, no slot: an imported command-line run) is only read: its trainer is not
   * the server's.
   */
  reconcile(): void {
    for (const run of runningRuns(this.conn.sqlite)) {
      this.ingest(run);
      if (run.pid === null && run.slot === null) continue; // never launched here: a command-line run
      const alive = run.pid !== null && this.executorOf(run)?.status(run.id, { pid: run.pid }) === 'alive';
      if (alive) this.log(`re-attached to run ${run.id} (pid ${run.pid})`);
      else this.onTrainerGone(run.id);
    }
  }

  tick(): void {
    if (this.ticking) return;
    this.ticking = true;
    try {
      for (const run of runningRuns(this.conn.sqlite)) {
        this.ingest(run);
        const exec = this.executorOf(run);
        if (run.pid !== null && exec?.status(run.id, { pid: run.pid }) !== 'alive') this.onTrainerGone(run.id);
      }
      this.watchLingering();
      this.unavailable.clear();
      this.launchQueued();
      if (++this.ticks % (this.opts.scanEveryTicks ?? 10) === 0) this.importFolders();
    } catch (e) {
      this.log(`tick failed: ${(e as Error).message}`);
    } finally {
      this.ticking = false;
    }
  }

  /**
   * Runs their trainer's SIGTERM ended `cancelled` while a cluster executor's job is still there. A job the
   * cluster requeued (Slurm at a node failure, `scontrol requeue`) waits to start again: the run runs on, and the
   * trainer resumes from the checkpoint it just wrote. A job that a node failure or a preemption ended for good
   * is resumed by a new job. Otherwise (a scancel by hand) the run stays cancelled once its job is gone.
   */
  private watchLingering(): void {
    for (const { id } of lingeringRuns(this.conn.sqlite)) {
      if (this.cancelling.has(id)) continue;
      let run = queueRow(this.conn.sqlite, id);
      const exec = run ? this.executorOf(run) : null;
      if (!run || !exec?.jobEnd || run.pid === null) continue;
      this.ingest(run);
      run = queueRow(this.conn.sqlite, id);
      if (run?.status !== 'cancelled' || run.pid === null) continue;
      const handle = { pid: run.pid };
      if (exec.requeued?.(id, handle)) {
        if (tryTransition(this.conn.sqlite, id, 'job-requeued', {})) {
          this.log(`the job of run ${id} (pid ${run.pid}) was requeued by ${exec.name}; it resumes when it starts`);
        }
        continue;
      }
      if (exec.status(id, handle) === 'alive') continue;
      const end = exec.jobEnd(id, handle);
      releaseProcess(this.conn.sqlite, id);
      if (end?.outcome === 'resume' && end.cluster && tryTransition(this.conn.sqlite, id, 'requeue', {})) {
        this.log(`${end.message}; run ${id} goes back to the queue to resume`);
      }
    }
  }

  /** The trainer process is gone: read what it wrote last; the lifecycle decides what that means for the run. */
  private onTrainerGone(runId: string): void {
    const run = queueRow(this.conn.sqlite, runId);
    if (!run) return;
    this.ingest(run);
    // A command run's exit code is its status: read from the exit record its wrapper left in the run folder.
    const exit =
      run.dir && commandOf(run.config)
        ? {
            record: readExitRecord(run.dir),
            stderrTail: stderrTail((this.executorOf(run) ?? this.executor).logs(run.dir, 4096)),
          }
        : undefined;
    const jobEnd = run.pid !== null ? this.executorOf(run)?.jobEnd?.(run.id, { pid: run.pid }) : undefined;
    const gone = trainerGone(this.conn.sqlite, runId, {
      maxAttempts: this.maxAttempts,
      cancelling: this.cancelling.has(runId),
      exit,
      jobEnd,
    });
    if (gone?.outcome === 'exited') this.log(`program of run ${runId} ended; the run ${gone.status}`);
    if (gone?.outcome === 'ended') this.log(`${gone.message}; run ${runId} ${gone.status}`);
    if (gone?.outcome === 'retried') {
      const attempt = `attempt ${gone.attempts + 1} of ${this.maxAttempts}`;
      const why = jobEnd ? ` (${jobEnd.message})` : '';
      this.log(`trainer of run ${runId} died without finishing${why}; resuming (${attempt})`);
    }
  }

  private launchQueued(): void {
    const busy = busySlots(this.conn.sqlite);
    const free = this.opts.slots.filter((s) => !busy.has(s.id));
    if (free.length === 0) return;
    for (const run of launchableRuns(this.conn.sqlite)) {
      if (free.length === 0) break;
      const exec = this.executorOf(run);
      if (!exec) {
        const kind = (JSON.parse(run.executor!) as { kind?: string }).kind;
        tryTransition(this.conn.sqlite, run.id, 'refuse', { message: `this server has no ${kind} executor` });
        continue;
      }
      if (this.unavailable.has(exec.name)) continue;
      const at = free.findIndex((s) => this.slotExecutor(s) === exec.name);
      if (at < 0) continue;
      const base = awaitBase(this.conn.sqlite, run);
      let after: number | undefined;
      if (base === 'wait' && exec.queuesBehind) {
        // The executor queues it behind its base's job (Slurm: afterok), so it need not wait here.
        const b = queueRow(this.conn.sqlite, run.dependsOn!);
        if (b?.status !== 'running' || b.pid === null || this.executorOf(b) !== exec) continue;
        after = b.pid;
      } else if (base !== 'ready') continue;
      if (this.launch(run, free[at], exec, after)) free.splice(at, 1);
    }
  }

  /** Whether the slot was taken. */
  private launch(run: QueueRow, slot: Slot, executor: Executor, after?: number): boolean {
    const dir = run.dir!;
    const config = configFile(dir);
    fs.mkdirSync(dir, { recursive: true });
    const command = commandOf(run.config);
    const options = run.executor ? (JSON.parse(run.executor) as Record<string, unknown>) : undefined;
    let spec: LaunchSpec;
    if (command) spec = this.commandLaunch(run.id, dir, command, slot);
    else {
      // The database holds the resolved config; the file is what the trainer reads.
      fs.writeFileSync(config, run.config);
      const resume = hasCheckpoint(dir);
      if (!resume) this.setAsideEarlierAttempt(run.id, dir);
      spec = { runId: run.id, dir, configFile: config, resume, env: slot.env };
    }
    if (options) spec.options = options;
    if (after !== undefined) spec.after = { pid: after };
    const resume = spec.resume;
    try {
      const handle = executor.submit(spec);
      if (!tryTransition(this.conn.sqlite, run.id, 'claim', { pid: handle.pid, slot: slot.id })) {
        // Another server changed the run since this tick read the queue (e.g. cancelled it): stop the trainer.
        this.log(`run ${run.id} left the queue while its trainer started; stopping it (pid ${handle.pid})`);
        void executor.cancel(run.id, handle, this.graceMs).catch(() => {});
        return true;
      }
      this.log(`launched run ${run.id} on ${slot.id} (pid ${handle.pid}${resume ? ', resuming' : ''})`);
      return true;
    } catch (e) {
      if (e instanceof ExecutorUnavailable) {
        // Not the run's fault: it stays queued and goes out when the executor answers again.
        this.unavailable.add(executor.name);
        this.log(`${(e as Error).message}; run ${run.id} stays queued`);
        return false;
      }
      tryTransition(this.conn.sqlite, run.id, 'refuse', {
        message: `could not start the ${command ? 'program' : 'trainer'}: ${(e as Error).message}`,
      });
      return false;
    }
  }

  /**
   * A command run (docs/command-sweeps.md): its rendered command with the LAYERLAB_* environment and a fresh
   * ingest token. A relaunch is a resume: same folder, LAYERLAB_RESUME=1, and its events file is kept (the
   * program continues its seq).
   */
  private commandLaunch(runId: string, dir: string, command: RunCommand, slot: Slot): LaunchSpec {
    const resume = launchedBefore(dir);
    fs.writeFileSync(argsFile(dir), `${JSON.stringify(command.args, null, 2)}\n`);
    const env: Record<string, string> = {
      ...command.env,
      ...(this.opts.publicUrl ? { LAYERLAB_URL: this.opts.publicUrl } : {}),
      LAYERLAB_RUN_ID: runId,
      LAYERLAB_RUN_TOKEN: issueRunToken(this.conn.sqlite, runId),
      LAYERLAB_RUN_DIR: dir,
      LAYERLAB_EVENTS_FILE: eventsFile(dir),
      ...(resume ? { LAYERLAB_RESUME: '1' } : {}),
    };
    return {
      runId,
      dir,
      configFile: configFile(dir),
      resume,
      env: slot.env,
      command: { argv: command.argv, cwd: command.cwd, env },
    };
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

  /** Cancel: SIGTERM, SIGKILL after the grace period; queued runs are cancelled at once. */
  async cancel(runId: string): Promise<boolean> {
    const run = queueRow(this.conn.sqlite, runId);
    if (!run || !isActive(run.status)) return false;
    this.cancelling.add(runId);
    try {
      const exec = this.executorOf(run);
      if (run.status === 'running' && run.pid !== null && exec) {
        await exec.cancel(run.id, { pid: run.pid }, this.graceMs);
        this.ingest(run);
      }
      // Refused when the trainer finished or failed on its own meanwhile: its events said how the run ended.
      tryTransition(this.conn.sqlite, runId, 'cancel', {});
    } finally {
      this.cancelling.delete(runId);
    }
    return true;
  }

  /**
   * Where a run executes, for the pages: its executor's name (its slot's, else its sweep's choice, else the
   * default), whether that executor is reachable, and the run's job while it has one. Null for an unknown run.
   */
  placement(runId: string): Placement | null {
    const run = queueRow(this.conn.sqlite, runId);
    if (!run || !run.dir) return null;
    const exec = this.executorOf(run);
    if (!exec) return null;
    const job = run.status === 'running' && run.pid !== null ? exec.describe?.(run.id, { pid: run.pid }) : undefined;
    const health = exec.health?.();
    return {
      executor: exec.name,
      ...(job ? { job } : {}),
      ...(health && !health.reachable ? { unreachable: health.message ?? 'no answer' } : {}),
    };
  }

  /** Resume (or retry) an ended run: it goes back to the queue and continues from its last checkpoint. */
  requeue(runId: string): boolean {
    return tryTransition(this.conn.sqlite, runId, 'requeue', {});
  }
}

/** The last lines of a stderr log, for a failure message: at most 10 lines and 1,000 characters. */
export function stderrTail(log: string): string {
  const lines = log
    .split('\n')
    .map((l) => l.trimEnd())
    .filter(Boolean)
    .slice(-10);
  const text = lines.join('\n');
  return text.length > 1000 ? `…${text.slice(-1000)}` : text;
}
