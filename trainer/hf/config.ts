/**
 * A Hugging Face `config.json` → the shape LayerLab builds. Two families are understood:
 * GPT2LMHeadModel (model_type gpt2) and the Llama family (llama, mistral, qwen2). Field names and
 * defaults follow transformers' configuration classes (GPT2Config, LlamaConfig, MistralConfig, Qwen2Config).
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { ModelError } from './errors';

export type Family = 'gpt2' | 'llama';

/** Default sequence length of a --model run: the model's context, at most this. */
export const HF_DEFAULT_SEQ = 256;

export interface HfShape {
  family: Family;
  /** config.model_type: gpt2, llama, mistral or qwen2. */
  modelType: string;
  architecture: string;
  vocab: number;
  d: number;
  layers: number;
  heads: number;
  /** Key/value heads (grouped-query attention); = heads for GPT-2. */
  kvHeads: number;
  headDim: number;
  /** MLP hidden size. */
  ffn: number;
  ctx: number;
  eps: number;
  tied: boolean;
  /** Llama family only. */
  ropeTheta: number;
  /** Biases on q, k, v (qwen2; llama's attention_bias also puts one on o). */
  qkvBias: boolean;
  oBias: boolean;
  mlpBias: boolean;
}

const FAMILIES: Record<string, Family> = { gpt2: 'gpt2', llama: 'llama', mistral: 'llama', qwen2: 'llama' };
const ARCHITECTURES: Record<string, string> = {
  gpt2: 'GPT2LMHeadModel',
  llama: 'LlamaForCausalLM',
  mistral: 'MistralForCausalLM',
  qwen2: 'Qwen2ForCausalLM',
};

function int(c: Record<string, unknown>, file: string, ...keys: string[]): number {
  for (const k of keys) {
    const v = c[k];
    if (v === undefined || v === null) continue;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) {
      throw new ModelError(`${file}: ${k} must be a positive integer, got ${JSON.stringify(v)}`);
    }
    return v;
  }
  throw new ModelError(`${file}: missing ${keys.join(' / ')}`);
}

function num(c: Record<string, unknown>, key: string, fallback: number, file: string): number {
  const v = c[key] ?? fallback;
  if (typeof v !== 'number' || !Number.isFinite(v)) {
    throw new ModelError(`${file}: ${key} must be a number, got ${JSON.stringify(v)}`);
  }
  return v;
}

export function parseHfConfig(raw: unknown, file = 'config.json'): HfShape {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) throw new ModelError(`${file}: must hold a JSON object`);
  const c = raw as Record<string, unknown>;
  const modelType = String(c.model_type ?? '');
  const archs = Array.isArray(c.architectures) ? (c.architectures as string[]) : [];
  const family = FAMILIES[modelType];
  const supported = Object.values(ARCHITECTURES).join(', ');
  if (!family) {
    const what = archs[0] ?? `model_type '${modelType || '(none)'}'`;
    throw new ModelError(`${file}: unsupported architecture ${what} (supported: ${supported})`);
  }
  const architecture = archs[0] ?? ARCHITECTURES[modelType];
  if (architecture !== ARCHITECTURES[modelType]) {
    throw new ModelError(`${file}: unsupported architecture ${architecture} (supported: ${supported})`);
  }
  if (family === 'gpt2') {
    const d = int(c, file, 'n_embd');
    const heads = int(c, file, 'n_head');
    if (d % heads) throw new ModelError(`${file}: n_embd ${d} is not a multiple of n_head ${heads}`);
    const act = c.activation_function ?? 'gelu_new';
    if (act !== 'gelu_new') {
      throw new ModelError(`${file}: activation_function ${String(act)} is not supported (gelu_new)`);
    }
    if (c.scale_attn_by_inverse_layer_idx || c.reorder_and_upcast_attn) {
      throw new ModelError(`${file}: scale_attn_by_inverse_layer_idx / reorder_and_upcast_attn are not supported`);
    }
    return {
      family,
      modelType,
      architecture,
      vocab: int(c, file, 'vocab_size'),
      d,
      layers: int(c, file, 'n_layer'),
      heads,
      kvHeads: heads,
      headDim: d / heads,
      ffn: (c.n_inner as number | null | undefined) ?? 4 * d,
      ctx: int(c, file, 'n_positions', 'n_ctx'),
      eps: num(c, 'layer_norm_epsilon', 1e-5, file),
      tied: c.tie_word_embeddings !== false,
      ropeTheta: 0,
      qkvBias: true,
      oBias: true,
      mlpBias: true,
    };
  }
  const d = int(c, file, 'hidden_size');
  const heads = int(c, file, 'num_attention_heads');
  const kvHeads = c.num_key_value_heads == null ? heads : int(c, file, 'num_key_value_heads');
  if (heads % kvHeads) {
    throw new ModelError(`${file}: num_attention_heads ${heads} is not a multiple of num_key_value_heads ${kvHeads}`);
  }
  const headDim = c.head_dim == null ? d / heads : int(c, file, 'head_dim');
  if (!Number.isInteger(headDim) || headDim % 2) {
    throw new ModelError(`${file}: head dimension ${headDim} must be an even integer`);
  }
  const act = c.hidden_act ?? 'silu';
  if (act !== 'silu') throw new ModelError(`${file}: hidden_act ${String(act)} is not supported (silu)`);
  if (c.rope_scaling != null) {
    throw new ModelError(`${file}: rope_scaling ${JSON.stringify(c.rope_scaling)} is not supported`);
  }
  const attnBias = c.attention_bias === true;
  return {
    family,
    modelType,
    architecture,
    vocab: int(c, file, 'vocab_size'),
    d,
    heads,
    layers: int(c, file, 'num_hidden_layers'),
    kvHeads,
    headDim,
    ffn: int(c, file, 'intermediate_size'),
    ctx: int(c, file, 'max_position_embeddings'),
    eps: num(c, 'rms_norm_eps', 1e-6, file),
    tied: c.tie_word_embeddings === true,
    ropeTheta: num(c, 'rope_theta', 10000, file),
    qkvBias: modelType === 'qwen2' || attnBias,
    oBias: attnBias,
    mlpBias: c.mlp_bias === true,
  };
}

export function readHfConfig(dir: string): { shape: HfShape; raw: Record<string, unknown> } {
  if (!existsSync(dir)) throw new ModelError(`model folder not found: ${path.resolve(dir)}`);
  const file = path.join(dir, 'config.json');
  if (!existsSync(file)) throw new ModelError(`${path.resolve(dir)}: no config.json (not a Hugging Face model folder)`);
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new ModelError(`${file}: not valid JSON (${(e as Error).message})`);
  }
  return { shape: parseHfConfig(raw, file), raw: raw as Record<string, unknown> };
}
