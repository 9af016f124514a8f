/**
 * Reading Slurm's answers, as pure functions: `squeue` lines in the executor's format, `scontrol show job -o`
 * records, and what each Slurm job state means for a LayerLab run. No accounting database is assumed
 * (single-node and many small clusters have none), so `sacct` is not used.
 */
import type { JobEnd } from '../runs/queue';

/** squeue's output format the executor asks for: job id, name, state, reason. */
export const SQUEUE_FORMAT = '%i|%j|%T|%r';

export interface SlurmJob {
  id: number;
  name: string;
  /** PENDING, RUNNING, COMPLETED, ... (the base state, without flags). */
  state: string;
  /** Why it waits or ended (`Resources`, `Priority`, `QOSMaxJobsPerUserLimit`, `Dependency`); null for None. */
  reason: string | null;
  /** `code:signal` of the batch script once it ended (scontrol), e.g. `0:0`, `1:0`, `0:9`. */
  exitCode?: string;
}

const reasonOf = (r: string | undefined): string | null => (!r || r === 'None' || r === '(null)' ? null : r);

/** The jobs in `squeue -h -t all -o '%i|%j|%T|%r'` output; array tasks and malformed lines are skipped. */
export function parseSqueue(out: string): SlurmJob[] {
  const jobs: SlurmJob[] = [];
  for (const line of out.split('\n')) {
    const [id, name, state, ...reason] = line.trim().split('|');
    if (!id || !/^\d+$/.test(id) || !name || !state) continue;
    jobs.push({ id: Number(id), name, state: baseState(state), reason: reasonOf(reason.join('|')) });
  }
  return jobs;
}

/** `Key=Value` pairs of one `scontrol show job -o` record (values up to the next space). */
export function parseScontrolRecord(line: string): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const m of line.matchAll(/(?:^|\s)([A-Za-z][\w:/]*)=(\S*)/g)) fields[m[1]] = m[2];
  return fields;
}

/** The first job of `scontrol show job -o <id>` output, or null (e.g. "Invalid job id specified"). */
export function parseScontrolJob(out: string): SlurmJob | null {
  const line = out.split('\n').find((l) => l.includes('JobId='));
  if (!line) return null;
  const f = parseScontrolRecord(line);
  if (!f.JobId || !/^\d+$/.test(f.JobId)) return null;
  return {
    id: Number(f.JobId),
    name: f.JobName ?? '',
    state: baseState(f.JobState ?? 'UNKNOWN'),
    reason: reasonOf(f.Reason),
    ...(f.ExitCode ? { exitCode: f.ExitCode } : {}),
  };
}

/** `CANCELLED by 0` → CANCELLED; `COMPLETING` stays. */
export const baseState = (s: string): string => s.trim().split(/\s+/)[0].toUpperCase();

/**
 * What each Slurm state means for the run. `alive`: the job may still run the trainer (it is pending, running,
 * or will be requeued by Slurm), so the run stays running in LayerLab and its Slurm state is shown. An ended job
 * hands over to the scheduler, which reads the events the trainer wrote: they say finished, failed, diverged,
 * cancelled (scancel's SIGTERM: a checkpoint and a cancelled event) or timeout (the SIGUSR2 `--signal` sends before
 * the time limit: a checkpoint and a timeout event). A job that ended without a terminal event goes on as
 * `slurmJobEnd` says.
 */
