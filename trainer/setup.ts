/**
 * Building a run from its resolved config: data, model (fresh or from a base checkpoint), method,
 * optimizer, W₀ reference for the norm traces, and — on resume — the state of the last checkpoint.
 */
import * as tf from '@tensorflow/tfjs';
import type { TrainConfig } from '../lib/protocol/config';
import { epochSteps, MODEL_PRESETS } from '../lib/protocol/config';
import { lisaTrainable } from '../lib/protocol/inventory';
import type { CheckpointData } from './checkpoint';
import { loadDataset, type Dataset, type EvalSet } from './data/index';
import { createMethod, type TrainingMethod } from './methods';
import { HF_DEFAULT_SEQ, hfDataset, hfModel, hfModelShape, type HfRun } from './hf/run';
import type { HfTokenizer } from './hf/tokenizer';
import { GPT, type LoraTarget, type ModelShape, type Param } from './model';
import { ConfigError } from './config';
import { snapshot, weightsHash } from './norms';
import { AdamW } from './optim';

export interface RunState {
  config: TrainConfig;
  seq: number;
  shape: ModelShape;
  data: Dataset;
  /** The fixed held-out set every evaluation of this run scores (`eval_records` items). */
  evalSet: EvalSet;
  model: GPT;
  method: TrainingMethod;
  optimizer: AdamW;
  /** W₀ of every base parameter the method can change. */
  reference: Map<string, tf.Tensor>;
  /** SHA-256 of every base parameter before training (see `weightsHash`). */
  w0Hash: string;
  /** Last completed update (0 on a fresh run). */
  step: number;
  progress: Record<string, number>;
  /** A Hugging Face model's tokenizer (absent for the presets: the byte tokenizer). */
  tokenizer?: HfTokenizer;
}

/** Load named parameter values into the model; every name must exist with the same shape. */
function loadParams(model: GPT, params: CheckpointData['params'], only?: (name: string) => boolean): void {
  for (const p of params) {
    if (only && !only(p.name)) continue;
    if (!model.has(p.name)) throw new Error(`checkpoint tensor ${p.name} does not exist in this model`);
    const v = model.param(p.name).variable;
    if (v.shape.join('x') !== p.shape.join('x')) {
      throw new Error(`checkpoint tensor ${p.name} has shape [${p.shape}] but the model expects [${v.shape}]`);
    }
    const t = tf.tensor(p.values, p.shape);
    v.assign(t);
    t.dispose();
  }
}

export function modelShape(config: TrainConfig, base: CheckpointData | null, hf?: HfRun): ModelShape {
  if (hf) return hfModelShape(hf.folder);
  return base ? base.manifest.shape : MODEL_PRESETS[config.preset];
}

