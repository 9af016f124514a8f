/**
 * A Hugging Face GPT-2 small folder with random weights (124 M parameters: N(0, 0.02) matrices, unit norm
 * gains, zero biases), for `npm run bench:trainer -- --model-shape gpt2`: the trainer loads it through
 * `--model` like a downloaded checkpoint. The tokenizer is the byte-level one of the test fixtures.
 */
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { tensorSpecs } from '../../trainer/hf/arch';
import { parseHfConfig } from '../../trainer/hf/config';
import { writeSafetensors } from '../../trainer/hf/safetensors';

export const GPT2_SMALL = {
  architectures: ['GPT2LMHeadModel'],
  model_type: 'gpt2',
  vocab_size: 50257,
  n_positions: 1024,
  n_embd: 768,
  n_layer: 12,
  n_head: 12,
  activation_function: 'gelu_new',
  layer_norm_epsilon: 1e-5,
  tie_word_embeddings: true,
};

export function writeRandomGpt2(repoRoot: string, dir: string, seed = 1): string {
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'config.json'), JSON.stringify(GPT2_SMALL, null, 2));
  const fixture = path.join(repoRoot, 'tests', 'fixtures', 'hf', 'gpt2-tiny');
  for (const f of ['tokenizer.json', 'tokenizer_config.json']) copyFileSync(path.join(fixture, f), path.join(dir, f));
  let state = seed >>> 0 || 1;
  const uniform = () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return (state + 0.5) / 2 ** 32;
  };
  const specs = tensorSpecs(parseHfConfig(GPT2_SMALL));
  writeSafetensors(
    path.join(dir, 'model.safetensors'),
    specs.map((s) => ({
      name: s.name,
      shape: s.hfShape,
      values: () => {
        const n = s.hfShape.reduce((a, b) => a * b, 1);
        const v = new Float32Array(n);
        if (s.hfShape.length === 1) return s.name.endsWith('.weight') ? v.fill(1) : v;
        for (let i = 0; i < n; i++)
          v[i] = Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform()) * 0.02;
        return v;
      },
    })),
  );
  return dir;
}