export const SLURM_STATES: Record<string, { alive: boolean; means: string }> = {
  PENDING: { alive: true, means: 'queued in Slurm (the reason says why it waits)' },
  CONFIGURING: { alive: true, means: 'starting on its nodes' },
  RUNNING: { alive: true, means: 'running' },
  COMPLETING: { alive: true, means: 'ending' },
  SUSPENDED: { alive: true, means: 'suspended by Slurm; continues when resumed' },
  REQUEUED: { alive: true, means: 'requeued by Slurm; resumes from its checkpoint' },
  REQUEUE_HOLD: { alive: true, means: 'requeued and held (scontrol release)' },
  REQUEUE_FED: { alive: true, means: 'requeued' },
  RESIZING: { alive: true, means: 'resizing' },
  SIGNALING: { alive: true, means: 'being signalled' },
  STAGE_OUT: { alive: true, means: 'staging out' },
  STOPPED: { alive: true, means: 'stopped (SIGSTOP); continues on SIGCONT' },
  COMPLETED: { alive: false, means: 'finished (or resumed when the trainer wrote no terminal event)' },
  FAILED: { alive: false, means: 'failed as the trainer reported; resumed when it wrote no terminal event' },
  CANCELLED: { alive: false, means: 'cancelled (the trainer checkpointed on SIGTERM: resumable)' },
  TIMEOUT: { alive: false, means: 'time limit: the trainer checkpointed at the --signal SIGUSR2; resumable' },
  NODE_FAIL: { alive: false, means: 'node failure: resumed from its checkpoint' },
  PREEMPTED: { alive: false, means: 'preempted: resumed from its checkpoint (Slurm requeues it with --requeue)' },
  BOOT_FAIL: { alive: false, means: 'the node failed to boot: resumed' },
  DEADLINE: { alive: false, means: 'past its deadline' },
  OUT_OF_MEMORY: { alive: false, means: 'out of memory: failed' },
  SPECIAL_EXIT: { alive: false, means: 'held after a special exit' },
  REVOKED: { alive: false, means: 'revoked (federation)' },
};

/** States of a job that waits to start again after it ran (Slurm requeued it: it keeps its id). */
const WAITING = new Set(['PENDING', 'REQUEUED', 'REQUEUE_HOLD', 'REQUEUE_FED']);
export const stateWaiting = (state: string): boolean => WAITING.has(baseState(state));

/** Whether a job in this state may still run the trainer; unknown states count as alive (never fail on doubt). */
export const stateAlive = (state: string): boolean => SLURM_STATES[baseState(state)]?.alive ?? true;

/**
 * How a run goes on when its job ended and the trainer wrote no terminal event (it was killed before it could):
 * - `fail` when a relaunch would meet the same end: TIMEOUT (reason `timeout`: resumable by hand, it continues
 *   from the last checkpoint), OUT_OF_MEMORY (`oom`), DEADLINE (`error`);
 * - `cancel` for CANCELLED (scancel by hand with SIGKILL; LayerLab's own cancel never gets here);
 * - `resume` for the rest: NODE_FAIL, PREEMPTED, BOOT_FAIL (without `--requeue`; with it Slurm requeues the job
 *   itself and it stays alive), FAILED (the step was killed) and COMPLETED: resubmitted with `--resume`, bounded
 *   by the scheduler's attempts. For the first three the cluster stopped the trainer (`cluster`): the cancelled
 *   event its SIGTERM made it write is not a user's, and the run is resumed all the same.
 */
export function slurmJobEnd(job: SlurmJob): JobEnd {
  const state = baseState(job.state);
  const exit = job.exitCode ? `, exit code ${job.exitCode}` : '';
  const what = `Slurm job ${job.id} ended ${state}${job.reason ? ` (${job.reason})` : ''}${exit}`;
  switch (state) {
    case 'TIMEOUT':
      return {
        outcome: 'fail',
        reason: 'timeout',
        message: `${what}: its time limit came before the trainer stopped; Resume continues from its last checkpoint`,
      };
    case 'OUT_OF_MEMORY':
      return { outcome: 'fail', reason: 'oom', message: `${what}: out of memory (raise the executor's mem)` };
    case 'DEADLINE':
      return { outcome: 'fail', reason: 'error', message: `${what}: past its deadline` };
    case 'CANCELLED':
      return { outcome: 'cancel', message: `${what}: cancelled in Slurm` };
    case 'NODE_FAIL':
    case 'PREEMPTED':
    case 'BOOT_FAIL':
      return { outcome: 'resume', message: what, cluster: true };
    default:
      return { outcome: 'resume', message: `${what} without a terminal event`, cluster: false };
  }
}
