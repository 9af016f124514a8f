// The attention products on heads in place (ops.ts headScores / headApply; on wasm the LLHeadMatMul kernel):
// values and gradients against the pure-JS cpu backend, and bit for bit against the transposing path they replace.
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { beforeAll, describe, expect, it } from 'vitest';
import { chooseBackend } from './backend';
import { headApply, headScores } from './ops';
import { Rng } from './rng';

function values(n: number, seed: number): Float32Array {
  const rng = new Rng(seed, 'heads-test');
  return Float32Array.from({ length: n }, () => rng.normal());
}

interface Shape {
  batch: number;
  seq: number;
  heads: number;
  dh: number;
}

/** y = headApply(p, v) with p = headScores(q, k) (no softmax), and the gradients of Σ y·probe wrt q, k, v. */
function attention(s: Shape, inPlace: boolean): Float32Array[] {
  return tf.tidy(() => {
    const { batch, seq, heads, dh } = s;
    const d = heads * dh;
    const [q, k, v] = [1, 2, 3].map((seed) => tf.tensor2d(values(batch * seq * d, seed), [batch * seq, d]));
    const probe = tf.tensor2d(values(batch * seq * d, 4), [batch * seq, d]);
    const split = (t: tf.Tensor2D) => tf.transpose(tf.reshape(t, [batch, seq, heads, dh]), [0, 2, 1, 3]);
    const f = (qi: tf.Tensor2D, ki: tf.Tensor2D, vi: tf.Tensor2D): tf.Tensor2D => {
      if (inPlace) return headApply(headScores(qi, ki, batch, seq, heads), vi, batch, seq, heads);
      // the path the model took before: heads transposed out, products, transposed back
      const y = tf.matMul(tf.matMul(split(qi), split(ki), false, true), split(vi));
      return tf.reshape(tf.transpose(y, [0, 2, 1, 3]), [batch * seq, d]);
    };
    const y = f(q, k, v);
    const grads = tf.grads((a: tf.Tensor, b: tf.Tensor, c: tf.Tensor) =>
      tf.sum(tf.mul(f(a as tf.Tensor2D, b as tf.Tensor2D, c as tf.Tensor2D), probe)),
    )([q, k, v]);
    return [y, ...grads].map((t) => t.dataSync() as Float32Array);
  });
}

const SHAPES: Shape[] = [
  { batch: 3, seq: 24, heads: 3, dh: 8 }, // in place on wasm (T and d/H multiples of 8)
  { batch: 2, seq: 16, heads: 2, dh: 40 },
  { batch: 2, seq: 10, heads: 3, dh: 6 }, // not tile-aligned: the transposing path on every backend
];

describe('attention heads in place', () => {
  const cpu: Float32Array[][] = [];
  beforeAll(async () => {
    await chooseBackend('cpu', []);
    for (const s of SHAPES) cpu.push(attention(s, true));
    await chooseBackend('wasm', []);
  });

  it('values and gradients equal the cpu backend', () => {
    SHAPES.forEach((s, i) => {
      attention(s, true).forEach((got, j) => {
        const want = cpu[i][j];
        expect(got.length).toBe(want.length);
        let worst = 0;
        for (let q = 0; q < got.length; q++)
          worst = Math.max(worst, Math.abs(got[q] - want[q]) / (1 + Math.abs(want[q])));
        expect(worst, `${JSON.stringify(s)} output ${j}`).toBeLessThan(1e-4);
      });
    });
  });

  it('on wasm, bit-identical to transposing the heads out and back', () => {
    for (const s of SHAPES) {
      const got = attention(s, true);
      const want = attention(s, false);
      got.forEach((g, j) => {
        const differing = g.findIndex((x, q) => !Object.is(x, want[j][q]));
        expect(differing, `${JSON.stringify(s)} output ${j}: first differing element`).toBe(-1);
      });
    }
  });

  it('on wasm, aligned shapes run LLHeadMatMul and no transposes', async () => {
    const { batch, seq, heads, dh } = SHAPES[0];
    const d = heads * dh;
    const info = await tf.profile(() => {
      const x = tf.tensor2d(values(batch * seq * d, 5), [batch * seq, d]);
      return tf.grad((q: tf.Tensor) =>
        tf.sum(headApply(headScores(q as tf.Tensor2D, x, batch, seq, heads), x, batch, seq, heads)),
      )(x);
    });
    expect(info.kernelNames).toContain('LLHeadMatMul');
    expect(info.kernelNames).not.toContain('Transpose');
  });
});
