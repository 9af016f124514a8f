// Logit parity with the reference forward passes of scripts/hf-fixtures.py (written in torch from the
// published architectures): 1e-4 for float32 / float16 weights, 2e-2 for the bf16 fixture (whose reference
// runs in bf16 arithmetic, so its logits carry bf16 rounding: 2e-2 there is relative to the largest |logit|,
// about 3 bf16 ulps at the fixture's logit scale, while LayerLab computes in float32).
import * as tf from '@tensorflow/tfjs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { chooseBackend } from '../backend';
import { crossEntropy } from '../ops';
import { FIXTURES, reference } from './fixtures';
import { inspectHfFolder, loadHfModel } from './load';

beforeAll(async () => {
  await chooseBackend('wasm');
});

const CASES: [string, number][] = [
  ['gpt2-tiny', 1e-4],
  ['gpt2-tiny-f16-sharded', 1e-4],
  ['llama-tiny-gqa', 1e-4],
  ['qwen2-tiny-tied', 1e-4],
  ['llama-tiny-gqa-bf16', 2e-2],
  ['qwen2-tiny-chat', 1e-4],
];

describe('Hugging Face fixtures', () => {
  it.each(CASES)('%s: logits and loss match the reference within %s', (name, tol) => {
    const ref = reference(name).text;
    const model = loadHfModel(inspectHfFolder(path.join(FIXTURES, name)));
    const t = ref.ids.length;
    const { logits, loss } = tf.tidy(() => {
      const z = model.forward(Int32Array.from(ref.ids), 1, t);
      const mask = new Float32Array(t).fill(1);
      mask[t - 1] = 0;
      const targets = Int32Array.from([...ref.ids.slice(1), 0]);
      return { logits: z.arraySync() as number[][], loss: crossEntropy(z, targets, mask).dataSync()[0] };
    });
    let worst = 0;
    let scale = 0;
    ref.logits.forEach((row, i) =>
      row.forEach((v, j) => {
        worst = Math.max(worst, Math.abs(v - logits[i][j]));
        scale = Math.max(scale, Math.abs(v));
      }),
    );
    const dLoss = Math.abs(loss - ref.loss).toExponential(2);
    console.log(`${name}: max |Δlogit| ${worst.toExponential(2)} (max |logit| ${scale.toFixed(2)}), |Δloss| ${dLoss}`);
    expect(worst).toBeLessThan(tol === 1e-4 ? tol : tol * Math.max(1, scale));
    expect(Math.abs(loss - ref.loss)).toBeLessThan(tol);
    model.dispose();
  });
});