/** `hf`: the run fine-tunes a Hugging Face model folder (config.model_path) with its tokenizer. */
export function buildRun(
  config: TrainConfig,
  base: CheckpointData | null,
  resume: CheckpointData | null,
  hf?: HfRun,
): RunState {
  const shape = modelShape(config, base, hf);
  const seq = config.seq ?? Math.min(shape.ctx, hf ? HF_DEFAULT_SEQ : shape.ctx);
  const dataOpts = { seq, seed: config.seed, stage: config.stage };
  const data = hf ? hfDataset(hf, config.data, dataOpts, config.template) : loadDataset(config.data, dataOpts);
  const evalSet = data.evalSet(config.eval_records);
  const model = hf ? hfModel(hf) : GPT.create(shape, config.seed);
  if (base) loadParams(model, base.params, (name) => !name.includes('.lora_'));
  let reference = new Map<string, tf.Tensor>();
  const method = createMethod(model, {
    method: config.method,
    gamma: config.gamma,
    interval: config.interval,
    sampling: config.sampling,
    granularity: config.granularity,
    importanceTau: config.importance_tau,
    importanceEps: config.importance_eps,
    importanceScore: config.importance_score,
    fixedBlocks: config.fixed_blocks,
    reference: () => reference,
    optimizerState: config.optimizer_state,
    rank: config.rank,
    alpha: config.alpha,
    loraTargets: config.lora_targets as LoraTarget[],
    loraTrainEmbed: config.lora_train_embed,
    seed: config.seed,
  });
  // W₀ before any resumed weights are loaded: the base (or initial) weights of this run.
  reference = snapshot(method.everTrainable().filter((p) => p.role === 'base'));
  const w0Hash = weightsHash(model.params.filter((p) => p.role === 'base'));
  const stored = resume?.manifest.w0_sha256;
  if (stored && stored !== w0Hash) {
    const from = config.model_path
      ? `the model folder ${config.model_path}`
      : config.stage === 'finetune'
        ? `the base checkpoint ${config.base}`
        : `seed ${config.seed}`;
    throw new ConfigError(
      `W₀ (the weights from ${from}) changed since the run started: sha256 ${w0Hash.slice(0, 12)}… ` +
        `instead of ${stored.slice(0, 12)}…; restore that base or start a new run`,
    );
  }
  const optimizer = new AdamW({ weightDecay: config.weight_decay });
  let step = 0;
  let progress: Record<string, number> = {};
  if (resume) {
    loadParams(model, resume.params);
    optimizer.importState(resume.optimizer, new Map(model.params.map((p) => [p.name, p.variable.shape])));
    if (resume.manifest.sampler) method.restoreSampler(resume.manifest.sampler);
    step = resume.manifest.step;
    progress = { ...resume.manifest.progress };
  }
  return {
    config,
    seq,
    shape,
    data,
    evalSet,
    model,
    method,
    optimizer,
    reference,
    w0Hash,
    step,
    progress,
    tokenizer: hf?.tokenizer,
  };
}

/**
 * A config with `epochs`: its steps derived from the run's data, ⌈epochs × records ÷ (batch × grad_accum)⌉, and
 * a line saying how. `stepsGiven`: the user also gave `steps`, which must then be that number (a resolved config,
 * as the sweep planner and checkpoints write it).
 */
export function resolveEpochs(
  config: TrainConfig,
  data: Dataset,
  stepsGiven: boolean,
): { config: TrainConfig; note: string } {
  const epochs = config.epochs!;
  const records = data.trainRecords;
  if (records === undefined) {
    throw new ConfigError(
      `epochs needs data of a known size, and ${config.data} draws new records at every step without end: give steps`,
    );
  }
  const accum = config.grad_accum ?? 1;
  const steps = epochSteps(epochs, records, config.batch, accum);
  const how = `epochs ${epochs} × ${records} training records ÷ (batch ${config.batch} × grad_accum ${accum})`;
  if (stepsGiven && config.steps !== steps)
    throw new ConfigError(`give steps or epochs, not both: ${how} = ${steps} steps, but steps is ${config.steps}`);
  return { config: { ...config, steps }, note: `${how} = ${steps} steps` };
}

/**
 * `run_started`'s model: the variables the trainer built, counted. Trainable: those updated at a step
 * (LISA: the groups outside the blocks plus γ blocks, whichever γ are drawn).
 */
export function modelInfo(
  model: GPT,
  method: TrainingMethod,
  config: Pick<TrainConfig, 'gamma'> & Partial<Pick<TrainConfig, 'granularity' | 'sampling' | 'fixed_blocks'>>,
) {
  const count = (ps: Param[]) => ps.reduce((n, p) => n + p.variable.size, 0);
  let trainableParams = count(method.trainable());
  if (method.name === 'lisa') {
    const base = model.params.filter((p) => p.role === 'base');
    trainableParams = lisaTrainable(
      base.map((p) => ({ group: p.group, module: p.module, size: p.variable.size })),
      {
        gamma: config.gamma,
        granularity: config.granularity,
        fixedBlocks: config.sampling === 'fixed' ? config.fixed_blocks : undefined,
      },
    );
  }
  return { params: count(model.params), trainableParams, groups: model.groups };
}

export function disposeRun(r: RunState): void {
  r.optimizer.dispose();
  for (const t of r.reference.values()) t.dispose();
  r.model.dispose();
}
