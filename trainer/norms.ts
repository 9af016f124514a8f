/**
 * Per-layer norm traces (the LISA paper's weight-norm figure, arXiv 2403.17919 Fig. 2): for each layer group
 * (embed, pos, block.i, lnf, head) and each module inside a block (attn.q … mlp.proj, ln), L2 norms over the
 * concatenation of its parameters of
 *   weight    = ‖W₀ + ΔW‖   (the effective weights; LoRA: W₀ + (α/r)·A·B)
 *   update    = ‖ΔW‖        (LoRA: ‖(α/r)·A·B‖ on top of any change of the base weights)
 *   trainable = ‖trainable parameters‖ at this step (LoRA: the adapters; 0 for a frozen group)
 *   grad      = ‖∇ of the trainable parameters‖, only when the group trained this step (pre-clipping).
 */
import * as tf from '@tensorflow/tfjs';
import { createHash } from 'node:crypto';
import type { NormEntry } from '../lib/protocol/index';
import type { GPT, Param } from './model';

export interface NormReport {
  groups: Record<string, NormEntry>;
  modules: Record<string, NormEntry>;
}

interface Acc {
  weight: number;
  update: number;
  trainable: number;
  grad: number;
  trained: boolean;
}

const blank = (): Acc => ({ weight: 0, update: 0, trainable: 0, grad: 0, trained: false });

/**
 * @param reference W₀ of each base parameter that can change (absent: the weight never changes).
 * @param trainable names of the parameters trained at this step.
 * @param gradSq squared gradient norm of each parameter trained this step (null at step 0).
 */
export function computeNorms(
  model: GPT,
  reference: Map<string, tf.Tensor>,
  trainable: Set<string>,
  gradSq: Map<string, number> | null,
): NormReport {
  const base = model.params.filter((p) => p.role === 'base');
  const scale = model.loraAlphaOverRank;
  // Per base parameter: [‖W_eff‖², ‖ΔW‖²], computed on the device and read once. Each parameter's temporaries
  // (ΔW, W_eff and their squares: four of its size) are freed before the next one's are made: one tidy around
  // all of them held four copies of the whole model, which overran the wasm heap after GPT-2 small's last step
  // of full fine-tuning, when AdamW's moments are held as well.
  const squares = tf.tidy(() => {
    const rows = base.map((p) =>
      tf.tidy(() => {
        const w = p.variable as tf.Tensor;
        const ref = reference.get(p.name);
        let delta: tf.Tensor | null = ref ? tf.sub(w, ref) : null;
        if (model.has(`${p.name}.lora_a`)) {
          const a = model.param(`${p.name}.lora_a`).variable;
          const b = model.param(`${p.name}.lora_b`).variable;
          const ab = tf.mul(tf.matMul(a, b), scale); // (α/r)·A·B, [d_in, d_out] like W
          delta = delta ? tf.add(delta, ab) : ab;
        }
        const eff = delta ? (ref ? tf.add(ref, delta) : tf.add(w, delta)) : w;
        return tf.stack([tf.sum(tf.square(eff)), delta ? tf.sum(tf.square(delta)) : tf.scalar(0)]);
      }),
    );
    const own = model.params.map((p) => tf.tidy(() => tf.sum(tf.square(p.variable))));
    return [tf.stack(rows), tf.stack(own)];
  });
  const [effData, ownData] = squares.map((t) => t.dataSync());
  tf.dispose(squares);

  const groups = new Map<string, Acc>(model.groups.map((g) => [g, blank()]));
  const modules = new Map<string, Acc>();
  const accsOf = (p: Param): Acc[] => {
    const out = [groups.get(p.group)!];
    if (p.module) {
      const key = `${p.group}/${p.module}`;
      if (!modules.has(key)) modules.set(key, blank());
      out.push(modules.get(key)!);
    }
    return out;
  };
  base.forEach((p, i) => {
    for (const a of accsOf(p)) {
      a.weight += effData[2 * i];
      a.update += effData[2 * i + 1];
    }
  });
  model.params.forEach((p, i) => {
    if (!trainable.has(p.name)) return;
    const g = gradSq?.get(p.name);
    for (const a of accsOf(p)) {
      a.trainable += ownData[i];
      if (g !== undefined) {
        a.grad += g;
        a.trained = true;
      }
    }
  });
  const finish = (a: Acc): NormEntry => {
    const e: NormEntry = {
      weight: Math.sqrt(a.weight),
      update: Math.sqrt(a.update),
      trainable: Math.sqrt(a.trainable),
    };
    if (a.trained) e.grad = Math.sqrt(a.grad);
    return e;
  };
  return {
    groups: Object.fromEntries([...groups].map(([k, a]) => [k, finish(a)])),
    modules: Object.fromEntries([...modules].map(([k, a]) => [k, finish(a)])),
  };
}

/** A copy of the current values of `params` (a real copy: never shares memory with the variables). */
export function snapshot(params: Param[]): Map<string, tf.Tensor> {
  const out = new Map<string, tf.Tensor>();
  for (const p of params) {
    const values = (p.variable.dataSync() as Float32Array).slice();
    out.set(p.name, tf.keep(tf.tensor(values, p.variable.shape)));
  }
  return out;
}

/**
 * SHA-256 over the names, shapes and float32 bytes of `params` in order: a fingerprint of W₀, so that a
 * resume can tell whether the base it re-reads (the reference of the norm traces) is still the same.
 */
export function weightsHash(params: Param[]): string {
  const h = createHash('sha256');
  for (const p of params) {
    const v = p.variable.dataSync() as Float32Array;
    h.update(`${p.name}:${p.variable.shape.join('x')}\n`);
    h.update(new Uint8Array(v.buffer, v.byteOffset, v.byteLength));
  }
  return h.digest('hex');
}
