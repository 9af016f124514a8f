// The hand-written gradients of ops.ts against tfjs autodiff of the plain formulas.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { chooseBackend } from './backend';
import { causalSoftmax, crossEntropy, embedding, gelu, GELU_A, layerNorm, LN_EPS } from './ops';
import { Rng } from './rng';

function rand(shape: number[], seed: number, scale = 1): tf.Tensor {
  const rng = new Rng(seed, 'ops-test');
  const n = shape.reduce((a, b) => a * b, 1);
  return tf.tensor(
    Float32Array.from({ length: n }, () => rng.normal() * scale),
    shape,
  );
}

/** Built in JS: tf.oneHot(…, 'float32') is wrong on wasm (see ops.ts). */
function oneHot(ids: Int32Array, depth: number): tf.Tensor2D {
  const v = new Float32Array(ids.length * depth);
  ids.forEach((id, i) => (v[i * depth + id] = 1));
  return tf.tensor2d(v, [ids.length, depth]);
}

function close(a: tf.Tensor, b: tf.Tensor, tol = 2e-5): void {
  const x = a.dataSync();
  const y = b.dataSync();
  expect(x.length).toBe(y.length);
  let worst = 0;
  for (let i = 0; i < x.length; i++) worst = Math.max(worst, Math.abs(x[i] - y[i]) / (1 + Math.abs(y[i])));
  expect(worst).toBeLessThan(tol);
}

/** Compare value and gradients (w.r.t. every input) of `ours` and `reference` under a random cotangent. */
function sameGradients(
  ours: (...xs: tf.Tensor[]) => tf.Tensor,
  reference: (...xs: tf.Tensor[]) => tf.Tensor,
  inputs: tf.Tensor[],
  tol = 2e-5,
) {
  const probe = tf.tidy(() => rand(ours(...inputs).shape, 99));
  const f =
    (fn: typeof ours) =>
    (...xs: tf.Tensor[]) =>
      tf.sum(tf.mul(fn(...xs), probe));
  close(ours(...inputs), reference(...inputs), tol);
  const g1 = tf.grads(f(ours))(inputs);
  const g2 = tf.grads(f(reference))(inputs);
  g1.forEach((g, i) => close(g, g2[i], tol));
}

// wasm: with the trainer's kernel replacements (SIMD matmul, colSum as a matmul, embedding host kernels).
describe.each(['cpu', 'wasm'])('ops on %s: custom gradients equal autodiff of the reference formulas', (backend) => {
  beforeAll(async () => {
    if (backend === 'wasm') await chooseBackend('wasm', []);
    else await chooseBackend('cpu', []);
  });

  it('layerNorm', () => {
    const ref = (x: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => {
      const { mean, variance } = tf.moments(x, 1, true);
      return tf.add(tf.mul(tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, LN_EPS))), g), b);
    };
    sameGradients((x, g, b) => layerNorm(x as tf.Tensor2D, g as tf.Tensor1D, b as tf.Tensor1D), ref, [
      rand([12, 16], 1, 3),
      rand([16], 2),
      rand([16], 3),
    ]);
    // a row length that is not a multiple of the SIMD width takes the interpreted path
    sameGradients((x, g, b) => layerNorm(x as tf.Tensor2D, g as tf.Tensor1D, b as tf.Tensor1D), ref, [
      rand([5, 6], 4, 2),
      rand([6], 5),
      rand([6], 6),
    ]);
  });

  it('gelu (tanh form)', () => {
    const ref = (x: tf.Tensor) =>
      tf.mul(
        tf.mul(x, 0.5),
        tf.add(1, tf.tanh(tf.mul(Math.sqrt(2 / Math.PI), tf.add(x, tf.mul(GELU_A, tf.pow(x, 3)))))),
      );
    sameGradients((x) => gelu(x as tf.Tensor2D), ref, [rand([10, 24], 4, 2)]);
  });

  it('causal softmax', () => {
    const t = 6;
    const mask = tf.linalg.bandPart(tf.ones([t, t]), -1, 0);
    const ref = (s: tf.Tensor) => {
      const e = tf.mul(tf.exp(tf.sub(tf.mul(s, 0.5), tf.max(tf.mul(s, 0.5), -1, true))), mask);
      return tf.div(e, tf.sum(e, -1, true));
    };
    sameGradients((s) => causalSoftmax(s, 0.5), ref, [rand([2, 3, t, t], 5, 2)]);
  });

  it('masked cross-entropy', () => {
    const n = 9;
    const v = 7;
    const targets = Int32Array.from({ length: n }, (_, i) => (i * 3) % v);
    const mask = Float32Array.from({ length: n }, (_, i) => (i % 3 === 0 ? 0 : 1));
    const ref = (z: tf.Tensor) => {
      const picked = tf.sum(tf.mul(tf.logSoftmax(z), oneHot(targets, v)), 1);
      return tf.div(tf.neg(tf.sum(tf.mul(picked, tf.tensor1d(mask)))), 6);
    };
    sameGradients((z) => crossEntropy(z as tf.Tensor2D, targets, mask), ref, [rand([n, v], 6, 4)]);
    expect(crossEntropy(rand([n, v], 7) as tf.Tensor2D, targets, new Float32Array(n)).dataSync()[0]).toBe(0);
  });

  it('embedding lookup', () => {
    const ids = Int32Array.from([3, 0, 3, 5, 1]);
    const ref = (w: tf.Tensor) => tf.matMul(oneHot(ids, 6), w);
    sameGradients((w) => embedding(w as tf.Tensor2D, ids), ref, [rand([6, 4], 8)]);
  });
});
