/**
 * The Slurm executor's options and the sbatch line they give, as pure functions: the sweep spec's `executor`
 * section (docs/sweep-spec.md) over the server's LAYERLAB_SLURM_* defaults, each key one sbatch flag
 * (docs/slurm.md), and the batch script every job runs. Nothing here runs a command.
 */
import { CHECKPOINT_DIR, CHECKPOINT_MANIFEST, OLD_CHECKPOINT_PREFIX, STDERR_LOG, STDOUT_LOG } from '../runs/layout';

/** The executors a run can go to. */
export const EXECUTOR_KINDS = ['local', 'slurm'] as const;
export type ExecutorKind = (typeof EXECUTOR_KINDS)[number];

/** A spec's `executor: { kind: slurm, ... }` after validation; every key optional. */
export interface SlurmOptions {
  partition?: string;
  account?: string;
  qos?: string;
  /** Slurm's time limit format: `minutes`, `mm:ss`, `hh:mm:ss`, `d-hh`, `d-hh:mm`, `d-hh:mm:ss`. */
  time?: string;
  gres?: string;
  cpus_per_task?: number;
  /** Memory per node as Slurm takes it: `4000`, `16G`, `500M`. */
  mem?: string;
  constraint?: string;
  /** More sbatch flags, each one argument (`--exclusive`, `--nice=10`). */
  extra?: string[];
  /** Whether Slurm may requeue the job (node failure, preemption): `--requeue` or `--no-requeue`. Default true. */
  requeue?: boolean;
  /** Seconds before the time limit at which the trainer gets SIGUSR2 (and checkpoints). Default 120. */
  signal_before?: number;
}

export interface ExecutorSpec extends SlurmOptions {
  kind: ExecutorKind;
}

/** spec key → sbatch flag, for the keys that are one flag with the value as written. */
export const SBATCH_FLAGS = {
  partition: '--partition',
  account: '--account',
  qos: '--qos',
  time: '--time',
  gres: '--gres',
  cpus_per_task: '--cpus-per-task',
  mem: '--mem',
  constraint: '--constraint',
} as const satisfies Partial<Record<keyof SlurmOptions, string>>;

export const SLURM_OPTION_KEYS = [...Object.keys(SBATCH_FLAGS), 'extra', 'requeue', 'signal_before'] as const;

/** Environment variable of each default: LAYERLAB_SLURM_PARTITION, ..., LAYERLAB_SLURM_EXTRA (space-separated). */
export const envName = (key: string): string => `LAYERLAB_SLURM_${key.toUpperCase()}`;

export const DEFAULT_SIGNAL_BEFORE = 120;

/** Seconds of a Slurm time limit, or null when `text` is not one. `UNLIMITED` / `INFINITE` → Infinity. */
export function parseSlurmTime(text: string): number | null {
  const t = text.trim();
  if (/^(UNLIMITED|INFINITE)$/i.test(t)) return Number.POSITIVE_INFINITY;
  const m = /^(?:(\d+)-)?(\d+)(?::(\d+))?(?::(\d+))?$/.exec(t);
  if (!m) return null;
  const [, d, a, b, c] = m;
  const n = (s: string | undefined) => (s === undefined ? 0 : Number(s));
  if (d !== undefined) return n(d) * 86400 + n(a) * 3600 + n(b) * 60 + n(c); // d-h[:m[:s]]
  if (c !== undefined) return n(a) * 3600 + n(b) * 60 + n(c); // h:m:s
  if (b !== undefined) return n(a) * 60 + n(b); // m:s
  return n(a) * 60; // minutes
}

const TEXT = /^[A-Za-z0-9_.:,=+@/-]+$/;

