/**
 * Fine-tuning methods as plug-ins to the training loop: each says which parameters train at a step.
 * The loop never branches on the method; LISA's period switches come back as data.
 *
 * Frozen parameters are simply left out of the varList given to tf.variableGrads, so no weight-gradient
 * matmul runs for them (activation gradients still flow through every block, because the embedding
 * below them trains).
 */
import * as tf from '@tensorflow/tfjs';
import type { Granularity, ImportanceScore, OptimizerState } from '../lib/protocol/config';
import { LISA_ALWAYS } from '../lib/protocol/inventory';
import { blocksOfUnits, fixedUnits, lisaUnits, unitOf } from '../lib/protocol/lisa-units';
import { ConfigError } from './config';
import { LisaSampler, startsPeriod, type LisaSamplerState, type SamplingRule } from './lisa';
import type { GPT, LoraTarget, Param } from './model';

export interface PeriodSwitch {
  period: number;
  /** Blocks with something drawn (with module granularity: a block any drawn module is in). */
  active: number[];
  /** Module granularity: the drawn modules (`block.i/attn.q`). */
  modules?: string[];
  /** `importance`: every unit's score behind this draw (absent at the first draw: nothing measured yet). */
  scores?: Record<string, number>;
  /** Whether any optimizer state is dropped at this switch (`reset_blocks`, `reset_all`; not `keep`). */
  reset: boolean;
  /** Whose state is dropped: the transformer blocks' only, or every variable's. */
  resetScope?: 'blocks' | 'all';
}

export interface TrainingMethod {
  readonly name: 'full' | 'lora' | 'lisa';
  /** Called before update `step` (1-based); a LISA period switch when one happens there. */
  beforeStep(step: number): PeriodSwitch | null;
  /** Parameters updated at the current step. */
  trainable(): Param[];
  /** Parameters that can ever change under this method (the others stay equal to W₀). */
  everTrainable(): Param[];
  samplerState(): LisaSamplerState | null;
  restoreSampler(s: LisaSamplerState): void;
  /** Whether update `step` must also differentiate the parameters frozen at it (a measurement needs them). */
  needsAllGrads(step: number): boolean;
  /** After update `step`: the squared gradient norm of each parameter differentiated at it. */
  afterStep(step: number, gradSq: Map<string, number> | null): void;
}

/** Groups LISA always trains: in the paper "E+H", and in the official code also wpe and the final norm. */
export { LISA_ALWAYS };

export interface MethodOptions {
  method: 'full' | 'lora' | 'lisa';
  gamma: number;
  interval: number;
  sampling: SamplingRule;
  granularity?: Granularity;
  importanceTau?: number;
  importanceEps?: number;
  importanceScore?: ImportanceScore;
  fixedBlocks?: (number | string)[];
  /** W₀ of the parameters that can change (the norm traces' reference): what `update_norm` measures against. */
  reference?: () => Map<string, tf.Tensor>;
  optimizerState: OptimizerState;
  rank: number;
  alpha: number;
  loraTargets: LoraTarget[];
  loraTrainEmbed: boolean;
  seed: number;
}

function basic(name: 'full' | 'lora', params: Param[]): TrainingMethod {
  return {
    name,
    beforeStep: () => null,
    trainable: () => params,
    everTrainable: () => params,
    samplerState: () => null,
    restoreSampler: () => undefined,
    needsAllGrads: () => false,
    afterStep: () => undefined,
  };
}

/** Sets the model up for the method (LoRA adds its adapters) and returns the plug-in. */
export function createMethod(model: GPT, o: MethodOptions): TrainingMethod {
  if (o.method === 'full')
    return basic(
      'full',
      model.params.filter((p) => p.role === 'base'),
    );
  if (o.method === 'lora') {
    model.addLora({ rank: o.rank, alpha: o.alpha, targets: o.loraTargets }, o.seed);
    const embedHead = new Set(o.loraTrainEmbed ? ['embed', 'head'] : []);
    return basic(
      'lora',
      model.params.filter((p) => p.role !== 'base' || embedHead.has(p.group)),
    );
  }
  return lisa(model, o);
}

/** Per unit, the L2 norm of W − W₀ over its parameters (0 for a parameter without a reference: never changed). */
function updateNorms(units: Param[][], reference: Map<string, tf.Tensor>): number[] {
  const squares = tf.tidy(() =>
    tf.stack(
      units.map((ps) => {
        const parts = ps.flatMap((p) => {
          const ref = reference.get(p.name);
          return ref ? [tf.sum(tf.square(tf.sub(p.variable, ref)))] : [];
        });
        return parts.length ? tf.addN(parts) : tf.scalar(0);
      }),
    ),
  );
  const out = Array.from(squares.dataSync(), Math.sqrt);
  squares.dispose();
  return out;
}

