/**
 * The plan of a sweep with per-run and total estimates (time, memory), for
 * `POST /api/sweeps?dryRun=1`. JSON-friendly: plain objects, finite numbers, bytes and seconds.
 */
import { shortLoraTargets, type TrainConfig } from '@/lib/protocol/config';
import { estimateMemory, TFJS_OVERHEAD_BYTES, type MemoryBreakdown, type Precision } from '@/lib/estimate/memory';
import { estimateRunTime, planTime, type ThroughputSample } from '@/lib/estimate/time';
import type { HfShape } from '@/trainer/hf/config';
import { runShape } from '@/trainer/hf/fit';
import { displayCommand, renderCommand } from './command';
import {
  BATCH_SCRIPT,
  mergeSlurmOptions,
  sbatchArgs,
  sbatchLine,
  type SlurmOptions,
} from '@/lib/scheduler/slurm-options';
import { planSweep, type PlannedRun, type SweepPlan } from './plan';
import type { SweepSpec } from './types';

export interface DryRunOptions {
  /** Precision the trainer computes in (LayerLab's tfjs trainer: fp32). */
  precision?: Precision;
  /** Per-process overhead added to every memory estimate. */
  overheadBytes?: number;
  /** Config hashes of runs already finished (e.g. a pretrain from an earlier sweep): they cost nothing. */
  finishedHashes?: Iterable<string>;
  /** The server's executor for sweeps without an `executor` section, and its Slurm defaults (LAYERLAB_SLURM_*). */
  executor?: { kind: string; slurmDefaults?: SlurmOptions };
}

export interface RunEstimate {
  seconds: number;
  tokens: number;
  tokensPerS: number;
  throughput: 'measured' | 'default';
  /** Which history the throughput came from (`preset+backend+method`, ..., `default`). */
  throughputMatch: string;
  memory: { peakBytes: number; breakdown: MemoryBreakdown; params: number; trainableParams: number };
  /** Already finished with the same config hash: not run again. */
  reused: boolean;
}

export type DryRunRun = PlannedRun & {
  estimate: RunEstimate;
  /** A command sweep's run: its argument vector (`${run_dir}` shown as `<run_dir>`) and that as one line. */
  command?: string[];
  commandLine?: string;
  /** The line the run is submitted with, when its sweep runs on Slurm (`<run>`: its id, unknown yet). */
  sbatch?: string;
};

/** Where a dry run's commands show the run folder, which does not exist yet. */
export const DRY_RUN_DIR = '<run_dir>';

export interface DryRun extends Omit<SweepPlan, 'pretrain' | 'runs'> {
  pretrain: DryRunRun | null;
  runs: DryRunRun[];
  totals: {
    /** Fine-tune runs (the pretrain not counted). */
    runs: number;
    steps: number;
    tokens: number;
    serialSeconds: number;
    parallelSeconds: number;
    slots: number;
    /** The largest single run. */
    peakMemoryBytes: number;
    /** The `slots` largest runs together: what concurrent runs may need at worst. */
    concurrentMemoryBytes: number;
  };
  assumptions: string[];
}

function memoryFor(config: TrainConfig, switches: number, options: DryRunOptions, hf: HfShape | null) {
  const shape = runShape(config, hf);
  const m = estimateMemory({
    shape,
    method: config.method,
    batch: config.batch,
    seq: config.seq ?? shape.ctx,
    precision: options.precision ?? 'fp32',
    attention: 'eager',
    rank: config.rank,
    loraTargets: shortLoraTargets(config.lora_targets),
    loraDropout: false,
    loraTrainEmbed: config.lora_train_embed,
    gamma: config.gamma,
    granularity: config.granularity,
    fixedBlocks: config.sampling === 'fixed' ? config.fixed_blocks : undefined,
    optimizerState: config.optimizer_state,
    switches,
    overheadBytes: options.overheadBytes ?? TFJS_OVERHEAD_BYTES,
  });
  const b = m.breakdown;
  const breakdown: MemoryBreakdown = {
    weights: Math.round(b.weights),
    grads: Math.round(b.grads),
    optimizer: Math.round(b.optimizer),
    activations: Math.round(b.activations),
    overhead: Math.round(b.overhead),
  };
  return { peakBytes: Math.round(m.peakBytes), breakdown, params: m.params, trainableParams: m.trainableParams };
}

function withEstimate(
  run: PlannedRun,
  history: ThroughputSample[],
  finished: Set<string>,
  options: DryRunOptions,
  hf: HfShape | null,
): DryRunRun {
  const memory = memoryFor(run.config, run.switches ?? 1, options, hf);
  const model = run.config.model_path ? { path: run.config.model_path, params: memory.params } : undefined;
  const t = estimateRunTime(run.config, history, model);
  const reused = finished.has(run.configHash);
  return {
    ...run,
    estimate: {
      seconds: reused ? 0 : Math.round(t.seconds * 10) / 10,
      tokens: t.tokens,
      tokensPerS: Math.round(t.tokensPerS),
      throughput: t.source,
      throughputMatch: t.match,
      memory,
      reused,
    },
  };
}

