// The wasm kernel replacements (SIMD matmul, data-sharing Identity) against the cpu backend.
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { beforeAll, describe, expect, it } from 'vitest';
import { chooseBackend } from './backend';
import { SimdGemm } from './kernels/gemm';
import { runKernel } from './kernels/tfjs-internals';
import { Rng } from './rng';

function values(n: number, seed: number): Float32Array {
  const rng = new Rng(seed, 'kernels-test');
  return Float32Array.from({ length: n }, () => rng.normal());
}

interface Case {
  a: number[];
  b: number[];
  ta: boolean;
  tb: boolean;
}

/** matMul value and both gradients (under a fixed cotangent) on the active backend. */
function run(c: Case): Float32Array[] {
  return tf.tidy(() => {
    const size = (s: number[]) => s.reduce((p, x) => p * x, 1);
    const a = tf.tensor(values(size(c.a), 1), c.a);
    const b = tf.tensor(values(size(c.b), 2), c.b);
    const y = tf.matMul(a, b, c.ta, c.tb);
    const probe = tf.tensor(values(y.size, 3), y.shape);
    const [da, db] = tf.grads((x: tf.Tensor, w: tf.Tensor) => tf.sum(tf.mul(tf.matMul(x, w, c.ta, c.tb), probe)))([
      a,
      b,
    ]);
    return [y, da, db].map((t) => t.dataSync() as Float32Array);
  });
}

const cases: Case[] = [];
for (const ta of [false, true]) {
  for (const tb of [false, true]) {
    const [m, k, n] = [37, 53, 29]; // not multiples of the 4x8 tile
    cases.push({ a: ta ? [k, m] : [m, k], b: tb ? [n, k] : [k, n], ta, tb });
    cases.push({ a: ta ? [3, 2, 16, 12] : [3, 2, 12, 16], b: tb ? [3, 2, 8, 16] : [3, 2, 16, 8], ta, tb });
  }
}
cases.push({ a: [64, 128], b: [128, 256], ta: false, tb: false });
// K > 512: the kernel splits K into blocks and accumulates (tile-aligned M and N take that path)
cases.push({ a: [1100, 16], b: [1100, 24], ta: true, tb: false });
cases.push({ a: [16, 1100], b: [24, 1100], ta: false, tb: true });