/** Per unit, ‖W₀‖ over its parameters (from the reference; 0 where a parameter has none). */
function referenceNorms(units: Param[][], reference: Map<string, tf.Tensor>): number[] {
  const squares = tf.tidy(() =>
    tf.stack(
      units.map((ps) => {
        const parts = ps.flatMap((p) => {
          const ref = reference.get(p.name);
          return ref ? [tf.sum(tf.square(ref))] : [];
        });
        return parts.length ? tf.addN(parts) : tf.scalar(0);
      }),
    ),
  );
  const out = Array.from(squares.dataSync(), Math.sqrt);
  squares.dispose();
  return out;
}

function lisa(model: GPT, o: MethodOptions): TrainingMethod {
  const granularity = o.granularity ?? 'block';
  const base = model.params.filter((p) => p.role === 'base');
  const unitNames = lisaUnits(base, granularity);
  const unitParams = unitNames.map((u) => base.filter((p) => unitOf(p, granularity) === u));
  let fixed: number[] | undefined;
  try {
    fixed = o.sampling === 'fixed' ? fixedUnits(o.fixedBlocks ?? [], unitNames, granularity) : undefined;
  } catch (e) {
    throw new ConfigError((e as Error).message);
  }
  if (o.sampling !== 'fixed' && o.gamma > unitNames.length) {
    const what = granularity === 'block' ? 'transformer blocks' : 'modules (over all blocks)';
    throw new ConfigError(`gamma (γ = ${o.gamma}) exceeds the number of ${what} (${unitNames.length})`);
  }
  const sampler = new LisaSampler(unitNames.length, o.gamma, o.sampling, o.seed, {
    tau: o.importanceTau,
    eps: o.importanceEps,
    fixed,
  });
  const score = o.sampling === 'importance' ? (o.importanceScore ?? 'grad_norm') : null;
  // Measurements for the next importance draw (saved with the sampler, so a resume mid-period continues exactly).
  let pending: number[] | undefined;
  let updateAtStart: number[] | undefined;
  let w0Norms: number[] | undefined;
  const always = base.filter((p) => LISA_ALWAYS.has(p.group));
  let current: Param[] = always;
  const select = (active: number[]) => {
    current = [...always, ...active.flatMap((u) => unitParams[u])];
    // Inventory order, as the other methods give their parameters.
    const order = new Map(base.map((p, i) => [p.name, i]));
    current.sort((a, b) => order.get(a.name)! - order.get(b.name)!);
  };
  /** The scores of the draw about to happen, from what was measured up to now (never later). */
  const scoresNow = (): number[] | undefined => {
    if (!score) return undefined;
    if (score === 'grad_norm') return pending;
    const ref = o.reference?.() ?? new Map<string, tf.Tensor>();
    const now = updateNorms(unitParams, ref);
    if (score === 'update_norm') return sampler.period < 0 ? undefined : now;
    w0Norms ??= referenceNorms(unitParams, ref);
    const before = updateAtStart;
    updateAtStart = now;
    if (!before || sampler.period < 0) return undefined;
    return now.map((u, i) => Math.abs(u - before[i]) / (o.interval * (w0Norms![i] || 1)));
  };
  const ever = o.sampling === 'fixed' ? [...always, ...(fixed ?? []).flatMap((u) => unitParams[u])] : base;
  return {
    name: 'lisa',
    beforeStep(step) {
      if (!startsPeriod(step, o.interval)) return null;
      const scores = scoresNow();
      const drawn = sampler.next(scores);
      pending = undefined;
      select(drawn);
      const names = drawn.map((u) => unitNames[u]);
      const sw: Omit<PeriodSwitch, 'reset'> = {
        period: sampler.period,
        active: granularity === 'block' ? drawn : blocksOfUnits(names),
      };
      if (granularity === 'module') sw.modules = names;
      if (scores) sw.scores = Object.fromEntries(unitNames.map((u, i) => [u, scores[i]]));
      if (o.optimizerState === 'keep' || sampler.period === 0) return { ...sw, reset: false };
      return { ...sw, reset: true, resetScope: o.optimizerState === 'reset_all' ? 'all' : 'blocks' };
    },
    trainable: () => current,
    everTrainable: () => ever,
    samplerState: () => ({
      ...sampler.state(),
      ...(pending ? { pending: [...pending] } : {}),
      ...(updateAtStart ? { updateAtStart: [...updateAtStart] } : {}),
    }),
    restoreSampler(s) {
      sampler.restore(s);
      pending = s.pending ? [...s.pending] : undefined;
      updateAtStart = s.updateAtStart ? [...s.updateAtStart] : undefined;
      select(s.active);
    },
    // grad_norm: the gradient of every unit at the last step of a period, frozen ones included.
    needsAllGrads: (step) => score === 'grad_norm' && step % o.interval === 0,
    afterStep(step, gradSq) {
      if (score !== 'grad_norm' || step % o.interval !== 0 || !gradSq) return;
      pending = unitParams.map((ps) => Math.sqrt(ps.reduce((sum, p) => sum + (gradSq.get(p.name) ?? 0), 0)));
    },
  };
}
