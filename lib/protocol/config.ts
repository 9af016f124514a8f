/**
 * The trainer's run configuration: the contract between the planner (which writes it to a run's
 * config.json) and the trainer (which reads it, then applies CLI flag overrides).
 * Keys are snake_case; CLI flags are the same names in kebab-case (`--optimizer-state`).
 */
import { z } from 'zod';
import { TOOL_ALIASES } from './dialects';

import {
  BACKENDS,
  DEPRECATED_OPTIMIZER_STATES,
  FIXED_UNIT,
  GRANULARITIES,
  IMPORTANCE_DEFAULTS,
  IMPORTANCE_SCORES,
  LORA_TARGETS,
  METHODS,
  OPTIMIZER_STATES,
  PRESETS,
  SAMPLING_RULES,
  type Preset,
} from './knobs';

export * from './knobs';

export const trainConfigSchema = z
  .object({
    stage: z.enum(['pretrain', 'finetune']).default('finetune'),
    preset: z.enum(PRESETS).default('nano'),
    method: z.enum(METHODS).default('full'),
    /** LISA: number of transformer blocks trained per period (γ). */
    gamma: z.number().int().min(0).default(2),
    /** LISA: steps between re-draws (K). */
    interval: z.number().int().min(1).default(20),
    /** LISA: how a period's blocks (or modules) are drawn (docs/trainer.md, "Sampling rules"). */
    sampling: z.enum(SAMPLING_RULES).default('uniform'),
    /** LISA: what one draw picks and γ counts: whole blocks, or modules (attn.q … mlp.proj, ln) across all blocks. */
    granularity: z.enum(GRANULARITIES).default('block'),
    /** `importance`: the temperature τ of p ∝ score^(1/τ) (large τ → uniform). */
    importance_tau: z.number().positive().default(IMPORTANCE_DEFAULTS.importance_tau),
    /** `importance`: the uniform floor ε mixed into every pick, so every unit keeps a chance of at least ε/N. */
    importance_eps: z.number().min(0).max(1).default(IMPORTANCE_DEFAULTS.importance_eps),
    /** `importance`: the measurement a unit's score is. */
    importance_score: z.enum(IMPORTANCE_SCORES).default(IMPORTANCE_DEFAULTS.importance_score),
    /** `fixed`: the blocks trained in every period (block indices; with module granularity also `i/attn.q`). */
    fixed_blocks: z
      .array(
        z.preprocess(
          (v) => (typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : v),
          z.union([z.number().int().min(0), z.string().regex(FIXED_UNIT, 'a block index or i/module, e.g. 3/attn.q')]),
        ),
      )
      .min(1)
      .optional(),
    optimizer_state: z
      .preprocess((v) => (typeof v === 'string' ? (DEPRECATED_OPTIMIZER_STATES[v] ?? v) : v), z.enum(OPTIMIZER_STATES))
      .default('reset_blocks'),
    rank: z.number().int().min(1).default(8),
    alpha: z.number().positive().default(16),
    lora_targets: z.array(z.enum(LORA_TARGETS)).min(1).default(['q', 'k', 'v', 'o', 'mlp']),
    lora_train_embed: z.boolean().default(false),
    seed: z.number().int().min(0).default(1),
    /** Optimizer updates. 0: evaluate the model on the data and stop (a check of a loaded model). */
    steps: z.number().int().min(0).default(100),
    /**
     * Passes over the training data instead of `steps`: steps = ⌈epochs × records ÷ (batch × grad_accum)⌉
     * (docs/trainer.md, "Epochs"). Giving both is an error unless `steps` is that number (a resolved config).
     */
    epochs: z.number().positive().optional(),
    lr: z.number().positive().default(3e-4),
    min_lr_ratio: z.number().min(0).max(1).default(0.1),
    warmup: z.number().int().min(0).default(0),
    /** Warm-up as a share of the optimizer steps: ⌈warmup_ratio × steps⌉ steps (not with `warmup`). */
    warmup_ratio: z.number().min(0).lt(1).optional(),
    schedule: z.enum(['cosine', 'linear', 'constant']).default('cosine'),
    weight_decay: z.number().min(0).default(0.0),
    grad_clip: z.number().min(0).default(1.0),
    batch: z.number().int().min(1).default(8),
    /** Micro-batches of `batch` sequences per optimizer step: one update of grad_accum × batch (absent: 1). */
    grad_accum: z.number().int().min(1).optional(),
    /** Sequence length; defaults to the preset's context length. */
    seq: z.number().int().min(2).optional(),
    /** A built-in data preset (`pretrain`, `instruct`) or a path to .txt / .json / .jsonl. */
    data: z.string().min(1).default('instruct'),
    /**
     * How records become text for a model folder (docs/models.md, "Templates"): `alpaca`, `chat` (the model's
     * chat_template) or a Jinja template file. Absent: Alpaca records use `alpaca`, chat records `chat`.
     */
    template: z.string().min(1).optional(),
    /** Base checkpoint directory (finetune stage). */
    base: z.string().optional(),
    /** A Hugging Face model folder (config.json, safetensors, tokenizer.json) to fine-tune instead of a preset. */
    model_path: z.string().optional(),
    /** Write the trained model as a Hugging Face folder: a directory, or true for OUT/hf. */
    save_hf: z.union([z.string().min(1), z.boolean()]).optional(),
    /** LoRA with save_hf: also write the merged weights W₀ + (α/r)·B·A as model.safetensors. */
    merge_lora: z.boolean().optional(),
    out: z.string().optional(),
    backend: z.enum(BACKENDS).default('auto'),
    eval_every: z.number().int().min(1).default(50),
    /** Held-out records (or text windows) every evaluation scores: the same set for every seed and batch. */
    eval_records: z.number().int().min(1).default(256),
    /** No longer used (the eval set was batch × eval_batches records); accepted so old configs still load. */
    eval_batches: z.number().int().min(1).optional(),
    norms_every: z.number().int().min(1).default(10),
    checkpoint_every: z.number().int().min(1).default(100),
    /** Checkpoints kept: the newest N, `checkpoint/` and N − 1 older `checkpoint-<step>/` (absent: 1). */
    keep_checkpoints: z.number().int().min(1).optional(),
  })
  .strict();

