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
 * - Executors never write the database: run status belongs to lib/runs/lifecycle.ts.
 */
export interface LaunchSpec {
  runId: string;
  /** The run's folder (lib/runs/layout.ts): the config file, the events file, the stderr log, checkpoints. */
  dir: string;
  configFile: string;
  resume: boolean;
  /** Extra environment, e.g. CUDA_VISIBLE_DEVICES for a GPU slot. */
  env: Record<string, string>;
}

export interface Handle {
  pid: number;
}

export type ProcessState = 'alive' | 'exited' | 'unknown';

export interface Executor {
  readonly name: string;
  submit(spec: LaunchSpec): Handle;
  status(runId: string, handle: Handle): ProcessState;
  /** SIGTERM, then SIGKILL after `graceMs` if it is still alive. */
  cancel(runId: string, handle: Handle, graceMs: number): Promise<void>;
  /** The last `bytes` of the run's stderr log. */
  logs(dir: string, bytes: number): string;
}
