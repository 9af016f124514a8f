// AdamW against a plain-JS reference, per-variable bias correction, clipping and the lr schedule.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { chooseBackend } from './backend';
import * as fused from './kernels/adamw-wasm';
import { AdamW, gradientNorms, learningRate } from './optim';

/** A variable that owns its memory (tf.variable(t) shares t's data until t is disposed). */
function owned(values: number[]): tf.Variable {
  const t = tf.tensor(values);
  const v = tf.variable(t);
  t.dispose();
  return v;
}

beforeAll(async () => {
  await tf.setBackend('cpu');
});

function reference(p: number[], grads: number[][], lr: number, wd: number, b1 = 0.9, b2 = 0.999, eps = 1e-8): number[] {
  const m = p.map(() => 0);
  const v = p.map(() => 0);
  let w = [...p];
  grads.forEach((g, k) => {
    const t = k + 1;
    w = w.map((wi, i) => {
      m[i] = b1 * m[i] + (1 - b1) * g[i];
      v[i] = b2 * v[i] + (1 - b2) * g[i] * g[i];
      const mh = m[i] / (1 - b1 ** t);
      const vh = v[i] / (1 - b2 ** t);
      return wi - lr * (mh / (Math.sqrt(vh) + eps) + wd * wi);
    });
  });
  return w;
}

describe.each(['cpu', 'wasm'])('AdamW on %s', (backend) => {
  beforeAll(async () => {
    if (backend === 'wasm')
      await chooseBackend('wasm', []); // fused in-place SIMD update
    else await tf.setBackend('cpu');
  });

  it('matches the decoupled-weight-decay reference over several steps', () => {
    const p0 = [0.5, -1.2, 3, 0.01];
    const grads = [
      [0.1, -0.2, 0.3, 0],
      [0.05, 0.1, -0.4, 1e-3],
      [-0.3, 0.2, 0.1, 2],
    ];
    const variable = owned(p0);
    const opt = new AdamW({ weightDecay: 0.1 });
    const before = fused.fusedUpdates;
    for (const g of grads) opt.step([{ name: 'w', variable, decay: true }], new Map([['w', tf.tensor(g)]]), 0.01);
    expect(fused.fusedUpdates - before).toBe(backend === 'wasm' ? 3 : 0);
    const got = Array.from(variable.dataSync());
    reference(p0, grads, 0.01, 0.1).forEach((w, i) => expect(got[i]).toBeCloseTo(w, 6));
  });

  it('counts steps per variable: a variable first trained late gets bias correction from t = 1', () => {
    const a = owned([1, 1, 1, 1]);
    const b = owned([1, 1, 1, 1]);
    const opt = new AdamW();
    const g = () =>
      new Map([
        ['a', tf.tensor([0.2, -0.2, 0.2, -0.2])],
        ['b', tf.tensor([0.2, -0.2, 0.2, -0.2])],
      ]);
    for (let i = 0; i < 5; i++) opt.step([{ name: 'a', variable: a, decay: false }], g(), 0.1);
    opt.step(
      [
        { name: 'a', variable: a, decay: false },
        { name: 'b', variable: b, decay: false },
      ],
      g(),
      0.1,
    );
    expect(opt.stepCount('a')).toBe(6);
    expect(opt.stepCount('b')).toBe(1);
    // First bias-corrected Adam step moves by lr·g/|g| = ±0.1 (a global counter t=6 would give ~0.4x that).
    Array.from(b.dataSync()).forEach((v, i) => expect(v).toBeCloseTo([0.9, 1.1, 0.9, 1.1][i], 5));
    opt.reset(['a']);
    expect(opt.stepCount('a')).toBe(0);
    expect(opt.names).toEqual(['b']);
  });

  it('exports and imports its state exactly', () => {
    const v = tf.variable(tf.tensor([1, 2, 3]));
    const opt = new AdamW();
    opt.step([{ name: 'v', variable: v, decay: false }], new Map([['v', tf.tensor([0.1, 0.2, 0.3])]]), 0.01);
    const state = opt.exportState();
    const other = new AdamW();
    other.importState(state, new Map([['v', [3]]]));
    expect(other.exportState()).toEqual(state);
    expect(other.stepCount('v')).toBe(1);
  });
});

describe('gradient clipping', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it('scales the global norm down to the limit, and not when under it', () => {
    const grads = new Map([
      ['a', tf.tensor([3, 0])],
      ['b', tf.tensor([0, 4])],
    ]);
    const clipped = gradientNorms(grads, 1);
    expect(clipped.norm).toBeCloseTo(5, 6);
    expect(clipped.scale).toBeCloseTo(0.2, 6);
    expect(clipped.sq.get('b')).toBeCloseTo(16, 5);
    expect(gradientNorms(grads, 10).scale).toBe(1);
    expect(gradientNorms(grads, 0).scale).toBe(1);
  });
});

describe('learning-rate schedule (global steps, never restarting)', () => {
  const o = { lr: 1e-3, steps: 100, warmup: 10, schedule: 'cosine' as const, minLrRatio: 0.1 };
  it('warms up linearly, then decays by cosine to min_lr_ratio·lr', () => {
    expect(learningRate(1, o)).toBeCloseTo(1e-4, 12);
    expect(learningRate(10, o)).toBeCloseTo(1e-3, 12);
    expect(learningRate(55, o)).toBeCloseTo(1e-4 + 0.9e-3 * 0.5, 12);
    expect(learningRate(100, o)).toBeCloseTo(1e-4, 12);
  });
  it('linear and constant', () => {
    expect(learningRate(55, { ...o, schedule: 'linear' })).toBeCloseTo(1e-3 - 0.9e-3 * 0.5, 12);
    expect(learningRate(70, { ...o, schedule: 'constant' })).toBe(1e-3);
  });
});
