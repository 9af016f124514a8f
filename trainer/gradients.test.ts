// Model gradients (tfjs autodiff + the custom gradients of ops.ts) against central finite differences
// on `nano`, float32, cpu backend. Coordinates are the largest-gradient ones of each tensor, where the
// finite difference is well above float32 rounding noise (observed worst relative error ~0.6%).
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { chooseBackend } from './backend';
import { MODEL_PRESETS } from '../lib/protocol/config';
import { GPT } from './model';
import { Rng } from './rng';

const B = 2;
const T = 12;

function batch() {
  const rng = new Rng(5, 'fd-batch');
  const n = B * T;
  return {
    x: Int32Array.from({ length: n }, () => rng.int(256)),
    y: Int32Array.from({ length: n }, () => rng.int(256)),
    mask: Float32Array.from({ length: n }, (_, i) => (i % 5 === 0 ? 0 : 1)),
    batch: B,
    seq: T,
  };
}

/** Re-draw every weight with unit-scale statistics so that every gradient is far from zero. */
function livelyModel(withLora: boolean): GPT {
  const m = GPT.create(MODEL_PRESETS.nano, 3);
  if (withLora) m.addLora({ rank: 4, alpha: 8, targets: ['q', 'v', 'mlp'] }, 3);
  const rng = new Rng(11, 'fd-weights');
  for (const p of m.params) {
    const fanIn = p.variable.rank === 2 ? p.variable.shape[0] : 1;
    const isGain = p.name.endsWith('.g');
    const v = Float32Array.from({ length: p.variable.size }, () =>
      isGain ? 1 + 0.2 * rng.normal() : rng.normal() / Math.sqrt(fanIn),
    );
    p.variable.assign(tf.tensor(v, p.variable.shape));
  }
  return m;
}

function checkModel(m: GPT, names: string[]) {
  const b = batch();
  const lossOf = () => tf.tidy(() => m.loss(b).dataSync()[0]);
  const vars = names.map((n) => m.param(n).variable);
  const { grads } = tf.variableGrads(() => m.loss(b), vars);
  let checked = 0;
  for (const [i, name] of names.entries()) {
    const g = grads[vars[i].name].dataSync();
    const order = Array.from(g.keys()).sort((p, q) => Math.abs(g[q]) - Math.abs(g[p]));
    for (const idx of order.slice(0, 2)) {
      const v = vars[i];
      const orig = v.dataSync().slice();
      const eps = 2e-3 * Math.max(1, Math.abs(orig[idx]));
      const at = (delta: number) => {
        const w = orig.slice();
        w[idx] += delta;
        v.assign(tf.tensor(w, v.shape));
        return lossOf();
      };
      const fd = (at(eps) - at(-eps)) / (2 * eps);
      v.assign(tf.tensor(orig, v.shape));
      expect(Math.abs(fd - g[idx]), `${name}[${idx}] analytic ${g[idx]} fd ${fd}`).toBeLessThan(
        0.015 * Math.abs(g[idx]) + 1e-4,
      );
      checked++;
    }
  }
  tf.dispose(grads);
  return checked;
}

beforeAll(async () => {
  await chooseBackend('cpu', []);
});

describe('gradients agree with finite differences on nano', () => {
  it('every kind of base parameter', () => {
    const m = livelyModel(false);
    const names = [
      'wte',
      'wpe',
      'block.0.ln1.g',
      'block.0.ln1.b',
      'block.0.attn.q',
      'block.1.attn.k',
      'block.2.attn.v',
      'block.3.attn.o',
      'block.1.ln2.g',
      'block.1.mlp.fc',
      'block.2.mlp.proj',
      'lnf.g',
      'lnf.b',
      'head',
    ];
    expect(checkModel(m, names)).toBe(2 * names.length);
    m.dispose();
  });

  it('LoRA adapters', () => {
    const m = livelyModel(true);
    const names = [
      'block.0.attn.q.lora_a',
      'block.0.attn.q.lora_b',
      'block.2.attn.v.lora_b',
      'block.1.mlp.fc.lora_a',
      'block.3.mlp.proj.lora_b',
    ];
    expect(checkModel(m, names)).toBe(2 * names.length);
    m.dispose();
  });
});

describe('the wasm backend (with the trainer kernels) computes what the cpu backend computes', () => {
  it('same loss and gradients of every parameter on nano with LoRA', async () => {
    const run = () => {
      const m = livelyModel(true);
      const vars = m.params.map((p) => p.variable);
      const { value, grads } = tf.variableGrads(() => m.loss(batch()), vars);
      const out = { loss: value.dataSync()[0], grads: vars.map((v) => grads[v.name].dataSync().slice()) };
      tf.dispose([value, grads]);
      m.dispose();
      return out;
    };
    await tf.setBackend('cpu');
    const want = run();
    await chooseBackend('wasm', []);
    const got = run();
    await tf.setBackend('cpu');
    expect(Math.abs(got.loss - want.loss)).toBeLessThan(1e-5 * Math.abs(want.loss));
    got.grads.forEach((g, i) => {
      let worst = 0;
      let scale = 0;
      want.grads[i].forEach((w, j) => {
        worst = Math.max(worst, Math.abs(g[j] - w));
        scale = Math.max(scale, Math.abs(w));
      });
      expect(worst, `parameter ${i}`).toBeLessThan(1e-4 * scale + 1e-7);
    });
  });
});