export type TrainConfig = z.infer<typeof trainConfigSchema>;
export type TrainConfigInput = z.input<typeof trainConfigSchema>;

/**
 * Other names for run-config keys: ms-swift and LMFlow settings (lib/protocol/dialects.ts: `learning_rate` → lr,
 * `lisa_activated_layers` → gamma, ...) and older spellings. A target missing from the schema has no
 * counterpart in this trainer yet.
 */
export const CONFIG_ALIASES: Record<string, string> = {
  ...TOOL_ALIASES,
  'optimizer-state': 'optimizer_state',
  model: 'model_path',
};

/**
 * Optimizer steps for `epochs` passes over `records` training records: ⌈epochs × records ÷ (batch × grad_accum)⌉
 * (docs/trainer.md, "Epochs"). The quotient is rounded to 12 digits first, so 0.1 × 30 ÷ 3 is 1 step, not 2.
 */
export function epochSteps(epochs: number, records: number, batch: number, gradAccum = 1): number {
  return Math.ceil(Number(((epochs * records) / (batch * gradAccum)).toPrecision(12)));
}

/** Model shapes of the presets. `gpt2` is the GPT-2 124M block shape (untied head, no biases: 163 M parameters). */
export const MODEL_PRESETS: Record<Preset, { vocab: number; d: number; layers: number; heads: number; ctx: number }> = {
  nano: { vocab: 256, d: 32, layers: 4, heads: 2, ctx: 32 },
  mini: { vocab: 256, d: 128, layers: 6, heads: 4, ctx: 64 },
  small: { vocab: 256, d: 256, layers: 8, heads: 8, ctx: 128 },
  gpt2: { vocab: 50257, d: 768, layers: 12, heads: 12, ctx: 1024 },
};

const SHORT_TARGETS: Record<string, ('q' | 'k' | 'v' | 'o' | 'mlp')[]> = {
  q_proj: ['q'],
  k_proj: ['k'],
  v_proj: ['v'],
  o_proj: ['o'],
  gate_proj: ['mlp'],
  up_proj: ['mlp'],
  down_proj: ['mlp'],
  c_attn: ['q', 'k', 'v'],
  c_proj: ['o', 'mlp'],
  c_fc: ['mlp'],
};

/** LoRA targets in the short vocabulary (q, k, v, o, mlp), PEFT module names mapped onto it. */
export function shortLoraTargets(targets: readonly string[]): ('q' | 'k' | 'v' | 'o' | 'mlp')[] {
  const out = new Set<'q' | 'k' | 'v' | 'o' | 'mlp'>();
  for (const t of targets) for (const s of SHORT_TARGETS[t] ?? [t as 'q']) out.add(s);
  return [...out];
}
