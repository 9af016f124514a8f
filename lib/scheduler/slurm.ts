/**
 * Runs each trainer as a Slurm batch job: one `sbatch --parsable` per run, the job id stored as the run's handle.
 * The run folder must be on a filesystem the nodes share (the trainer appends its events there; docs/slurm.md).
 *
 * State comes from one `squeue` per poll for all jobs, run in the background: `status` answers from the latest
 * snapshot and never blocks the server. While the controller does not answer, every job counts as alive (no run
 * is failed because the controller blinked), submissions wait in LayerLab's queue, and `health()` says
 * "Slurm unreachable"; the next good poll re-syncs. A job absent from a snapshot taken after its submission has
 * left Slurm's memory: it ended.
 */
import { execFile, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { exitFile, stderrLog } from '../runs/layout';
import type { JobEnd } from '../runs/queue';
import { wrappedCommand } from './command';
import {
  ExecutorUnavailable,
  type Executor,
  type Handle,
  type JobInfo,
  type LaunchSpec,
  type ProcessState,
} from './executor';
import { tailLog, trainerCommand } from './local';
import {
  BATCH_SCRIPT,
  batchScript,
  jobName,
  mergeSlurmOptions,
  sbatchArgs,
  shellQuote,
  type SlurmOptions,
} from './slurm-options';
import {
  parseScontrolJob,
  parseSqueue,
  SQUEUE_FORMAT,
  type SlurmJob,
  slurmJobEnd,
  stateAlive,
  stateWaiting,
} from './slurm-status';

export interface SlurmExecutorOptions {
  /** The LayerLab checkout the trainer runs from (the same path on the nodes). */
  root: string;
  /** LAYERLAB_SLURM_* defaults; a sweep's `executor` section goes over them. */
  defaults?: SlurmOptions;
  /** Environment of sbatch, squeue and scancel (PATH, SLURM_CONF); the server's by default. */
  env?: NodeJS.ProcessEnv;
  /** Minimum time between two squeue polls. */
  pollMs?: number;
  /** Time limit of one Slurm command. */
  commandTimeoutMs?: number;
}

export interface SlurmHealth {
  reachable: boolean;
  /** Slurm's own message when it is not. */
  message: string | null;
  /** When the last poll ended (ms since the epoch); null before the first. */
  checkedAt: number | null;
}

/** The last line of a Slurm command's error output (its own message), without the program's prefix noise. */
function slurmMessage(e: unknown): string {
  const err = e as { stderr?: Buffer | string; message?: string; code?: string };
  const text = (err.stderr ? String(err.stderr) : '').trim();
  const lines = text.split('\n').filter(Boolean);
  return lines.length > 0 ? lines.join('; ') : (err.message ?? String(e));
}

const probeKey = (dir: string, o: SlurmOptions) => `${path.dirname(dir)}|${o.partition ?? ''}`;

const UNREACHABLE =
  /Unable to contact slurm controller|Socket timed out|Connection refused|Zero Bytes were transmitted/i;

export class SlurmExecutor implements Executor {
  readonly name = 'slurm';
  readonly queuesBehind = true;
  private snapshot: { at: number; jobs: Map<number, SlurmJob> } | null = null;
  private polling = false;
  private lastPoll = 0;
  private health_: SlurmHealth = { reachable: true, message: null, checkedAt: null };
  /** The controller did not answer the last command (not: a command is missing, which sbatch then reports). */
  private down = false;
  /** Job id → when sbatch returned it. */
  private readonly submitted = new Map<number, number>();
  /** Job id → its record once it ended (scontrol: exit code). */
  private readonly ended = new Map<number, SlurmJob>();
  /** Shared-filesystem probes, by runs folder and partition: a tiny job that writes a file there. */
  private readonly probes = new Map<string, { job: number; file: string; result: 'pending' | 'ok' | string }>();
  private readonly pollMs: number;
  private readonly timeout: number;

  constructor(private readonly opts: SlurmExecutorOptions) {
    this.pollMs = opts.pollMs ?? 1000;
    this.timeout = opts.commandTimeoutMs ?? 60_000;
  }

  private get env(): NodeJS.ProcessEnv {
    return this.opts.env ?? process.env;
  }

  health(): SlurmHealth {
    this.refresh();
    return { ...this.health_ };
  }

  /** The options a run gets: its sweep's `executor` section over the defaults. */
  options(spec: SlurmOptions | undefined): SlurmOptions {
    return mergeSlurmOptions(this.opts.defaults ?? {}, spec);
  }

  /** The batch script and sbatch arguments of one launch (also what the dry run shows). */
  plan(spec: LaunchSpec): { script: string; args: string[] } {
    const scriptFile = path.join(spec.dir, BATCH_SCRIPT);
    let script: string;
    if (spec.command) {
      // A command run: the researcher's argument vector under the exit wrapper, as the local executor runs it.
      const w = wrappedCommand(spec);
      script = batchScript({
        runId: spec.runId,
        dir: spec.dir,
        cwd: spec.command.cwd,
        env: { ...spec.env, ...spec.command.env },
        start: [w.file, ...w.args],
        resume: null,
      });
    } else {
      const start = trainerCommand(this.opts.root, spec);
      const resume = trainerCommand(this.opts.root, { ...spec, resume: true });
      script = batchScript({
        runId: spec.runId,
        dir: spec.dir,
        cwd: this.opts.root,
        env: spec.env,
        start: [start.file, ...start.args],
        resume: spec.resume ? null : [resume.file, ...resume.args],
      });
    }
    const args = sbatchArgs(this.options(spec.options as SlurmOptions | undefined), {
      runId: spec.runId,
      dir: spec.dir,
      script: scriptFile,
      after: spec.after?.pid,
      warn: !spec.command,
    });
    return { script, args };
  }

  submit(spec: LaunchSpec): Handle {
    if (this.down) throw new ExecutorUnavailable(`Slurm unreachable: ${this.health_.message}`);
    const options = this.options(spec.options as SlurmOptions | undefined);
    const probe = this.probes.get(probeKey(spec.dir, options));
    if (probe && probe.result !== 'pending' && probe.result !== 'ok') throw new Error(probe.result);
    fs.mkdirSync(spec.dir, { recursive: true });
    if (spec.command) fs.rmSync(exitFile(spec.dir), { force: true });
    const { script, args } = this.plan(spec);
    fs.writeFileSync(path.join(spec.dir, BATCH_SCRIPT), script, { mode: 0o755 });
    let out: string;
    try {
      out = execFileSync('sbatch', args, {
        env: this.env,
        encoding: 'utf8',
        timeout: this.timeout,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') {
        throw new Error('sbatch not found on PATH: install Slurm’s client commands on this host (docs/slurm.md)');
      }
      const message = slurmMessage(e);
      if (UNREACHABLE.test(message)) {
        this.health_ = { reachable: false, message, checkedAt: Date.now() };
        this.down = true;
        throw new ExecutorUnavailable(`Slurm unreachable: ${message}`);
      }
      throw new Error(message);
    }
    const id = Number(out.trim().split(';')[0]);
    if (!Number.isInteger(id) || id <= 0)
      throw new Error(`sbatch answered ${JSON.stringify(out.trim())}, not a job id`);
    this.submitted.set(id, Date.now());
    this.probe(spec.dir, options);
    return { pid: id };
  }

  /**
   * Once per runs folder and partition, submit a tiny job that writes a file into the runs folder: when it
   * completes and the file is not there, the nodes do not share the data home, and later runs fail at submission
   * saying so. Its own submission errors are left to the runs' (they report the same problem).
   */
  private probe(dir: string, options: SlurmOptions): void {
    const key = probeKey(dir, options);
    if (this.probes.has(key)) return;
    const file = path.join(path.dirname(dir), `.slurm-probe-${process.pid}-${this.probes.size}`);
    const flags = (['partition', 'account', 'qos'] as const).flatMap((k) =>
      options[k] ? [`--${k}=${options[k]}`] : [],
    );
    const args = [
      '--parsable',
      '--job-name=layerlab-probe',
      '--chdir=/tmp',
      '--output=/dev/null',
      '--error=/dev/null',
      '--time=1',
      ...flags,
      `--wrap=echo ok > ${shellQuote(file)}`,
    ];
    try {
      const out = execFileSync('sbatch', args, {
        env: this.env,
        encoding: 'utf8',
        timeout: this.timeout,
        stdio: 'pipe',
      });
      this.probes.set(key, { job: Number(out.trim().split(';')[0]), file, result: 'pending' });
    } catch {
      /* the runs' own submissions say what is wrong */
    }
  }

  /** The probes' results, by runs folder and partition (`pending`, `ok`, or the problem). */
  probeResults(): Record<string, string> {
    return Object.fromEntries([...this.probes].map(([k, p]) => [k, p.result]));
  }

  private checkProbes(jobs: Map<number, SlurmJob>): void {
    for (const probe of this.probes.values()) {
      if (probe.result !== 'pending') continue;
      const job = jobs.get(probe.job);
      if (job && stateAlive(job.state)) continue;
      if (fs.existsSync(probe.file)) probe.result = 'ok';
      else if (job?.state === 'COMPLETED') {
        probe.result =
          `the Slurm nodes cannot see ${path.dirname(probe.file)} (a probe job wrote there, nothing arrived): ` +
          'LayerLab’s data home must be on a filesystem the nodes share at the same path (docs/slurm.md)';
      } else probe.result = 'ok'; // it did not run to the end (cancelled, failed): no evidence against the folder
      fs.rmSync(probe.file, { force: true });
    }
  }

  /** Start a squeue poll unless one runs or the last is recent. */
  private refresh(): void {
    const now = Date.now();
    if (this.polling || now - this.lastPoll < this.pollMs) return;
    this.polling = true;
    this.lastPoll = now;
    const startedAt = now;
    execFile(
      'squeue',
      ['-h', '-t', 'all', '-o', SQUEUE_FORMAT],
      { env: this.env, timeout: this.timeout, encoding: 'utf8', maxBuffer: 64 * 2 ** 20 },
      (err, stdout, stderr) => {
        this.polling = false;
        if (err) {
          const message =
            (err as NodeJS.ErrnoException).code === 'ENOENT'
              ? 'squeue not found on PATH'
              : slurmMessage({ stderr, message: err.message });
          this.health_ = { reachable: false, message, checkedAt: Date.now() };
          this.down = UNREACHABLE.test(message);
          return;
        }
        this.down = false;
        this.snapshot = { at: startedAt, jobs: new Map(parseSqueue(stdout).map((j) => [j.id, j])) };
        this.checkProbes(this.snapshot.jobs);
        this.health_ = { reachable: true, message: null, checkedAt: Date.now() };
      },
    );
  }

  /** What Slurm last said about the run's job; undefined before the first poll or once it left Slurm's memory. */
  job(runId: string, handle: Handle): SlurmJob | undefined {
    this.refresh();
    const job = this.snapshot?.jobs.get(handle.pid) ?? this.ended.get(handle.pid);
    return job && job.name === jobName(runId) ? { ...job, ...this.ended.get(handle.pid) } : undefined;
  }

  status(runId: string, handle: Handle): ProcessState {
    this.refresh();
    // No answer yet, or the controller is away: the job may well run; never report it gone on doubt.
    if (!this.snapshot || !this.health_.reachable) return 'alive';
    const job = this.snapshot.jobs.get(handle.pid);
    if (!job) return this.snapshot.at <= (this.submitted.get(handle.pid) ?? 0) ? 'alive' : 'exited';
    if (job.name !== jobName(runId)) return 'exited'; // a reused id: not this run's job
    if (stateAlive(job.state)) return 'alive';
    this.recordEnd(job);
    return 'exited';
  }

  /** Keep an ended job's exit code (scontrol knows it; squeue does not), in the background. */
  private recordEnd(job: SlurmJob): void {
    if (this.ended.has(job.id)) return;
    this.ended.set(job.id, job);
    execFile('scontrol', ['show', 'job', '-o', String(job.id)], { env: this.env, timeout: this.timeout }, (e, out) => {
      const full = e ? null : parseScontrolJob(String(out));
      if (full) this.ended.set(job.id, { ...job, ...full });
    });
  }

  describe(runId: string, handle: Handle): JobInfo | undefined {
    const job = this.job(runId, handle);
    return job ? { id: String(job.id), state: job.state, reason: job.reason } : undefined;
  }

  /** How Slurm ended the run's job (TIMEOUT, OUT_OF_MEMORY, NODE_FAIL, ...), once it ended; see slurmJobEnd. */
  jobEnd(runId: string, handle: Handle): JobEnd | undefined {
    const job = this.job(runId, handle);
    return job && !stateAlive(job.state) ? slurmJobEnd(job) : undefined;
  }

  /** Whether the run's job waits in Slurm's queue to start (again, once it ran: Slurm requeued it). */
  requeued(runId: string, handle: Handle): boolean {
    const job = this.health_.reachable ? this.job(runId, handle) : undefined;
    return !!job && stateWaiting(job.state);
  }

  /** Slurm's exit code of an ended job as `code:signal`, when known. */
  exitCode(handle: Handle): string | undefined {
    return this.ended.get(handle.pid)?.exitCode;
  }

  private scancel(args: string[]): Promise<void> {
    return new Promise((resolve, reject) => {
      execFile('scancel', args, { env: this.env, timeout: this.timeout }, (e, _out, stderr) => {
        if (!e) return resolve();
        const message = slurmMessage({ stderr, message: e.message });
        // Already gone is what cancel wants.
        if (/Invalid job id|already completing or completed|Job\/step already/i.test(message)) return resolve();
        reject(new Error(UNREACHABLE.test(message) ? `Slurm unreachable: ${message}` : message));
      });
    });
  }

  /**
   * scancel: Slurm sends SIGTERM to the job's processes (the trainer checkpoints and reports cancelled) and
   * SIGKILL after its KillWait; after `graceMs` this forces it with `scancel --signal=KILL --full`.
   */
  async cancel(runId: string, handle: Handle, graceMs: number): Promise<void> {
    const job = this.job(runId, handle);
    if (this.snapshot && !job && this.status(runId, handle) === 'exited') return;
    await this.scancel([String(handle.pid)]);
    const deadline = Date.now() + graceMs;
    this.lastPoll = 0;
    while (Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 200));
      if (this.status(runId, handle) === 'exited') return;
    }
    await this.scancel(['--signal=KILL', '--full', String(handle.pid)]);
  }

  logs(dir: string, bytes: number): string {
    return tailLog(stderrLog(dir), bytes);
  }
}
