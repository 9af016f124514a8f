/**
 * Hugging Face architectures as LayerLab models: the same parameter bookkeeping as the presets (layer
 * groups, modules, LoRA adapters, norms, checkpoints), with the forward pass of
 *   GPT2LMHeadModel: wte + wpe, pre-LN blocks (c_attn → q|k|v, causal attention, c_proj; c_fc, gelu_new,
 *     c_proj; every linear with a bias), ln_f, head tied to wte;
 *   LlamaForCausalLM family: embed, RMSNorm, rotary q/k (half-rotation layout), grouped-query attention,
 *     o_proj, SwiGLU MLP down(silu(gate)·up), final RMSNorm, lm_head or the tied embedding.
 * Written from the published architectures (transformers' modeling_gpt2.py / modeling_llama.py).
 */
import * as tf from '@tensorflow/tfjs';
import { ConfigError } from '../config';
import { GPT, type LoraTarget } from '../model';
import { causalSoftmax, embedding, gelu, layerNorm, LN_EPS } from '../ops';
import { hfGroups, hfLoraModules, tensorSpecs, type TensorSpec } from './arch';
import type { HfShape } from './config';
import { ModelError } from './errors';

export interface HfSource {
  /** The folder the weights came from (config.json, tokenizer files). */
  dir: string;
  raw: Record<string, unknown>;
  /** GPT-2: '' or 'transformer.' as in the source file. */
  prefix: string;
}

export type TensorReader = (spec: TensorSpec) => Float32Array;

function transpose(values: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(values.length);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = values[r * cols + c];
  return out;
}

export class HFModel extends GPT {
  readonly specs: TensorSpec[];
  private rope: { cos: tf.Tensor2D; sin: tf.Tensor2D } | null = null;

  private constructor(
    readonly hf: HfShape,
    readonly source: HfSource,
  ) {
    super({ vocab: hf.vocab, d: hf.d, layers: hf.layers, heads: hf.heads, ctx: hf.ctx });
    this.specs = tensorSpecs(hf, source.prefix);
    if (hf.family === 'gpt2' && Math.abs(hf.eps - LN_EPS) > 1e-12) {
      throw new ModelError(`${source.dir}: layer_norm_epsilon ${hf.eps} is not supported (${LN_EPS})`);
    }
  }

  /**
   * Builds the model from tensors in the file's layout, one at a time. `read` returns a tensor's
   * values as stored (its shape already checked against spec.hfShape).
   */
  static fromTensors(hf: HfShape, source: HfSource, read: TensorReader): HFModel {
    const m = new HFModel(hf, source);
    for (const s of m.specs) {
      const v = read(s);
      const dims = s.transpose ? [s.hfShape[1], s.hfShape[0]] : s.hfShape;
      m.add(s.name, s.group, s.module, dims, s.transpose ? transpose(v, s.hfShape[0], s.hfShape[1]) : v);
    }
    return m;
  }

  /** Random weights in the architecture's shape (bench): N(0, 0.02) matrices, unit norms, zero biases. */
  static random(hf: HfShape, seed: number, prefix = ''): HFModel {
    let state = seed >>> 0 || 1;
    const next = () => {
      state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
      return state / 2 ** 32;
    };
    return HFModel.fromTensors(hf, { dir: '(random)', raw: {}, prefix }, (s) => {
      const n = s.hfShape.reduce((a, b) => a * b, 1);
      const v = new Float32Array(n);
      if (s.hfShape.length === 1) {
        if (/(ln_\d|ln_f|norm)\.weight$/.test(s.name) || s.name.endsWith('layernorm.weight')) v.fill(1);
        return v;
      }
      for (let i = 0; i < n; i += 2) {
        const r = Math.sqrt(-2 * Math.log(1 - next())) * 0.02;
        const t = 2 * Math.PI * next();
        v[i] = r * Math.cos(t);
        if (i + 1 < n) v[i + 1] = r * Math.sin(t);
      }
      return v;
    });
  }

  override get groups(): string[] {
    return hfGroups(this.hf);
  }

