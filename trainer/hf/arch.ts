/**
 * The tensors of each supported architecture, as the safetensors file names and shapes them, and where
 * each lives in LayerLab: parameter name (the file's name), layer group, module, and whether it is
 * stored transposed. LayerLab multiplies h [N, d_in] by W [d_in, d_out]; torch's nn.Linear stores
 * [d_out, d_in] (transposed on load and save) and GPT-2's Conv1D stores [d_in, d_out] (as is).
 */
import type { HfShape } from './config';

export interface TensorSpec {
  /** Name in the safetensors file, which is also the parameter's name. */
  name: string;
  /** Shape in the file. */
  hfShape: number[];
  group: string;
  module: string | null;
  /** nn.Linear weight: the parameter is the transpose of the stored tensor. */
  transpose: boolean;
}

/** GPT-2 files from the hub name tensors `h.0…`; those written by save_pretrained `transformer.h.0…`. */
export function gpt2Prefix(names: Iterable<string>): string {
  for (const n of names) if (n.startsWith('transformer.')) return 'transformer.';
  return '';
}

function gpt2(s: HfShape, prefix: string): TensorSpec[] {
  const { d, vocab, ctx, ffn } = s;
  const out: TensorSpec[] = [];
  const add = (name: string, hfShape: number[], group: string, module: string | null) =>
    out.push({ name: prefix + name, hfShape, group, module, transpose: false });
  add('wte.weight', [vocab, d], 'embed', null);
  add('wpe.weight', [ctx, d], 'pos', null);
  for (let i = 0; i < s.layers; i++) {
    const g = `block.${i}`;
    const h = `h.${i}.`;
    add(`${h}ln_1.weight`, [d], g, 'ln');
    add(`${h}ln_1.bias`, [d], g, 'ln');
    add(`${h}attn.c_attn.weight`, [d, 3 * d], g, 'attn.c_attn');
    add(`${h}attn.c_attn.bias`, [3 * d], g, 'attn.c_attn');
    add(`${h}attn.c_proj.weight`, [d, d], g, 'attn.c_proj');
    add(`${h}attn.c_proj.bias`, [d], g, 'attn.c_proj');
    add(`${h}ln_2.weight`, [d], g, 'ln');
    add(`${h}ln_2.bias`, [d], g, 'ln');
    add(`${h}mlp.c_fc.weight`, [d, ffn], g, 'mlp.c_fc');
    add(`${h}mlp.c_fc.bias`, [ffn], g, 'mlp.c_fc');
    add(`${h}mlp.c_proj.weight`, [ffn, d], g, 'mlp.c_proj');
    add(`${h}mlp.c_proj.bias`, [d], g, 'mlp.c_proj');
  }
  add('ln_f.weight', [d], 'lnf', null);
  add('ln_f.bias', [d], 'lnf', null);
  if (!s.tied) out.push({ name: 'lm_head.weight', hfShape: [vocab, d], group: 'head', module: null, transpose: true });
  return out;
}

function llama(s: HfShape): TensorSpec[] {
  const { d, vocab, ffn, headDim } = s;
  const q = s.heads * headDim;
  const kv = s.kvHeads * headDim;
  const out: TensorSpec[] = [];
  const add = (name: string, hfShape: number[], group: string, module: string | null, transpose = false) =>
    out.push({ name, hfShape, group, module, transpose });
  add('model.embed_tokens.weight', [vocab, d], 'embed', null);
  for (let i = 0; i < s.layers; i++) {
    const g = `block.${i}`;
    const p = `model.layers.${i}.`;
    add(`${p}input_layernorm.weight`, [d], g, 'norm');
    for (const [m, dout] of [
      ['q_proj', q],
      ['k_proj', kv],
      ['v_proj', kv],
    ] as const) {
      add(`${p}self_attn.${m}.weight`, [dout, d], g, `self_attn.${m}`, true);
      if (s.qkvBias) add(`${p}self_attn.${m}.bias`, [dout], g, `self_attn.${m}`);
    }
    add(`${p}self_attn.o_proj.weight`, [d, q], g, 'self_attn.o_proj', true);
    if (s.oBias) add(`${p}self_attn.o_proj.bias`, [d], g, 'self_attn.o_proj');
    add(`${p}post_attention_layernorm.weight`, [d], g, 'norm');
    for (const [m, din, dout] of [
      ['gate_proj', d, ffn],
      ['up_proj', d, ffn],
      ['down_proj', ffn, d],
    ] as const) {
      add(`${p}mlp.${m}.weight`, [dout, din], g, `mlp.${m}`, true);
      if (s.mlpBias) add(`${p}mlp.${m}.bias`, [dout], g, `mlp.${m}`);
    }
  }
  add('model.norm.weight', [d], 'lnf', null);
  if (!s.tied) add('lm_head.weight', [vocab, d], 'head', null, true);
  return out;
}

/** Every tensor the architecture needs, in the order transformers' state_dict lists them. */
export function tensorSpecs(s: HfShape, prefix = ''): TensorSpec[] {
  return s.family === 'gpt2' ? gpt2(s, prefix) : llama(s);
}

/** Buffers some files carry that are not parameters (GPT-2's causal mask, old Llama rotary tables). */
export function isBuffer(name: string): boolean {
  return /\.attn\.(masked_)?bias$/.test(name) || name.endsWith('rotary_emb.inv_freq');
}

/** Parameter group order: embed, (pos), block.0 … block.N−1, lnf, (head when untied). */
export function hfGroups(s: HfShape): string[] {
  const blocks = Array.from({ length: s.layers }, (_, i) => `block.${i}`);
  return ['embed', ...(s.family === 'gpt2' ? ['pos'] : []), ...blocks, 'lnf', ...(s.tied ? [] : ['head'])];
}

/** LoRA targets → modules: short names (q, k, v, o, mlp) and PEFT module names (suffix match, as PEFT does). */
export function hfLoraModules(s: HfShape, target: string): string[] {
  const gpt2Map: Record<string, string[]> = {
    q: ['attn.c_attn'],
    k: ['attn.c_attn'],
    v: ['attn.c_attn'],
    o: ['attn.c_proj'],
    mlp: ['mlp.c_fc', 'mlp.c_proj'],
    c_attn: ['attn.c_attn'],
    c_proj: ['attn.c_proj', 'mlp.c_proj'],
    c_fc: ['mlp.c_fc'],
  };
  const llamaMap: Record<string, string[]> = {
    q: ['self_attn.q_proj'],
    k: ['self_attn.k_proj'],
    v: ['self_attn.v_proj'],
    o: ['self_attn.o_proj'],
    mlp: ['mlp.gate_proj', 'mlp.up_proj', 'mlp.down_proj'],
    q_proj: ['self_attn.q_proj'],
    k_proj: ['self_attn.k_proj'],
    v_proj: ['self_attn.v_proj'],
    o_proj: ['self_attn.o_proj'],
    gate_proj: ['mlp.gate_proj'],
    up_proj: ['mlp.up_proj'],
    down_proj: ['mlp.down_proj'],
  };
  return (s.family === 'gpt2' ? gpt2Map : llamaMap)[target] ?? [];
}
