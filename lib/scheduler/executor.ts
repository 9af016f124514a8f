/**
 * Executors start and stop trainer processes. The scheduler only talks to this interface, so a cluster
 * executor can be added later without touching it.
 */
export interface LaunchSpec {
  runId: string;
  /** The run's folder: config.json, events.ndjson, stderr.log, checkpoints. */
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