  protected override loraModules(targets: LoraTarget[]): Set<string> {
    const out = new Set<string>();
    for (const t of targets) {
      const mods = hfLoraModules(this.hf, t);
      if (!mods.length) throw new ConfigError(`LoRA target ${t} does not exist in ${this.hf.architecture}`);
      for (const m of mods) out.add(m);
    }
    return out;
  }

  /** Linear layer with its bias when the architecture has one. */
  private dense(h: tf.Tensor2D, weight: string): tf.Tensor2D {
    const y = this.linear(h, weight);
    const bias = weight.replace(/\.weight$/, '.bias');
    return this.has(bias) ? (tf.add(y, this.w(bias)) as tf.Tensor2D) : y;
  }

  private gpt2Block(x: tf.Tensor2D, i: number, batch: number, seq: number): tf.Tensor2D {
    const { d, heads } = this.hf;
    const dh = d / heads;
    const p = `${this.source.prefix}h.${i}.`;
    const ln = (t: tf.Tensor2D, n: string) =>
      layerNorm(t, this.w(`${p}${n}.weight`) as tf.Tensor1D, this.w(`${p}${n}.bias`) as tf.Tensor1D);
    const qkv = this.dense(ln(x, 'ln_1'), `${p}attn.c_attn.weight`); // [B*T, 3d]: q | k | v
    const split = (j: number) =>
      tf.transpose(tf.reshape(tf.slice(qkv, [0, j * d], [batch * seq, d]), [batch, seq, heads, dh]), [0, 2, 1, 3]);
    const att = causalSoftmax(tf.matMul(split(0), split(1), false, true), 1 / Math.sqrt(dh));
    const y = tf.reshape(tf.transpose(tf.matMul(att, split(2)), [0, 2, 1, 3]), [batch * seq, d]) as tf.Tensor2D;
    const x1 = tf.add(x, this.dense(y, `${p}attn.c_proj.weight`)) as tf.Tensor2D;
    const m = gelu(this.dense(ln(x1, 'ln_2'), `${p}mlp.c_fc.weight`));
    return tf.add(x1, this.dense(m, `${p}mlp.c_proj.weight`)) as tf.Tensor2D;
  }

  private rmsNorm(x: tf.Tensor2D, weight: string): tf.Tensor2D {
    const ms = tf.mean(tf.square(x), 1, true);
    return tf.mul(tf.mul(x, tf.rsqrt(tf.add(ms, this.hf.eps))), this.w(weight)) as tf.Tensor2D;
  }

  /** cos, sin [ctx, headDim] of rotary position t: angle t·θ^(−2i/dh), the half layout (freqs ‖ freqs). */
  private rotary(): { cos: tf.Tensor2D; sin: tf.Tensor2D } {
    if (this.rope && !this.rope.cos.isDisposed) return this.rope;
    const { ctx, headDim: dh, ropeTheta } = this.hf;
    const half = dh / 2;
    const inv = new Float32Array(half);
    for (let i = 0; i < half; i++) inv[i] = 1 / ropeTheta ** ((2 * i) / dh);
    const cos = new Float32Array(ctx * dh);
    const sin = new Float32Array(ctx * dh);
    for (let t = 0; t < ctx; t++) {
      for (let i = 0; i < half; i++) {
        const a = Math.fround(t * inv[i]);
        cos[t * dh + i] = cos[t * dh + half + i] = Math.cos(a);
        sin[t * dh + i] = sin[t * dh + half + i] = Math.sin(a);
      }
    }
    this.rope = { cos: tf.keep(tf.tensor2d(cos, [ctx, dh])), sin: tf.keep(tf.tensor2d(sin, [ctx, dh])) };
    return this.rope;
  }

  /** x [B, H, T, dh] → x·cos + rotate_half(x)·sin, rotate_half(x) = (−x₂ ‖ x₁). */
  private applyRope(x: tf.Tensor4D, seq: number): tf.Tensor4D {
    const dh = this.hf.headDim;
    const { cos, sin } = this.rotary();
    const c = tf.slice(cos, [0, 0], [seq, dh]);
    const s = tf.slice(sin, [0, 0], [seq, dh]);
    const [x1, x2] = tf.split(x, 2, 3);
    const rot = tf.concat([tf.neg(x2), x1], 3);
    return tf.add(tf.mul(x, c), tf.mul(rot, s)) as tf.Tensor4D;
  }

