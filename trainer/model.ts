/**
 * Decoder-only GPT: token + position embedding, pre-LN blocks (causal self-attention with q,k,v,o,
 * then a GELU MLP fc/proj), final LayerNorm, untied LM head. Linear layers have no bias and stay
 * 2-D ([B*T, d] x [d, d']). Optional LoRA adapters: W·h + (α/r)·B(A h), B zero-initialised.
 * Its variables are exactly the shared parameter inventory (lib/protocol/inventory.ts) of its shape,
 * which is what the planner counts. No I/O here, and nothing is built at import time.
 */
import * as tf from '@tensorflow/tfjs';
import type { LORA_TARGETS } from '../lib/protocol/config';
import {
  baseInventory,
  blockLinears,
  inventoryGroups,
  numel,
  presetDimsShape,
  type ParamRole,
  type PresetDims,
} from '../lib/protocol/inventory';
import { ConfigError } from './config';
import { causalSoftmax, crossEntropy, embedding, gelu, headApply, headScores, layerNorm } from './ops';
import { Rng } from './rng';

/** The compact shape the presets and checkpoints use; `presetDimsShape` expands it for the inventory. */
export type ModelShape = PresetDims;
export type { ParamRole };

export type LoraTarget = (typeof LORA_TARGETS)[number];
export interface LoraOptions {
  rank: number;
  alpha: number;
  targets: LoraTarget[];
}

/** One variable. `group` is the layer group of the norm traces; `module` the part inside a block. */
export interface Param {
  name: string;
  group: string;
  module: string | null;
  role: ParamRole;
  /** For adapters: the name of the weight they adapt. */
  adapts?: string;
  variable: tf.Variable;
}

function gaussian(n: number, std: number, rng: Rng): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = rng.normal() * std;
  return out;
}

export class GPT {
  readonly params: Param[] = [];
  private readonly byName = new Map<string, Param>();
  private loraScale = 0;

  /** Subclasses (trainer/hf: Hugging Face architectures) build their own parameters and forward pass. */
  protected constructor(readonly shape: ModelShape) {}

  /** Fresh weights, a pure function of (shape, seed): each tensor has its own stream named after it. */
  static create(shape: ModelShape, seed: number): GPT {
    const m = new GPT(shape);
    const resid = 0.02 / Math.sqrt(2 * shape.layers); // GPT-2: scale the residual projections by 1/sqrt(2L)
    for (const spec of baseInventory(presetDimsShape(shape))) {
      const n = numel(spec.shape);
      let values: Float32Array;
      if (spec.init === 'ones') values = new Float32Array(n).fill(1);
      else if (spec.init === 'zeros') values = new Float32Array(n);
      else if (spec.init === 'normal' || spec.init === 'residual') {
        values = gaussian(n, spec.init === 'normal' ? 0.02 : resid, new Rng(seed, `init:${spec.name}`));
      } else throw new Error(`parameter ${spec.name}: no initialiser ${spec.init} for a base tensor`);
      m.add(spec.name, spec.group, spec.module, spec.shape, values);
    }
    return m;
  }

  /**
   * Adds LoRA adapters to every block module the targets name (for a preset, the inventory's adapters).
   * A [d_in, r] ~ U(±1/√d_in) (PEFT's default init), B [r, d_out] = 0, so the adapted model starts
   * equal to the base model.
   */
  addLora(opts: LoraOptions, seed: number): void {
    this.loraScale = opts.alpha / opts.rank;
    const modules = this.loraModules(opts.targets);
    for (const p of [...this.params]) {
      if (p.role !== 'base' || !p.module || !modules.has(p.module) || p.variable.rank !== 2) continue;
      const [din, dout] = p.variable.shape;
      const rng = new Rng(seed, `lora:${p.name}`);
      const a = new Float32Array(din * opts.rank);
      for (let i = 0; i < a.length; i++) a[i] = (2 * rng.next() - 1) / Math.sqrt(din);
      this.add(`${p.name}.lora_a`, p.group, p.module, [din, opts.rank], a, 'lora_a', p.name);
      this.add(
        `${p.name}.lora_b`,
        p.group,
        p.module,
        [opts.rank, dout],
        new Float32Array(opts.rank * dout),
        'lora_b',
        p.name,
      );
    }
  }

  /** The block modules the LoRA targets name: for a preset, the inventory's linears tagged with them. */
  protected loraModules(targets: LoraTarget[]): Set<string> {
    const linears = blockLinears(presetDimsShape(this.shape));
    const unknown = targets.filter((t) => !linears.some((l) => (l.targets as string[]).includes(t)));
    if (unknown.length)
      throw new ConfigError(`LoRA target(s) ${unknown.join(', ')} do not exist in this model (q, k, v, o, mlp)`);
    const chosen = linears.filter((l) => l.targets.some((t) => (targets as string[]).includes(t)));
    return new Set(chosen.map((l) => l.module));
  }