/** The sbatch line of a run of this sweep (after: it waits for the pretrain's job), or null off Slurm. */
function sbatchFor(spec: SweepSpec, options: DryRunOptions): ((after: boolean, warn: boolean) => string) | null {
  if ((spec.executor?.kind ?? options.executor?.kind ?? 'local') !== 'slurm') return null;
  const slurm = mergeSlurmOptions(options.executor?.slurmDefaults ?? {}, spec.executor);
  const dir = '$LAYERLAB_HOME/runs/<run>';
  const script = `${dir}/${BATCH_SCRIPT}`;
  // A command sweep's program gets no time-limit warning (SIGUSR2 is the built-in trainer's); its pretrain does.
  return (after, warn) =>
    sbatchLine(sbatchArgs(slurm, { runId: '<run>', dir, script, after: after ? '<pretrain job>' : undefined, warn }));
}

/** Plan `spec` and estimate every run; `slots` concurrent runs for the parallel total. */
export function dryRun(
  spec: SweepSpec,
  history: ThroughputSample[],
  slots: number,
  options: DryRunOptions = {},
): DryRun {
  const plan = planSweep(spec);
  const hf = spec.model.hf ?? null;
  const finished = new Set(options.finishedHashes ?? []);
  const line = sbatchFor(spec, options);
  const pretrain = plan.pretrain ? withEstimate(plan.pretrain, history, finished, options, hf) : null;
  const runs = plan.runs.map((r) => {
    const run = withEstimate(r, history, finished, options, hf);
    if (!spec.command || !r.args) return run;
    const argv = renderCommand({ spec: spec.command, args: r.args, runDir: DRY_RUN_DIR, seed: r.seed });
    return { ...run, command: argv, commandLine: displayCommand(argv) };
  });
  if (line) {
    if (pretrain) pretrain.sbatch = line(false, true);
    for (const r of runs) r.sbatch = line(!!pretrain && !pretrain.estimate.reused, !spec.command);
  }
  const all = pretrain ? [pretrain, ...runs] : runs;
  const time = planTime(
    pretrain?.estimate.seconds ?? 0,
    runs.map((r) => r.estimate.seconds),
    slots,
  );
  const peaks = all.map((r) => r.estimate.memory.peakBytes).sort((a, b) => b - a);

  const defaults = [
    ...new Set(
      all.filter((r) => r.estimate.throughput === 'default').map((r) => r.config.model_path ?? r.config.preset),
    ),
  ];
  const assumptions = [
    `memory: analytic model (lib/estimate/memory.ts) for the ${options.precision ?? 'fp32'} trainer` +
      (hf ? ` from ${spec.model.path}/config.json (${hf.architecture})` : '') +
      ', ' +
      `eager attention, ${Math.round((options.overheadBytes ?? TFJS_OVERHEAD_BYTES) / 2 ** 20)} MiB ` +
      `process overhead per run`,
    ...defaults.map((p) =>
      p === spec.model.path
        ? `time: no measured runs of the model ${p} on this machine; using the gpt2 preset's default throughput ` +
          'scaled by parameters'
        : `time: no measured runs of preset ${p} on this machine; using the default throughput for ${p}`,
    ),
    `time: ${time.slots} concurrent slot(s); fine-tune runs start after the pretrain`,
    ...(spec.command
      ? [
          'command sweep: each run is your program; time and memory above are what LayerLab’s trainer would need ' +
            `for preset ${spec.model.preset}, not your program's`,
        ]
      : []),
    ...new Set(
      all.flatMap((r) => {
        const c = r.config;
        if (r.records === undefined || c.epochs === undefined) return [];
        const per = `batch ${c.batch} × grad_accum ${c.grad_accum ?? 1}`;
        return [`steps: epochs ${c.epochs} × ${r.records} training records ÷ (${per}) = ${c.steps} steps`];
      }),
    ),
  ];
  return {
    name: plan.name,
    method: plan.method,
    duplicates: plan.duplicates,
    pretrain,
    runs,
    totals: {
      runs: runs.length,
      steps: all.filter((r) => !r.estimate.reused).reduce((n, r) => n + r.config.steps, 0),
      tokens: all.filter((r) => !r.estimate.reused).reduce((n, r) => n + r.estimate.tokens, 0),
      serialSeconds: Math.round(time.serialSeconds * 10) / 10,
      parallelSeconds: Math.round(time.parallelSeconds * 10) / 10,
      slots: time.slots,
      peakMemoryBytes: peaks[0] ?? 0,
      concurrentMemoryBytes: peaks.slice(0, time.slots).reduce((a, b) => a + b, 0),
    },
    assumptions,
  };
}
