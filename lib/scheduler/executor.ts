/**
 * Executors start and stop trainer processes. The scheduler only talks to this interface, so a Slurm or any
 * other command executor plugs in here without touching it (LocalExecutor, local.ts, is the reference).
 *
 * The contract:
 * - `submit` starts the trainer for one run and returns at once (no waiting for it to finish) with a handle;
 *   a throw means nothing was started, and the run fails with the message. The trainer runs
 *   `trainerCommand` (local.ts): `--config <configFile> --out <dir>`, or `--out <dir> --resume`, with `env`
 *   added and LAYERLAB_RUN_ID set. It must see `dir` at the same path as the server: the server learns
 *   everything from the events file the trainer appends there (lib/runs/layout.ts names the folder's files),
 *   so a cluster executor needs a shared filesystem. Its stderr belongs in the folder's stderr log.
 * - `Handle.pid` is stored with the run (runs.pid) and given back after a server restart: any number that
 *   identifies the job to this executor (a process id, a Slurm job id).
 * - `status` is polled every tick: 'alive' while the trainer may still write; 'exited' once it is gone for good
 *   (the scheduler then reads the events file once more and, without a terminal event, retries or fails
 *   the run); 'unknown' counts as gone. It must not mistake a reused id for the trainer.
 * - `cancel` asks the trainer to stop (SIGTERM: it checkpoints and writes a `failed` event with reason
 *   cancelled), forces it after `graceMs`, and resolves when it is gone or forced.
 * - `jobEnd` (optional, cluster executors): once `status` said 'exited', how the cluster ended the job (a time
 *   limit, out of memory, a node failure), for a run whose program wrote no terminal event, or whose trainer's
 *   cancelled event came from the cluster's SIGTERM. `requeued`: the cluster put the job back in its queue.
 * - Executors never write the database: run status belongs to lib/runs/lifecycle.ts.
 *
 * Command runs (docs/command-sweeps.md): a LaunchSpec with `command` starts the researcher's own program instead
 * of the trainer, and the executor must also say how it ended:
 * - Run `command.argv` as an argument vector, never through a shell, with cwd `command.cwd` and the environment
 *   the server's + `env` (the slot's) + `command.env` (LAYERLAB_URL, LAYERLAB_RUN_TOKEN, … set by the scheduler)
 *   + LAYERLAB_RUN_ID. Its stdout goes to the folder's stdout log, its stderr to the stderr log.
 * - Run it through the exit wrapper (`wrappedCommand`, command.ts), so that how it ended outlives the server: the
 *   wrapper waits for the program and writes `exit.json` in the run folder (`{ code, signal, time }`, read with
 *   `readExitRecord`, lib/runs/layout.ts); a Slurm job script runs the same argument vector. No exit record once
 *   `status` says 'exited' means the wrapper itself was killed. A relaunch removes the previous record first.
 * - The program is the leader of its own process group (the wrapper's); `cancel` signals the whole group (SIGTERM,
 *   SIGKILL after `graceMs`), so the program's own children go with it.
 */
import type { JobEnd } from '../runs/queue';

export interface LaunchSpec {
  runId: string;
  /** The run's folder (lib/runs/layout.ts): the config file, the events file, the stderr log, checkpoints. */
  dir: string;
  configFile: string;
  resume: boolean;
  /** Extra environment, e.g. CUDA_VISIBLE_DEVICES for a GPU slot. */
  env: Record<string, string>;
  /** A command run: start this program instead of the trainer (`configFile` and `resume` are then unused). */
  command?: CommandLaunch;
  /** The sweep's `executor` section (docs/sweep-spec.md), for executors that take options (Slurm). */
  options?: Record<string, unknown>;
  /**
   * The base run's handle while it still runs on the same executor: an executor that can queue a job behind
   * another (`queuesBehind`) starts this one after it finished successfully (Slurm: --dependency=afterok).
   */
  after?: Handle;
}

/** The researcher's own program, rendered from a command sweep's spec (lib/sweep/command.ts). */
export interface CommandLaunch {
  /** argv[0] is the program (a path, or a name looked up in PATH); never joined into a shell line. */
  argv: string[];
  /** Its working directory (absolute). */
  cwd: string;
  /** Added over the server's and the slot's environment: the spec's `env` and the LAYERLAB_* variables. */
  env: Record<string, string>;
}

export interface Handle {
  pid: number;
}

export type ProcessState = 'alive' | 'exited' | 'unknown';

/**
 * Thrown by `submit` when the executor cannot be asked right now (e.g. the Slurm controller does not answer):
 * the run stays queued and is launched on a later tick, instead of failing.
 */
export class ExecutorUnavailable extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ExecutorUnavailable';
  }
}

export interface Executor {
  readonly name: string;
  /** Whether `submit` honours `LaunchSpec.after` (then the scheduler launches runs whose base still runs). */
  readonly queuesBehind?: boolean;
  submit(spec: LaunchSpec): Handle;
  status(runId: string, handle: Handle): ProcessState;
  /** SIGTERM, then SIGKILL after `graceMs` if it is still alive. */
  cancel(runId: string, handle: Handle, graceMs: number): Promise<void>;
  /** The last `bytes` of the run's stderr log. */
  logs(dir: string, bytes: number): string;
  /** For the pages: the job a cluster executor runs the run as (id, its state and why it waits), when known. */
  describe?(runId: string, handle: Handle): JobInfo | undefined;
  /** For the pages: whether the executor can reach what runs its jobs (the Slurm controller), with its message. */
  health?(): { reachable: boolean; message: string | null };
  /** How the cluster ended the run's job, once `status` said 'exited'; undefined when it cannot tell. */
  jobEnd?(runId: string, handle: Handle): JobEnd | undefined;
  /** Whether the cluster holds the run's job in its queue (to start it again after a requeue). */
  requeued?(runId: string, handle: Handle): boolean;
}

export interface JobInfo {
  id: string;
  state: string;
  reason: string | null;
}
