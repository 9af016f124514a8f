/**
 * Model shapes for the memory and time estimates: the paper's models (public architecture facts from
 * each model's published config.json) and LayerLab's own presets (lib/protocol/config.ts).
 */
import { MODEL_PRESETS, PRESETS, type Preset } from '@/lib/protocol/config';

/**
 * What the implementation keeps for backward, by family. Sources: the Hugging Face `transformers`
 * eager implementations of early 2024 (no flash attention), which is what the paper measured.
 * - `gpt2`: LayerNorm, fused GELU-tanh written as elementwise ops, dropout on attention and residuals,
 *   logits and loss in the training dtype.
 * - `llama`: RMSNorm computed in fp32, SwiGLU, softmax in fp32, logits upcast to fp32 for the loss.
 * - `phi`: one LayerNorm per block (parallel attention and MLP), GELU-tanh, q·kᵀ and softmax in fp32,
 *   logits upcast to fp32.
 */
export type ImplFamily = 'gpt2' | 'llama' | 'phi';

export interface ModelShape {
  name: string;
  layers: number;
  hidden: number;
  intermediate: number;
  heads: number;
  /** Key/value heads (grouped-query attention); equals `heads` for multi-head attention. */
  kvHeads: number;
  vocab: number;
  /** Learned position embeddings (GPT-2); 0 for rotary models. */
  positions: number;
  /** LM head shares the token embedding's weights. */
  tied: boolean;
  mlp: 'gelu' | 'swiglu';
  biases: boolean;
  family: ImplFamily;
  /** Context length (the default sequence length). */
  ctx: number;
}

/** Paper-scale models: layers, hidden, intermediate, heads, vocab as published by their authors. */
export const PAPER_MODELS = {
  'gpt2-small': { name: 'GPT2-Small', layers: 12, hidden: 768, intermediate: 3072, heads: 12, kvHeads: 12,
    vocab: 50257, positions: 1024, tied: true, mlp: 'gelu', biases: true, family: 'gpt2', ctx: 1024 },
  tinyllama: { name: 'TinyLlama-1.1B', layers: 22, hidden: 2048, intermediate: 5632, heads: 32, kvHeads: 4,
    vocab: 32000, positions: 0, tied: false, mlp: 'swiglu', biases: false, family: 'llama', ctx: 2048 },
  'phi-2': { name: 'Phi-2', layers: 32, hidden: 2560, intermediate: 10240, heads: 32, kvHeads: 32,
    vocab: 51200, positions: 0, tied: false, mlp: 'gelu', biases: true, family: 'phi', ctx: 2048 },
  'mistral-7b': { name: 'Mistral-7B', layers: 32, hidden: 4096, intermediate: 14336, heads: 32, kvHeads: 8,
    vocab: 32000, positions: 0, tied: false, mlp: 'swiglu', biases: false, family: 'llama', ctx: 32768 },
  'llama-2-7b': { name: 'LLaMA-2-7B', layers: 32, hidden: 4096, intermediate: 11008, heads: 32, kvHeads: 32,
    vocab: 32000, positions: 0, tied: false, mlp: 'swiglu', biases: false, family: 'llama', ctx: 4096 },
  'llama-2-70b': { name: 'LLaMA-2-70B', layers: 80, hidden: 8192, intermediate: 28672, heads: 64, kvHeads: 8,
    vocab: 32000, positions: 0, tied: false, mlp: 'swiglu', biases: false, family: 'llama', ctx: 4096 },
} as const satisfies Record<string, ModelShape>;

export type PaperModel = keyof typeof PAPER_MODELS;

/** LayerLab's presets: GPT-2-style blocks (LayerNorm, 4d GELU MLP, learned positions, tied head). */
export function presetShape(preset: Preset): ModelShape {
  const p = MODEL_PRESETS[preset];
  return {
    name: preset, layers: p.layers, hidden: p.d, intermediate: 4 * p.d, heads: p.heads, kvHeads: p.heads,
    vocab: p.vocab, positions: p.ctx, tied: true, mlp: 'gelu', biases: true, family: 'gpt2', ctx: p.ctx,
  };
}

/** A shape by name: a LayerLab preset or a paper model. */
export function modelShape(name: string): ModelShape | undefined {
  if ((PRESETS as readonly string[]).includes(name)) return presetShape(name as Preset);
  return (PAPER_MODELS as Record<string, ModelShape>)[name];
}

export type LoraTarget = 'q' | 'k' | 'v' | 'o' | 'mlp';
/** Which saved tensor feeds a linear: linears sharing a slot read the same input tensor. */
export type InputSlot = 'attn_in' | 'o_in' | 'mlp_in' | 'down_in';

export interface BlockLinear {
  target: LoraTarget;
  slot: InputSlot;
  in: number;
  out: number;
}

/** The linear layers of one block, tagged with LayerLab's LoRA target names and their input slot. */
export function blockLinears(s: ModelShape): BlockLinear[] {
  const kv = (s.hidden / s.heads) * s.kvHeads;
  // Phi-2's attention and MLP read the same LayerNorm output (parallel block).
  const mlpSlot: InputSlot = s.family === 'phi' ? 'attn_in' : 'mlp_in';
  const up: BlockLinear = { target: 'mlp', slot: mlpSlot, in: s.hidden, out: s.intermediate };
  return [
    { target: 'q', slot: 'attn_in', in: s.hidden, out: s.hidden },
    { target: 'k', slot: 'attn_in', in: s.hidden, out: kv },
    { target: 'v', slot: 'attn_in', in: s.hidden, out: kv },
    { target: 'o', slot: 'o_in', in: s.hidden, out: s.hidden },
    ...(s.mlp === 'swiglu' ? [up, up] : [up]),
    { target: 'mlp', slot: 'down_in', in: s.intermediate, out: s.hidden },
  ];
}

export interface ParamCounts {
  embed: number;
  pos: number;
  head: number;
  block: number;
  final: number;
  total: number;
}

/** Parameter counts by group. A tied head counts 0 (it is the embedding). */
export function paramCounts(s: ModelShape): ParamCounts {
  const linears = blockLinears(s);
  const weights = linears.reduce((n, l) => n + l.in * l.out, 0);
  const biases = s.biases ? linears.reduce((n, l) => n + l.out, 0) : 0;
  const norms = (s.family === 'phi' ? 1 : 2) * (s.family === 'llama' ? 1 : 2) * s.hidden;
  const block = weights + biases + norms;
  const embed = s.vocab * s.hidden;
  const pos = s.positions * s.hidden;
  const head = s.tied ? 0 : s.vocab * s.hidden + (s.biases ? s.vocab : 0);
  const final = (s.family === 'llama' ? 1 : 2) * s.hidden;
  return { embed, pos, head, block, final, total: embed + pos + head + s.layers * block + final };
}
