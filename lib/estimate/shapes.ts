/**
 * Model shapes for the memory and time estimates: the paper's models (public architecture facts from
 * each model's published config.json) and LayerLab's own presets (lib/protocol/config.ts).
 */
import { PRESETS, type Preset } from '@/lib/protocol/config';
import {
  baseInventory,
  blockGroup,
  blockLinears as inventoryLinears,
  countParams,
  presetShape,
  type LoraTarget,
  type ModelShape,
} from '@/lib/protocol/inventory';

/**
 * The shape type and the parameter inventory live in lib/protocol/inventory.ts, shared with the trainer.
 * `family` says what the implementation keeps for backward. Sources: the Hugging Face `transformers`
 * eager implementations of early 2024 (no flash attention), which is what the paper measured.
 * - `gpt2`: LayerNorm, fused GELU-tanh written as elementwise ops, dropout on attention and residuals,
 *   logits and loss in the training dtype.
 * - `llama`: RMSNorm computed in fp32, SwiGLU, softmax in fp32, logits upcast to fp32 for the loss.
 * - `phi`: one LayerNorm per block (parallel attention and MLP), GELU-tanh, q·kᵀ and softmax in fp32,
 *   logits upcast to fp32.
 */
export type { ImplFamily, LoraTarget, ModelShape } from '@/lib/protocol/inventory';
export { presetShape } from '@/lib/protocol/inventory';

/** Paper-scale models: layers, hidden, intermediate, heads, vocab as published by their authors. */
export const PAPER_MODELS = {
  'gpt2-small': {
    name: 'GPT2-Small',
    layers: 12,
    hidden: 768,
    intermediate: 3072,
    heads: 12,
    kvHeads: 12,
    vocab: 50257,
    positions: 1024,
    tied: true,
    mlp: 'gelu',
    norm: 'layernorm',
    parallel: false,
    biases: 'all',
    headBias: false,
    family: 'gpt2',
    ctx: 1024,
  },
  tinyllama: {
    name: 'TinyLlama-1.1B',
    layers: 22,
    hidden: 2048,
    intermediate: 5632,
    heads: 32,
    kvHeads: 4,
    vocab: 32000,
    positions: 0,
    tied: false,
    mlp: 'swiglu',
    norm: 'rmsnorm',
    parallel: false,
    biases: 'none',
    headBias: false,
    family: 'llama',
    ctx: 2048,
  },
  'phi-2': {
    name: 'Phi-2',
    layers: 32,
    hidden: 2560,
    intermediate: 10240,
    heads: 32,
    kvHeads: 32,
    vocab: 51200,
    positions: 0,
    tied: false,
    mlp: 'gelu',
    norm: 'layernorm',
    parallel: true,
    biases: 'all',
    headBias: true,
    family: 'phi',
    ctx: 2048,
  },
  'mistral-7b': {
    name: 'Mistral-7B',
    layers: 32,
    hidden: 4096,
    intermediate: 14336,
    heads: 32,
    kvHeads: 8,
    vocab: 32000,
    positions: 0,
    tied: false,
    mlp: 'swiglu',
    norm: 'rmsnorm',
    parallel: false,
    biases: 'none',
    headBias: false,
    family: 'llama',
    ctx: 32768,
  },
  'llama-2-7b': {
    name: 'LLaMA-2-7B',
    layers: 32,
    hidden: 4096,
    intermediate: 11008,
    heads: 32,
    kvHeads: 32,
    vocab: 32000,
    positions: 0,
    tied: false,
    mlp: 'swiglu',
    norm: 'rmsnorm',
    parallel: false,
    biases: 'none',
    headBias: false,
    family: 'llama',
    ctx: 4096,
  },
  'llama-2-70b': {
    name: 'LLaMA-2-70B',
    layers: 80,
    hidden: 8192,
    intermediate: 28672,
    heads: 64,
    kvHeads: 8,
    vocab: 32000,
    positions: 0,
    tied: false,
    mlp: 'swiglu',
    norm: 'rmsnorm',
    parallel: false,
    biases: 'none',
    headBias: false,
    family: 'llama',
    ctx: 4096,
  },
} as const satisfies Record<string, ModelShape>;

export type PaperModel = keyof typeof PAPER_MODELS;

/** A shape by name: a LayerLab preset or a paper model. */
export function modelShape(name: string): ModelShape | undefined {
  if ((PRESETS as readonly string[]).includes(name)) return presetShape(name as Preset);
  return (PAPER_MODELS as Record<string, ModelShape>)[name];
}

/** Which saved tensor feeds a linear: linears sharing a slot read the same input tensor. */
export type InputSlot = 'attn_in' | 'o_in' | 'mlp_in' | 'down_in';

export interface BlockLinear {
  /** LoRA targets that adapt it (q, k and v for a fused qkv). */
  targets: readonly LoraTarget[];
  slot: InputSlot;
  in: number;
  out: number;
}

/** The linear layers of one block (from the inventory), tagged with the saved tensor each one reads. */
export function blockLinears(s: ModelShape): BlockLinear[] {
  // Phi-2's attention and MLP read the same LayerNorm output (parallel block).
  const slot = (module: string): InputSlot => {
    if (module === 'attn.o') return 'o_in';
    if (module.startsWith('attn.')) return 'attn_in';
    if (module === 'mlp.proj' || module === 'mlp.down') return 'down_in';
    return s.parallel ? 'attn_in' : 'mlp_in';
  };
  return inventoryLinears(s).map((l) => ({ targets: l.targets, slot: slot(l.module), in: l.in, out: l.out }));
}

export interface ParamCounts {
  embed: number;
  pos: number;
  head: number;
  /** One block (every block has the same tensors). */
  block: number;
  final: number;
  total: number;
}

/** Parameter counts by group, summed over the shared inventory. A tied head counts 0 (it is the embedding). */
export function paramCounts(s: ModelShape): ParamCounts {
  const inv = baseInventory(s);
  const group = (g: string) => countParams(inv.filter((p) => p.group === g));
  return {
    embed: group('embed'),
    pos: group('pos'),
    head: group('head'),
    block: group(blockGroup(0)),
    final: group('lnf'),
    total: countParams(inv),
  };
}
