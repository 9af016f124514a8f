// installKernels: the trainer's kernels are registered by the backend choice, once, and by nothing else.
// The order of the tests matters: the first runs before any backend is chosen.
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { describe, expect, it, vi } from 'vitest';
import { chooseBackend } from '../backend';
import { gelu } from '../ops';
import { runMap } from './simd-map';

const OURS = [
  'LLEmbedding',
  'LLEmbeddingGrad',
  'LLLayerNorm',
  'LLMulCol',
  'LLLnDot',
  'LLLnDg',
  'LLLnGrad',
  'LLGeluArg',
  'LLGeluGrad',
  'LLSoftmaxGrad',
];

describe('installKernels', () => {
  it('before a backend is chosen, an op on cpu names what is missing and registers nothing itself', async () => {
    expect(await tf.setBackend('cpu')).toBe(true);
    const x = tf.ones([2, 4]) as tf.Tensor2D;
    expect(() => gelu(x)).toThrow(
      /^the trainer's kernels are not installed on cpu: pick the backend with chooseBackend/,
    );
    for (const name of OURS) expect(tf.getKernel(name, 'cpu'), name).toBeUndefined();
    x.dispose();
  });

  it(
    'chooseBackend installs every kernel on cpu and wasm; the wasm replacements only when wasm is ' + 'chosen',
    async () => {
      const stock = tf.getKernel('BatchMatMul', 'wasm')?.kernelFunc;
      expect(stock).toBeDefined();
      await chooseBackend('cpu', []);
      for (const backend of ['cpu', 'wasm']) {
        for (const name of OURS) expect(tf.getKernel(name, backend), `${name} on ${backend}`).toBeDefined();
      }
      expect(tf.getKernel('BatchMatMul', 'wasm')?.kernelFunc).toBe(stock);
      expect((await chooseBackend('wasm', [])).info.name).toBe('wasm');
      expect(tf.getKernel('BatchMatMul', 'wasm')?.kernelFunc).not.toBe(stock);
    },
  );

  it('choosing again registers nothing twice', async () => {
    const warn = vi.spyOn(console, 'warn');
    await chooseBackend('wasm', []);
    await chooseBackend('cpu', []);
    const twice = warn.mock.calls.filter((c) => /already registered/.test(String(c[0])));
    warn.mockRestore();
    expect(twice).toEqual([]);
  });

  // The softmax backward's scale is an attribute of the call: one kernel for every head size.
  it.each(['cpu', 'wasm'] as const)('one map kernel serves every value of an attribute constant (%s)', async (b) => {
    await chooseBackend(b, []);
    for (const [rows, d] of [
      [2, 8], // wasm: the compiled SIMD loop
      [3, 6], // d not a multiple of 4: interpreted
    ]) {
      const dy = tf.tensor2d(
        Array.from({ length: rows * d }, (_, i) => (i % 7) - 3.25),
        [rows, d],
      );
      const p = tf.tensor2d(
        Array.from({ length: rows * d }, (_, i) => ((i * 5) % 11) / 16),
        [rows, d],
      );
      const dot = tf.tensor2d(
        Array.from({ length: rows }, (_, i) => i - 0.5),
        [rows, 1],
      );
      for (const scale of [0.5, 0.125, 3]) {
        const got = runMap('LLSoftmaxGrad', [dy, p, dot], { scale });
        const want = tf.mul(tf.mul(p, scale), tf.sub(dy, dot));
        expect(Array.from(got.dataSync()), `scale ${scale}, [${rows}, ${d}]`).toEqual(Array.from(want.dataSync()));
        tf.dispose([got, want]);
      }
      expect(() => runMap('LLSoftmaxGrad', [dy, p, dot])).toThrow(/attribute scale must be a number/);
      tf.dispose([dy, p, dot]);
    }
  });
});
