// The norm traces against an independent float64 computation from the raw weights.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { MODEL_PRESETS } from '../lib/protocol/config';
import { GPT, type Param } from './model';
import { computeNorms, snapshot } from './norms';
import { Rng } from './rng';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

function arr(p: Param): Float64Array {
  return Float64Array.from(p.variable.dataSync());
}

describe('norms', () => {
  it('match an independent computation (LoRA adapters plus a changed embedding)', () => {
    const m = GPT.create(MODEL_PRESETS.nano, 2);
    m.addLora({ rank: 4, alpha: 12, targets: ['q', 'mlp'] }, 2);
    const changing = m.params.filter((p) => p.group === 'embed' || p.group === 'head');
    const reference = snapshot(changing);
    const rng = new Rng(1, 'norms-test');
    for (const p of m.params) {
      if (p.role === 'base' && p.group !== 'embed' && p.group !== 'head') continue;
      const noise = Float32Array.from(p.variable.dataSync(), (v) => v + 0.05 * rng.normal());
      p.variable.assign(tf.tensor(noise, p.variable.shape));
    }
    const trainable = new Set(m.params.filter((p) => p.role !== 'base' || p.group === 'embed').map((p) => p.name));
    const gradSq = new Map([...trainable].filter((n) => !n.includes('block.3')).map((n, i) => [n, 0.01 * (i + 1)]));
    const got = computeNorms(m, reference, trainable, gradSq);

    // Independent: per base parameter, W_eff = W + (α/r)·A·B, ΔW = (W − W₀) + (α/r)·A·B, in float64.
    const want = new Map<string, { w: number; u: number; t: number; g: number; trained: boolean }>();
    const entry = (k: string) => {
      if (!want.has(k)) want.set(k, { w: 0, u: 0, t: 0, g: 0, trained: false });
      return want.get(k)!;
    };
    for (const p of m.params.filter((q) => q.role === 'base')) {
      const w = arr(p);
      const w0 = reference.has(p.name) ? Float64Array.from(reference.get(p.name)!.dataSync()) : w;
      const delta = w.map((v, i) => v - w0[i]);
      if (m.has(`${p.name}.lora_a`)) {
        const a = arr(m.param(`${p.name}.lora_a`));
        const b = arr(m.param(`${p.name}.lora_b`));
        const [din, dout] = p.variable.shape;
        const r = a.length / din;
        for (let i = 0; i < din; i++)
          for (let j = 0; j < dout; j++) {
            let s = 0;
            for (let k = 0; k < r; k++) s += a[i * r + k] * b[k * dout + j];
            delta[i * dout + j] += (12 / 4) * s;
          }
      }
      const keys = [p.group, ...(p.module ? [`${p.group}/${p.module}`] : [])];
      for (const k of keys) {
        const e = entry(k);
        w0.forEach((v, i) => (e.w += (v + delta[i]) ** 2));
        delta.forEach((v) => (e.u += v * v));
      }
    }
    for (const p of m.params.filter((q) => trainable.has(q.name))) {
      for (const k of [p.group, ...(p.module ? [`${p.group}/${p.module}`] : [])]) {
        const e = entry(k);
        arr(p).forEach((v) => (e.t += v * v));
        if (gradSq.has(p.name)) {
          e.g += gradSq.get(p.name)!;
          e.trained = true;
        }
      }
    }
    const rel = (a: number, b: number) => Math.abs(a - b) / Math.max(1e-6, Math.abs(b));
    for (const [k, e] of want) {
      const g = k.includes('/') ? got.modules[k] : got.groups[k];
      expect(g, k).toBeDefined();
      expect(rel(g.weight as number, Math.sqrt(e.w)), `${k} weight`).toBeLessThan(1e-4);
      expect(rel(g.update as number, Math.sqrt(e.u)), `${k} update`).toBeLessThan(1e-4);
      expect(rel(g.trainable as number, Math.sqrt(e.t)), `${k} trainable`).toBeLessThan(1e-4);
      if (e.trained) expect(rel(g.grad as number, Math.sqrt(e.g)), `${k} grad`).toBeLessThan(1e-4);
      else expect(g.grad, `${k} grad`).toBeUndefined();
    }
    expect(Object.keys(got.groups)).toEqual(m.groups);
    expect(got.groups['block.1'].trainable).toBeGreaterThan(0); // its q and mlp adapters train
    expect(got.modules['block.1/attn.k'].trainable).toBe(0); // frozen module
    expect(got.modules['block.1/attn.k'].update).toBe(0);
    m.dispose();
  });
  it('hold the temporaries of one parameter at a time, never copies of the whole model', async () => {
    // Full fine-tuning's references: every weight has a W₀, so each parameter needs ΔW, W_eff and their squares.
    // Held all at once, those were four copies of the model on top of the weights, W₀ and AdamW's moments.
    const m = GPT.create(MODEL_PRESETS.mini, 3);
    const reference = snapshot(m.params);
    const trainable = new Set(m.params.map((p) => p.name));
    const before = tf.memory().numBytes;
    const info = await tf.profile(() => {
      computeNorms(m, reference, trainable, null);
    });
    const bytes = m.params.map((p) => p.variable.size * 4);
    const model = bytes.reduce((a, b) => a + b, 0);
    const largest = Math.max(...bytes);
    expect(4 * largest).toBeLessThan(model / 2); // the bound below tells the two apart
    expect(info.peakBytes - before).toBeLessThanOrEqual(4 * largest + 64 * 1024);
    expect(tf.memory().numBytes).toBe(before); // nothing left behind
    for (const t of reference.values()) t.dispose();
    m.dispose();
  });
});
