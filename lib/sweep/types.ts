/** The sweep spec after validation (docs/sweep-spec.md). Keys are snake_case like the run config. */
import type { Method, Preset, TrainConfig } from '@/lib/protocol/config';
import type { HfShape } from '@/trainer/hf/config';
import type { CommandSpec } from './command';
import type { ExecutorSpec } from '@/lib/scheduler/slurm-options';

/** One problem in a spec: a dotted path (`parameters.gamma.values[2]`, '' for the whole spec) and why. */
export interface Problem {
  path: string;
  message: string;
}

export type ParamValue = TrainConfig[keyof TrainConfig];

/**
 * A swept parameter, W&B style: a list of values, one constant value, or (method random only) a
 * numeric range drawn with a distribution.
 */
export type ParameterSpec =
  | { values: ParamValue[] }
  | { value: ParamValue }
  | { min: number; max: number; distribution: Distribution };

export const DISTRIBUTIONS = ['uniform', 'int_uniform', 'log_uniform_values'] as const;
export type Distribution = (typeof DISTRIBUTIONS)[number];

/** Run-config keys a spec may set in `train`, `pretrain`, `parameters` and `baselines`. */
export type TrainOverrides = Partial<
  Omit<TrainConfig, 'stage' | 'preset' | 'data' | 'seed' | 'base' | 'out' | 'method'>
>;

/** Built-in data set (`pretrain`, `instruct`) or a path to a .txt / .json / .jsonl file. */
export type DataSpec = { preset: string } | { path: string };

export interface PretrainSpec {
  steps: number;
  seed: number;
  data: DataSpec;
  /** Other run-config keys for the pretrain stage (batch, seq, lr, ...). */
  overrides: TrainOverrides;
}

export interface BaselineSpec {
  method: Method;
  /** Optional display name. */
  name?: string;
  overrides: TrainOverrides;
  /**
   * This baseline's own grid, written inline (`lr: { values: [1e-3, 3e-3] }`): every value runs, under grid
   * and random search alike. Typically its own learning-rate axis.
   */
  parameters?: Record<string, ParameterSpec>;
}

export interface SweepSpec {
  name: string;
  description?: string;
  method: 'grid' | 'random';
  run_cap?: number;
  /** Seed of the random search's draws (not of the runs). */
  random_seed: number;
  /**
   * A preset (with an optional base checkpoint), or a Hugging Face model folder (`path`); `hf` is the folder's
   * shape, read from its config.json when the spec is submitted (lib/sweep/model.ts).
   */
  model: { preset?: Preset; base?: string; path?: string; hf?: HfShape };
  data: DataSpec;
  pretrain: PretrainSpec | null;
  train: TrainOverrides;
  /** In the order written; LISA runs are expanded over these. */
  parameters: Record<string, ParameterSpec>;
  seeds: number[];
  baselines: BaselineSpec[];
  /** A command sweep (docs/command-sweeps.md): each run is this program, not LayerLab's trainer. */
  command?: CommandSpec;
  /** Where its runs execute; absent: the server's default (LAYERLAB_EXECUTOR). */
  executor?: ExecutorSpec;
}

export type ParseResult = { ok: true; spec: SweepSpec } | { ok: false; problems: Problem[] };