  private llamaBlock(x: tf.Tensor2D, i: number, batch: number, seq: number): tf.Tensor2D {
    const { heads, kvHeads, headDim: dh } = this.hf;
    const p = `model.layers.${i}.`;
    const h = this.rmsNorm(x, `${p}input_layernorm.weight`);
    const split = (t: tf.Tensor2D, n: number) =>
      tf.transpose(tf.reshape(t, [batch, seq, n, dh]), [0, 2, 1, 3]) as tf.Tensor4D;
    const q = this.applyRope(split(this.dense(h, `${p}self_attn.q_proj.weight`), heads), seq);
    const k = this.applyRope(split(this.dense(h, `${p}self_attn.k_proj.weight`), kvHeads), seq);
    const v = split(this.dense(h, `${p}self_attn.v_proj.weight`), kvHeads);
    // Grouped-query attention: key/value head j serves query heads j·g … j·g + g − 1, which are adjacent,
    // so the queries are grouped as [B, KV, g·T, dh] against [B, KV, T, dh] (no copies of k and v).
    const g = heads / kvHeads;
    const grouped = tf.reshape(q, [batch, kvHeads, g * seq, dh]);
    const scores = tf.reshape(tf.matMul(grouped, k, false, true), [batch, heads, seq, seq]);
    const att = tf.reshape(causalSoftmax(scores, 1 / Math.sqrt(dh)), [batch, kvHeads, g * seq, seq]);
    const out = tf.reshape(tf.matMul(att, v), [batch, heads, seq, dh]);
    const y = tf.reshape(tf.transpose(out, [0, 2, 1, 3]), [batch * seq, heads * dh]) as tf.Tensor2D;
    const x1 = tf.add(x, this.dense(y, `${p}self_attn.o_proj.weight`)) as tf.Tensor2D;
    const h2 = this.rmsNorm(x1, `${p}post_attention_layernorm.weight`);
    const gate = this.dense(h2, `${p}mlp.gate_proj.weight`);
    const up = this.dense(h2, `${p}mlp.up_proj.weight`);
    const act = tf.mul(tf.mul(gate, tf.sigmoid(gate)), up) as tf.Tensor2D;
    return tf.add(x1, this.dense(act, `${p}mlp.down_proj.weight`)) as tf.Tensor2D;
  }

  override forward(ids: Int32Array, batch: number, seq: number): tf.Tensor2D {
    const { d, ctx, layers, family, tied } = this.hf;
    if (seq > ctx) throw new Error(`sequence length ${seq} exceeds the model context ${ctx}`);
    const pre = this.source.prefix;
    const embed = family === 'gpt2' ? `${pre}wte.weight` : 'model.embed_tokens.weight';
    let x = embedding(this.w(embed) as tf.Tensor2D, ids);
    if (family === 'gpt2') {
      const pos = tf.slice(this.w(`${pre}wpe.weight`), [0, 0], [seq, d]);
      x = tf.reshape(tf.add(tf.reshape(x, [batch, seq, d]), pos), [batch * seq, d]) as tf.Tensor2D;
      for (let i = 0; i < layers; i++) x = this.gpt2Block(x, i, batch, seq);
      x = layerNorm(x, this.w(`${pre}ln_f.weight`) as tf.Tensor1D, this.w(`${pre}ln_f.bias`) as tf.Tensor1D);
    } else {
      for (let i = 0; i < layers; i++) x = this.llamaBlock(x, i, batch, seq);
      x = this.rmsNorm(x, 'model.norm.weight');
    }
    return tied ? tf.matMul(x, this.w(embed), false, true) : tf.matMul(x, this.w('lm_head.weight'));
  }

  override dispose(): void {
    if (this.rope) tf.dispose([this.rope.cos, this.rope.sin]);
    this.rope = null;
    super.dispose();
  }
}
