/**
 * The values a run configuration's keys may take, and the few defaults read outside the trainer: plain constants,
 * no schema. The browser's views import these (a run's method, its LISA knobs) without loading zod, whose
 * evaluation cost every chart page a few hundred milliseconds before its first fetch; lib/protocol/config.ts builds
 * the schema from them and re-exports them.
 */

export const PRESETS = ['nano', 'mini', 'small', 'gpt2'] as const;
export type Preset = (typeof PRESETS)[number];
export const METHODS = ['full', 'lora', 'lisa'] as const;
export type Method = (typeof METHODS)[number];
/** What a stored run is: a method's fine-tune, a pretrain base, or an external run that did not say its method. */
export const RUN_KINDS = ['lisa', 'full', 'lora', 'pretrain', 'external'] as const;
export type StoredRunKind = (typeof RUN_KINDS)[number];
/** Short names (every architecture) and PEFT module names of Hugging Face models (`q_proj`, `c_attn`…). */
export const LORA_TARGETS = [
  'q',
  'k',
  'v',
  'o',
  'mlp',
  'q_proj',
  'k_proj',
  'v_proj',
  'o_proj',
  'gate_proj',
  'up_proj',
  'down_proj',
  'c_attn',
  'c_proj',
  'c_fc',
] as const;
/** LISA's sampling rules (docs/trainer.md, "Sampling rules"). */
export const SAMPLING_RULES = ['uniform', 'bernoulli', 'importance', 'fixed'] as const;
export type SamplingRule = (typeof SAMPLING_RULES)[number];
/** What one LISA draw picks: a whole transformer block, or one module of a block. */
export const GRANULARITIES = ['block', 'module'] as const;
export type Granularity = (typeof GRANULARITIES)[number];
/** The measurement behind an `importance` score (docs/trainer.md, "Sampling rules"). */
export const IMPORTANCE_SCORES = ['grad_norm', 'update_norm', 'weight_change_rate'] as const;
export type ImportanceScore = (typeof IMPORTANCE_SCORES)[number];
/** An entry of `fixed_blocks` given as text: a block index, or a block's module (`3/attn.q`, `block.3/ln`). */
export const FIXED_UNIT = /^(block\.)?\d+(\/[a-z_.]+)?$/;
export const BACKENDS = ['auto', 'tensorflow', 'wasm', 'cpu'] as const;
/**
 * LISA: what happens to AdamW state at a period switch (docs/trainer.md, "Optimizer state at a switch").
 * `reset_blocks`: drop the transformer blocks' state, keep the always-trained groups' (default);
 * `reset_all`: drop everything; `keep`: drop nothing.
 */
export const OPTIMIZER_STATES = ['reset_blocks', 'reset_all', 'keep'] as const;
export type OptimizerState = (typeof OPTIMIZER_STATES)[number];
/** Old spelling still found in stored configs: `reset` dropped every slot, i.e. today's `reset_all`. */
export const DEPRECATED_OPTIMIZER_STATES: Record<string, OptimizerState> = { reset: 'reset_all' };

/** The mode a stored config value means (`reset` → `reset_all`); undefined when it is not one. */
export function optimizerStateOf(value: unknown): OptimizerState | undefined {
  if (typeof value !== 'string') return undefined;
  const v = DEPRECATED_OPTIMIZER_STATES[value] ?? value;
  return (OPTIMIZER_STATES as readonly string[]).includes(v) ? (v as OptimizerState) : undefined;
}

/** The `importance` sampling rule's knobs and their defaults (the schema's defaults are these). */
export const IMPORTANCE_DEFAULTS = {
  importance_score: 'grad_norm' as ImportanceScore,
  importance_tau: 1,
  importance_eps: 0.1,
};
