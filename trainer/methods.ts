/**
 * Fine-tuning methods as plug-ins to the training loop: each says which parameters train at a step.
 * The loop never branches on the method; LISA's period switches come back as data.
 *
 * Frozen parameters are simply left out of the varList given to tf.variableGrads, so no weight-gradient
 * matmul runs for them (activation gradients still flow through every block, because the embedding
 * below them trains).
 */
import type { OptimizerState } from '../lib/protocol/config';
import type { GPT, LoraTarget, Param } from './model';
import { LISA_ALWAYS } from '../lib/protocol/inventory';
import { LisaSampler, startsPeriod, type LisaSamplerState, type SamplingRule } from './lisa';

export interface PeriodSwitch {
  period: number;
  active: number[];
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
}

/** Groups LISA always trains: in the paper "E+H", and in the official code also wpe and the final norm. */
export { LISA_ALWAYS };

export interface MethodOptions {
  method: 'full' | 'lora' | 'lisa';
  gamma: number;
  interval: number;
  sampling: SamplingRule;
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

function lisa(model: GPT, o: MethodOptions): TrainingMethod {
  const sampler = new LisaSampler(model.shape.layers, o.gamma, o.sampling, o.seed);
  const base = model.params.filter((p) => p.role === 'base');
  let current: Param[] = base.filter((p) => LISA_ALWAYS.has(p.group));
  const select = (active: number[]) => {
    const groups = new Set([...LISA_ALWAYS, ...active.map((i) => `block.${i}`)]);
    current = base.filter((p) => groups.has(p.group));
  };
  return {
    name: 'lisa',
    beforeStep(step) {
      if (!startsPeriod(step, o.interval)) return null;
      const active = sampler.next();
      select(active);
      if (o.optimizerState === 'keep' || sampler.period === 0) return { period: sampler.period, active, reset: false };
      return {
        period: sampler.period,
        active,
        reset: true,
        resetScope: o.optimizerState === 'reset_all' ? 'all' : 'blocks',
      };
    },
    trainable: () => current,
    everTrainable: () => base,
    samplerState: () => sampler.state(),
    restoreSampler(s) {
      sampler.restore(s);
      select(s.active);
    },
  };
}