describe('wasm kernels', () => {
  const expected: Float32Array[][] = [];
  beforeAll(async () => {
    await tf.setBackend('cpu');
    for (const c of cases) expected.push(run(c));
    expect(await tf.setBackend('wasm')).toBe(true);
    await chooseBackend('wasm', []); // installs the replacements
  });

  it('matmul values and gradients equal the cpu backend', () => {
    cases.forEach((c, i) => {
      const got = run(c);
      got.forEach((arr, j) => {
        const want = expected[i][j];
        expect(arr.length).toBe(want.length);
        let worst = 0;
        for (let q = 0; q < arr.length; q++)
          worst = Math.max(worst, Math.abs(arr[q] - want[q]) / (1 + Math.abs(want[q])));
        // float32 sums of K products in a different order: the error grows like √K
        const k = c.ta ? c.a[c.a.length - 2] : c.a[c.a.length - 1];
        expect(worst, `case ${JSON.stringify(c)} output ${j}`).toBeLessThan(1e-5 * Math.max(1, Math.sqrt(k / 128)));
      });
    });
  });

  it('batch broadcast (rank 3 x rank 2) values equal the cpu backend', async () => {
    // Gradients of this form throw in tfjs on every backend (tfjs 4.22), so only values here.
    const make = () =>
      tf.tidy(() => tf.matMul(tf.tensor(values(5 * 7 * 9, 5), [5, 7, 9]), tf.tensor(values(54, 6), [9, 6])).dataSync());
    const got = make();
    await tf.setBackend('cpu');
    const want = make();
    await tf.setBackend('wasm');
    for (let i = 0; i < want.length; i++)
      expect(Math.abs(got[i] - want[i])).toBeLessThan(1e-5 * (1 + Math.abs(want[i])));
  });

  it('LLColSum: column sums equal the cpu backend, and bit for bit the product tᵀ·1 it replaced', async () => {
    // 1100 rows: the product splits K into blocks there; 3 rows: fewer than a tile
    for (const [n, d] of [
      [37, 12],
      [1100, 8],
      [3, 132],
    ]) {
      const t = values(n * d, 7);
      const got = tf.tidy(() => runKernel('LLColSum', [tf.tensor2d(t, [n, d])]) as tf.Tensor).dataSync();
      const product = tf.tidy(() => tf.matMul(tf.tensor2d(t, [n, d]), tf.ones([n, 8]), true, false).dataSync());
      await tf.setBackend('cpu');
      const want = tf.tidy(() => tf.sum(tf.tensor2d(t, [n, d]), 0).dataSync());
      await tf.setBackend('wasm');
      expect(got.length).toBe(d);
      for (let j = 0; j < d; j++) {
        expect(Math.abs(got[j] - want[j]), `[${n}, ${d}] column ${j}`).toBeLessThan(1e-4 * (1 + Math.abs(want[j])));
        expect(Object.is(got[j], product[j * 8]), `[${n}, ${d}] column ${j}: ${got[j]} vs ${product[j * 8]}`).toBe(
          true,
        );
      }
    }
  });

  it('a transposed A copied row-major first (M >= packAFrom) gives bit-identical products', () => {
    // K = 600: two blocks of 256 and a tail of 88; M = 1024 rows of Aᵀ
    const [m, k, n] = [1024, 600, 16];
    const src = values(m * k + k * n, 8);
    const [inPlace, copied] = [new SimdGemm(), new SimdGemm()];
    inPlace.packAFrom = 0;
    const [want, got] = [new Float32Array(m * n), new Float32Array(m * n)];
    inPlace.matmul(src, 0, m * k, want, 0, 1, m, k, n, true, false);
    copied.matmul(src, 0, m * k, got, 0, 1, m, k, n, true, false);
    expect(got.findIndex((x, i) => !Object.is(x, want[i]))).toBe(-1);
    // and it is the product: one element against a float64 sum
    let s = 0;
    for (let q = 0; q < k; q++) s += src[q * m + 1000] * src[m * k + q * n + 5];
    expect(Math.abs(got[1000 * n + 5] - s)).toBeLessThan(1e-4 * (1 + Math.abs(s)));
  });

  it('tf.clone shares data without aliasing problems (tensors stay immutable)', () => {
    const a = tf.tensor([1, 2, 3]);
    const b = tf.clone(a);
    a.dispose();
    expect(Array.from(b.dataSync())).toEqual([1, 2, 3]);
    b.dispose();
  });

  it('the SIMD gemm matches a float64 reference, including padding and broadcast', () => {
    const g = new SimdGemm();
    for (const [batch, m, k, n] of [
      [1, 1, 1, 1],
      [2, 5, 3, 9],
      [3, 8, 16, 8],
      [1, 13, 40, 17],
    ]) {
      for (const [ta, tb, ab, bb] of [
        [false, false, true, true],
        [true, true, true, false],
        [false, true, false, true],
        [true, false, true, true],
      ]) {
        const src = values(batch * (m * k + k * n) + 8, 4);
        const aOff = 5;
        const bOff = aOff + (ab ? batch : 1) * m * k;
        const out = new Float32Array(batch * m * n);
        g.matmul(src, aOff, bOff, out, 0, batch, m, k, n, ta, tb, ab, bb);
        for (let i = 0; i < batch; i++) {
          for (let r = 0; r < m; r++) {
            for (let c = 0; c < n; c++) {
              const ao = aOff + (ab ? i * m * k : 0);
              const bo = bOff + (bb ? i * k * n : 0);
              let s = 0;
              for (let q = 0; q < k; q++)
                s += src[ta ? ao + q * m + r : ao + r * k + q] * src[tb ? bo + c * k + q : bo + q * n + c];
              expect(Math.abs(out[(i * m + r) * n + c] - s)).toBeLessThan(1e-5 * (1 + Math.abs(s)));
            }
          }
        }
      }
    }
  });
});

describe('align16', () => {
  it('rounds byte addresses up to 16 across the 2 GiB line, reading a signed i32 address as unsigned', async () => {
    const { align16 } = await import('./kernels/gemm');
    expect([0, 1, 15, 16, 17].map(align16)).toEqual([0, 16, 16, 16, 32]);
    expect(align16(2 ** 31 - 1)).toBe(2 ** 31);
    expect(align16(2 ** 31 + 1)).toBe(2 ** 31 + 16);
    expect(align16(-(2 ** 31) + 1)).toBe(2 ** 31 + 16); // the same address as an i32
    expect(align16(2 ** 32 - 16)).toBe(2 ** 32 - 16);
  });
});
