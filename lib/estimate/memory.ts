/**
 * Analytic peak-memory model for one training step: weights + gradients + AdamW state + activations +
 * a framework overhead, by method (full, LoRA, LISA), precision, batch and sequence length.
 *
 * Peak is taken as the sum of the four terms, as the LISA paper's own breakdown does. This assumes
 * gradients and kept activations coexist; for full fine-tuning that over-counts a little, which
 * roughly pays for the optimizer step's temporaries that we do not model.
 * Calibration against the paper's Table 1: see ./paper-table1.ts and docs/sweep-spec.md.
 */
import { activationBytes, type AttentionKernel } from './activations';
import { baseInventory, countParams, loraInventory, methodCounts } from '@/lib/protocol/inventory';
import { paramCounts, type LoraTarget, type ModelShape } from './shapes';

/**
 * - `fp32`: weights, gradients, both AdamW moments and activations in fp32.
 * - `mixed`: fp16/bf16 weights, gradients and activations, plus an fp32 master copy of trainable
 *   weights and fp32 moments (Apex/DeepSpeed-style mixed precision).
 * - `half`: everything in bf16/fp16, moments included (plain `model.to(bfloat16)` training, which is
 *   what the paper's LLaMA-2-7B breakdown shows: 2 + 2 + 4 bytes per trained parameter).
 */
export type Precision = 'fp32' | 'mixed' | 'half';
export type MemoryMethod = 'full' | 'lora' | 'lisa';

export interface MemoryInput {
  shape: ModelShape;
  method: MemoryMethod;
  batch: number;
  seq: number;
  precision: Precision;
  /** LoRA rank and the modules it adapts (default every linear); `loraEmbed` adds an embedding adapter. */
  rank?: number;
  loraTargets?: readonly LoraTarget[];
  loraEmbed?: boolean;
  /** LayerLab's `lora_train_embed`: the embedding and head groups train in full beside the adapters. */
  loraTrainEmbed?: boolean;
  /** LoRA dropout on the adapter input (PEFT/LMFlow default 0.05–0.1): keeps a mask and a copy. */
  loraDropout?: boolean;
  /** LISA: blocks trained per period (E+H+γL), state policy at a switch, and the number of switches. */
  gamma?: number;
  /** LISA: what γ counts (blocks, or modules) and a `fixed` rule's list (then γ does not count). */
  granularity?: 'block' | 'module';
  fixedBlocks?: readonly (number | string)[];
  /** LISA: only `keep` holds the state of blocks sampled earlier (`reset` is the old name of reset_all). */
  optimizerState?: 'reset_blocks' | 'reset_all' | 'reset' | 'keep';
  switches?: number;
  /** Attention kernel (default `eager`, which keeps the T×T scores). */
  attention?: AttentionKernel;
  /** Naive model parallelism: layers spread evenly over this many GPUs; the estimate is per GPU. */
  gpus?: number;
  /** Framework overhead per device (CUDA context, cuBLAS workspace, allocator slack). */
  overheadBytes?: number;
}

export interface MemoryBreakdown {
  weights: number;
  grads: number;
  optimizer: number;
  activations: number;
  overhead: number;
}

export interface MemoryEstimate {
  /** Peak bytes on one device (per GPU under model parallelism). */
  peakBytes: number;
  breakdown: MemoryBreakdown;
  params: number;
  trainableParams: number;
}

/** Default framework overhead on a CUDA device; calibrated on Table 1 (see paper-table1.ts). */
export const GPU_OVERHEAD_BYTES = 2 * 2 ** 30;
/** LayerLab's own trainer: a Node process with the tfjs runtime loaded (a rough figure). */
export const TFJS_OVERHEAD_BYTES = 256 * 2 ** 20;

const BYTES: Record<Precision, { weight: number; grad: number; optimizer: number; activation: number }> = {
  fp32: { weight: 4, grad: 4, optimizer: 8, activation: 4 },
  mixed: { weight: 2, grad: 2, optimizer: 12, activation: 2 },
  half: { weight: 2, grad: 2, optimizer: 4, activation: 2 },
};

/** Parameters added by LoRA adapters of rank r (the shared inventory's adapters, plus a PEFT embedding adapter). */
export function loraParams(s: ModelShape, rank: number, targets: readonly LoraTarget[], embed: boolean): number {
  const adapters = countParams(loraInventory(baseInventory(s), { rank, targets }));
  return adapters + (embed ? rank * (s.vocab + s.hidden) : 0);
}

/** Expected distinct blocks whose AdamW state exists after `switches` uniform draws of γ of N blocks. */
export function expectedKeptBlocks(layers: number, gamma: number, switches: number): number {
  if (gamma >= layers) return layers;
  return layers * (1 - (1 - gamma / layers) ** Math.max(1, switches));
}

export function estimateMemory(m: MemoryInput): MemoryEstimate {
  const s = m.shape;
  const b = BYTES[m.precision];
  const counts = paramCounts(s);
  const targets = m.loraTargets ?? ['q', 'k', 'v', 'o', 'mlp'];
  const gamma = Math.min(m.gamma ?? 2, s.layers);

  // Parameters and trainable parameters: the shared inventory's count, the one `run_started` reports.
  const built = methodCounts(s, {
    method: m.method,
    gamma: m.granularity === 'module' ? (m.gamma ?? 2) : gamma,
    granularity: m.granularity,
    fixedBlocks: m.fixedBlocks,
    rank: m.rank ?? 8,
    loraTargets: targets,
    loraTrainEmbed: m.loraTrainEmbed ?? false,
  });
  // A PEFT-style embedding adapter (the paper's setups; LayerLab's trainer has none).
  const embedAdapter = m.method === 'lora' && m.loraEmbed ? (m.rank ?? 8) * (s.vocab + s.hidden) : 0;
  const params = built.params + embedAdapter;
  const trainable = built.trainable + embedAdapter; // parameters with gradients this step
  let withState = trainable; // parameters holding optimizer state at the peak
  if (m.method === 'lisa' && m.optimizerState === 'keep') {
    withState += (expectedKeptBlocks(s.layers, gamma, m.switches ?? 1) - gamma) * counts.block;
  }
  const trainableBlocks = m.method === 'full' ? s.layers : m.method === 'lisa' ? gamma : 0;

  const act = activationBytes(s, {
    batch: m.batch,
    seq: m.seq,
    elementBytes: b.activation,
    trainableBlocks,
    attention: m.attention ?? 'eager',
    lora: m.method === 'lora' ? { rank: m.rank ?? 8, targets, dropout: m.loraDropout ?? true } : undefined,
  });
  const gpus = Math.max(1, m.gpus ?? 1);
  const breakdown: MemoryBreakdown = {
    weights: (params * b.weight) / gpus,
    grads: (trainable * b.grad) / gpus,
    optimizer: (withState * b.optimizer) / gpus,
    activations: act.total / gpus,
    overhead: m.overheadBytes ?? GPU_OVERHEAD_BYTES,
  };
  const peakBytes = Object.values(breakdown).reduce((x, y) => x + y, 0);
  return { peakBytes, breakdown, params, trainableParams: trainable };
}