/** Problems of one `executor` section, as [key, message]; an empty list when it is valid. */
export function checkExecutorSpec(raw: Record<string, unknown>): [string, string][] {
  const problems: [string, string][] = [];
  const kind = raw.kind ?? 'local';
  if (!EXECUTOR_KINDS.includes(kind as ExecutorKind))
    problems.push(['kind', `expected ${EXECUTOR_KINDS.join(' or ')}`]);
  for (const [key, v] of Object.entries(raw)) {
    if (key === 'kind') continue;
    if (!(SLURM_OPTION_KEYS as readonly string[]).includes(key)) {
      problems.push([key, `unknown key; expected kind or one of ${SLURM_OPTION_KEYS.join(', ')}`]);
    } else if (kind !== 'slurm') {
      problems.push([key, 'a Slurm option: set kind: slurm']);
    } else if (key === 'cpus_per_task' || key === 'signal_before') {
      if (typeof v !== 'number' || !Number.isInteger(v) || v < (key === 'signal_before' ? 0 : 1)) {
        problems.push([key, `expected a whole number ≥ ${key === 'signal_before' ? 0 : 1}`]);
      }
    } else if (key === 'requeue') {
      if (typeof v !== 'boolean') problems.push([key, 'expected true or false']);
    } else if (key === 'extra') {
      if (!Array.isArray(v) || v.some((a) => typeof a !== 'string' || !a.startsWith('-'))) {
        problems.push([key, 'expected a list of sbatch flags, each starting with - (e.g. ["--exclusive"])']);
      } else if (v.some((a) => /^--?(wrap|parsable|chdir|output|error|job-name|dependency|[DoeJ])(=|$)/.test(a))) {
        problems.push([key, 'sets a flag LayerLab sets itself (--chdir, --output, --error, --job-name, ...)']);
      }
    } else if (typeof v !== 'string' || !TEXT.test(v)) {
      problems.push([key, 'expected one word of letters, digits and _ . : , = + @ / -']);
    } else if (key === 'time' && parseSlurmTime(v) === null) {
      problems.push([key, 'expected a Slurm time: minutes, mm:ss, hh:mm:ss, d-hh, d-hh:mm or d-hh:mm:ss']);
    }
  }
  return problems;
}

/** The LAYERLAB_SLURM_* defaults (unset or empty: none), checked like a spec section. */
export function slurmDefaultsFromEnv(env: Record<string, string | undefined>): SlurmOptions {
  const raw: Record<string, unknown> = {};
  for (const key of SLURM_OPTION_KEYS) {
    const v = env[envName(key)];
    if (v === undefined || v === '') continue;
    if (key === 'extra') raw[key] = v.split(/\s+/).filter(Boolean);
    else if (key === 'cpus_per_task' || key === 'signal_before') raw[key] = Number(v);
    else if (key === 'requeue') raw[key] = !/^(0|false|no)$/i.test(v);
    else raw[key] = v;
  }
  const problems = checkExecutorSpec({ kind: 'slurm', ...raw });
  if (problems.length > 0) {
    throw new Error(`invalid ${problems.map(([k, m]) => `${envName(k)}: ${m}`).join('; ')}`);
  }
  return raw as SlurmOptions;
}

/** The spec's section over the defaults; `extra` adds to the defaults' flags. */
export function mergeSlurmOptions(defaults: SlurmOptions, spec: SlurmOptions | undefined): SlurmOptions {
  const { kind: _kind, ...own } = (spec ?? {}) as ExecutorSpec;
  const merged: SlurmOptions = { ...defaults, ...own };
  const extra = [...(defaults.extra ?? []), ...(own.extra ?? [])];
  if (extra.length > 0) merged.extra = extra;
  else delete merged.extra;
  return merged;
}

/** Seconds before the time limit for `--signal=B:USR2@<s>`: at most half a short limit. */
export function signalLead(options: SlurmOptions): number {
  const lead = options.signal_before ?? DEFAULT_SIGNAL_BEFORE;
  const limit = options.time ? parseSlurmTime(options.time) : null;
  return limit !== null && Number.isFinite(limit) ? Math.min(lead, Math.floor(limit / 2)) : lead;
}