  get loraAlphaOverRank(): number {
    return this.loraScale;
  }

  protected add(
    name: string,
    group: string,
    module: string | null,
    dims: number[],
    values: Float32Array,
    role: ParamRole = 'base',
    adapts?: string,
  ) {
    const t = tf.tensor(values, dims, 'float32');
    const variable = tf.variable(t, true);
    t.dispose(); // tf.variable shares t's data and leaves t alive
    const p: Param = { name, group, module, role, adapts, variable };
    this.params.push(p);
    this.byName.set(name, p);
  }

  param(name: string): Param {
    const p = this.byName.get(name);
    if (!p) throw new Error(`no parameter named ${name}`);
    return p;
  }

  has(name: string): boolean {
    return this.byName.has(name);
  }

  get groups(): string[] {
    return inventoryGroups(this.params);
  }

  protected w(name: string): tf.Variable {
    return this.param(name).variable;
  }

  /** h [N, d_in] -> [N, d_out]: W h, plus (α/r)·B(A h) when the weight has an adapter. */
  protected linear(h: tf.Tensor2D, name: string): tf.Tensor2D {
    const y = tf.matMul(h, this.w(name)) as tf.Tensor2D;
    const a = this.byName.get(`${name}.lora_a`);
    if (!a) return y;
    const ha = tf.mul(tf.matMul(h, a.variable), this.loraScale); // [N, r]
    return tf.add(y, tf.matMul(ha, this.w(`${name}.lora_b`))) as tf.Tensor2D;
  }

  private block(x: tf.Tensor2D, i: number, batch: number, seq: number): tf.Tensor2D {
    const { d, heads } = this.shape;
    const dh = d / heads;
    const g = `block.${i}`;
    const h = layerNorm(x, this.w(`${g}.ln1.g`) as tf.Tensor1D, this.w(`${g}.ln1.b`) as tf.Tensor1D);
    const q = this.linear(h, `${g}.attn.q`);
    const k = this.linear(h, `${g}.attn.k`);
    const v = this.linear(h, `${g}.attn.v`);
    // per head: softmax(q_h·k_hᵀ/√dh + causal mask)·v_h, heads side by side again in [B*T, d]
    const att = causalSoftmax(headScores(q, k, batch, seq, heads), 1 / Math.sqrt(dh)); // [B, H, T, T]
    const y = headApply(att as tf.Tensor4D, v, batch, seq, heads);
    const x1 = tf.add(x, this.linear(y, `${g}.attn.o`)) as tf.Tensor2D;
    const h2 = layerNorm(x1, this.w(`${g}.ln2.g`) as tf.Tensor1D, this.w(`${g}.ln2.b`) as tf.Tensor1D);
    return tf.add(x1, this.linear(gelu(this.linear(h2, `${g}.mlp.fc`)), `${g}.mlp.proj`)) as tf.Tensor2D;
  }

  /** ids [B*T] (row-major [B, T]) -> logits [B*T, V]. */
  forward(ids: Int32Array, batch: number, seq: number): tf.Tensor2D {
    const { d, ctx } = this.shape;
    if (seq > ctx) throw new Error(`sequence length ${seq} exceeds the model context ${ctx}`);
    const tok = embedding(this.w('wte') as tf.Tensor2D, ids); // [B*T, d]
    const pos = tf.slice(this.w('wpe'), [0, 0], [seq, d]); // [T, d]
    // [B*T, d] -> [B, T, d] + [T, d] -> [B*T, d]
    let x = tf.reshape(tf.add(tf.reshape(tok, [batch, seq, d]), pos), [batch * seq, d]) as tf.Tensor2D;
    for (let i = 0; i < this.shape.layers; i++) x = this.block(x, i, batch, seq);
    const h = layerNorm(x, this.w('lnf.g') as tf.Tensor1D, this.w('lnf.b') as tf.Tensor1D);
    return tf.matMul(h, this.w('head'));
  }

  /**
   * Mean next-token cross-entropy over positions where mask = 1. With `denominator` (a micro-batch of a
   * larger batch): the sum over those positions divided by it, the larger batch's count of positions.
   */
  loss(
    b: { x: Int32Array; y: Int32Array; mask: Float32Array; batch: number; seq: number },
    denominator?: number,
  ): tf.Scalar {
    return crossEntropy(this.forward(b.x, b.batch, b.seq), b.y, b.mask, denominator);
  }

  dispose(): void {
    for (const p of this.params) p.variable.dispose();
    this.params.length = 0;
    this.byName.clear();
  }
}
