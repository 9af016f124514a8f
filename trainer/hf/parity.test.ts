// Logit parity with the reference forward passes of scripts/hf-fixtures.py (written in torch from the
// published architectures): 1e-4 for float32 / float16 weights, 2e-2 for the bf16 fixture (whose reference
// runs in bf16 arithmetic, so its logits carry bf16 rounding: 2e-2 there is relative to the largest |logit|, about
// 3 bf16 ulps at the fixture's logit scale, while LayerLab computes in float32). Also the tokenizer: tokenizer.json through @huggingface/tokenizers gives the
// generator's ids.
import * as tf from '@tensorflow/tfjs';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { chooseBackend } from '../backend';
import { crossEntropy } from '../ops';
import { inspectHfFolder, loadHfModel } from './load';
import { loadHfTokenizer } from './tokenizer';

export const FIXTURES = path.join(__dirname, '..', '..', 'tests', 'fixtures', 'hf');

interface RefText {
  text: string;
  ids: number[];
  loss: number;
  logits: number[][];
}

export function reference(name: string): { text: RefText; eval_text: RefText } {
  return JSON.parse(readFileSync(path.join(FIXTURES, name, 'reference.json'), 'utf8'));
}

beforeAll(async () => {
  await chooseBackend('wasm');
});

const CASES: [string, number][] = [
  ['gpt2-tiny', 1e-4],
  ['gpt2-tiny-f16-sharded', 1e-4],
  ['llama-tiny-gqa', 1e-4],
  ['qwen2-tiny-tied', 1e-4],
  ['llama-tiny-gqa-bf16', 2e-2],
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
    ref.logits.forEach((row, i) => row.forEach((v, j) => {
      worst = Math.max(worst, Math.abs(v - logits[i][j]));
      scale = Math.max(scale, Math.abs(v));
    }));
    console.log(`${name}: max |Δlogit| ${worst.toExponential(2)} (max |logit| ${scale.toFixed(2)}), |Δloss| ${Math.abs(loss - ref.loss).toExponential(2)}`);
    expect(worst).toBeLessThan(tol === 1e-4 ? tol : tol * Math.max(1, scale));
    expect(Math.abs(loss - ref.loss)).toBeLessThan(tol);
    model.dispose();
  });

  it.each(CASES.map(([n]) => n))('%s: tokenizer.json encodes the reference text to the reference ids', (name) => {
    const ref = reference(name);
    const tok = loadHfTokenizer(path.join(FIXTURES, name));
    expect(tok.encode(ref.text.text)).toEqual(ref.text.ids);
    expect(tok.encode(ref.eval_text.text)).toEqual(ref.eval_text.ids);
    expect(tok.decode(ref.text.ids)).toBe(ref.text.text);
    const config = JSON.parse(readFileSync(path.join(FIXTURES, name, 'config.json'), 'utf8'));
    expect(tok.eos).toBe(config.vocab_size - 1);
  });
});