export interface SbatchJob {
  runId: string;
  dir: string;
  /** The batch script (written into the run folder). */
  script: string;
  /** A job this one waits for (`--dependency=afterok:<id>`): the base run's job (a placeholder in a dry run). */
  after?: number | string;
  /**
   * Whether the job's program takes SIGUSR2 as the time limit's warning (the built-in trainer: it checkpoints and
   * reports a timeout). A command run's program does not (its exit wrapper would die of it): no `--signal`.
   */
  warn?: boolean;
}

/** The batch script's name in the run folder. */
export const BATCH_SCRIPT = 'slurm-job.sh';

/** Slurm's job name for a run: how a job is told apart from another one with a reused id. */
export const jobName = (runId: string): string => `layerlab-${runId}`;

/** sbatch's arguments for one run (without the program name). */
export function sbatchArgs(options: SlurmOptions, job: SbatchJob): string[] {
  const args = [
    '--parsable',
    `--job-name=${jobName(job.runId)}`,
    `--chdir=${job.dir}`,
    `--output=${job.dir}/${STDOUT_LOG}`,
    `--error=${job.dir}/${STDERR_LOG}`,
    '--open-mode=append',
    ...(job.warn === false ? [] : [`--signal=B:USR2@${signalLead(options)}`]),
    options.requeue === false ? '--no-requeue' : '--requeue',
  ];
  for (const [key, flag] of Object.entries(SBATCH_FLAGS)) {
    const v = options[key as keyof typeof SBATCH_FLAGS];
    if (v !== undefined) args.push(`${flag}=${v}`);
  }
  if (job.after !== undefined) args.push(`--dependency=afterok:${job.after}`, '--kill-on-invalid-dep=yes');
  args.push(...(options.extra ?? []), job.script);
  return args;
}

/** Quote one word for sh: `'...'`, with embedded quotes closed and escaped. */
export const shellQuote = (s: string): string =>
  /^[A-Za-z0-9_./:=@%+-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;

/** The sbatch line as a user would type it, for the dry run and the docs. */
export const sbatchLine = (args: string[]): string => ['sbatch', ...args].map(shellQuote).join(' ');

export interface BatchScript {
  runId: string;
  dir: string;
  /** Where the program runs from (the LayerLab checkout for the built-in trainer). */
  cwd: string;
  env: Record<string, string>;
  /** The program when the run starts; `resume`: when a checkpoint exists (a Slurm requeue, or our resume). */
  start: string[];
  resume: string[] | null;
}

/**
 * The batch script of a run. It picks resume or start when it runs, not when it is submitted, so a job that
 * Slurm requeues (node failure, preemption) continues from the checkpoint its first run wrote. `exec` makes the
 * trainer the batch step's process, the one `--signal=B:USR2` (time limit) and scancel (SIGTERM) signal.
 */
export function batchScript(b: BatchScript): string {
  const q = shellQuote;
  const lines = [
    '#!/bin/sh',
    `# LayerLab run ${b.runId}, submitted by LayerLab's Slurm executor (docs/slurm.md).`,
    ...Object.entries({ ...b.env, LAYERLAB_RUN_ID: b.runId }).map(([k, v]) => `export ${k}=${q(v)}`),
    `cd ${q(b.cwd)} || exit 1`,
  ];
  if (b.resume) {
    const dir = q(b.dir);
    const current = `${dir}/${CHECKPOINT_DIR}/${CHECKPOINT_MANIFEST}`;
    const kept = `${dir}/${OLD_CHECKPOINT_PREFIX}*/${CHECKPOINT_MANIFEST}`;
    lines.push(`if [ -f ${current} ] || ls ${kept} >/dev/null 2>&1; then`, `  exec ${b.resume.map(q).join(' ')}`, 'fi');
  }
  lines.push(`exec ${b.start.map(q).join(' ')}`, '');
  return lines.join('\n');
}
