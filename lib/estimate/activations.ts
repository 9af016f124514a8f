/**
 * Activation memory: the tensors autograd keeps from the forward pass for the backward pass, at the
 * moment backward starts (batch × sequence × per-token bytes). No gradient checkpointing, no flash
 * attention: attention keeps its [B, H, T, T] score matrices.
 *
 * A linear layer keeps its input only when its weight is trainable (PyTorch saves a tensor only for
 * the gradients it will compute), so frozen blocks — all blocks under LoRA, all but γ under LISA —
 * keep less. Everything on the path to a trainable tensor still keeps what its input gradient needs:
 * normalisation inputs, q/k/v, the softmax output, the MLP non-linearity's inputs.
 */
import { blockLinears, type InputSlot, type LoraTarget, type ModelShape } from './shapes';

export interface ActivationInput {
  batch: number;
  seq: number;
  /** Bytes per activation element: 4 in fp32, 2 under fp16/bf16. */
  elementBytes: number;
  /** Blocks whose weights are trainable (keep their linear inputs). */
  trainableBlocks: number;
  /** LoRA adapters on every block, if any. */
  lora?: { rank: number; targets: readonly LoraTarget[]; dropout: boolean };
  /** `eager` keeps the [B, H, T, T] scores; `sdpa` (fused memory-efficient kernel) keeps O(T) state. */
  attention: AttentionKernel;
}

export type AttentionKernel = 'eager' | 'sdpa';

export interface ActivationBreakdown {
  /** Per token, one block whose weights train. */
  trainableBlockPerToken: number;
  /** Per token, one frozen block (with LoRA adapters if any). */
  frozenBlockPerToken: number;
  /** Per token: logits and loss (kept logits, log-softmax output, their gradients). */
  logitsPerToken: number;
  total: number;
}

/** Bytes one block keeps per token. */
export function blockBytesPerToken(
  s: ModelShape,
  e: number,
  seq: number,
  trainable: boolean,
  attention: AttentionKernel,
  lora?: ActivationInput['lora'],
): number {
  const h = s.hidden;
  const I = s.intermediate;
  const norms = s.family === 'phi' ? 1 : 2;
  // RMSNorm (llama) upcasts to fp32: x·rsqrt keeps the fp32 input; the weight multiply keeps the
  // normalised half tensor only for the weight's gradient. LayerNorm keeps its input.
  const norm = s.family === 'llama' ? 4 * h + (trainable ? e * h : 0) : e * h;
  const eager = attention === 'eager';
  // q, k (after repeat_kv, so full width under GQA), v, kept by the attention matmuls or kernel;
  // Phi-2's eager path computes q·kᵀ in fp32.
  const qkv = s.family === 'phi' && eager ? (4 + 4 + e) * h : 3 * e * h;
  // Eager, per score element: softmax output (+ its half-precision copy; + dropout mask and output
  // for GPT-2). The fused kernel keeps its output and one fp32 log-sum-exp per head instead.
  const perScore = s.family === 'gpt2' ? 2 * e + 1 : 4 + (e === 4 ? 0 : e);
  const scores = eager ? perScore * s.heads * seq : e * h + 4 * s.heads;
  // MLP non-linearity: GELU-tanh as elementwise ops keeps 4 tensors of width I; SwiGLU keeps 3.
  const mlp = (s.mlp === 'gelu' ? 4 : 3) * e * I;
  // Residual dropout masks (1 byte each): GPT-2 and Phi-2 drop after attention and after the MLP.
  const dropout = s.family === 'llama' ? 0 : 2 * h;
  let bytes = norms * norm + qkv + scores + mlp + dropout;
  const linears = blockLinears(s);
  if (trainable) bytes += e * slotWidths(s, new Set(linears.map((l) => l.slot)));
  if (lora) {
    const targeted = linears.filter((l) => l.targets.some((t) => lora.targets.includes(t)));
    // lora_B keeps lora_A's output (width r); lora_A keeps its (dropped-out) input.
    bytes += targeted.length * e * lora.rank;
    bytes += lora.dropout
      ? targeted.reduce((n, l) => n + (1 + e) * l.in, 0)
      : trainable
        ? 0
        : e * slotWidths(s, new Set(targeted.map((l) => l.slot)));
  }
  return bytes;
}

function slotWidths(s: ModelShape, slots: Set<InputSlot>): number {
  let n = 0;
  for (const slot of slots) n += slot === 'down_in' ? s.intermediate : s.hidden;
  return n;
}

/** Logits and loss per token. GPT-2 computes the loss in the training dtype; the others in fp32. */
export function logitsBytesPerToken(s: ModelShape, e: number): number {
  return (s.family === 'gpt2' ? 4 * e : 16) * s.vocab;
}

export function activationBytes(s: ModelShape, a: ActivationInput): ActivationBreakdown {
  const e = a.elementBytes;
  const trainableBlockPerToken = blockBytesPerToken(s, e, a.seq, true, a.attention, a.lora);
  const frozenBlockPerToken = blockBytesPerToken(s, e, a.seq, false, a.attention, a.lora);
  const logitsPerToken = logitsBytesPerToken(s, e) + 2 * e * s.hidden;
  const trainable = Math.min(a.trainableBlocks, s.layers);
  const perToken = trainable * trainableBlockPerToken + (s.layers - trainable) * frozenBlockPerToken + logitsPerToken;
  return { trainableBlockPerToken, frozenBlockPerToken, logitsPerToken, total: a.batch * a.seq * perToken };
}
