// --save-hf: save → reload is bit-identical in the source's names and layout; LoRA adapters follow PEFT's
// tensor names and shapes; the merged export equals W₀ + (α/r)·B·A of the adapter file.
import * as tf from '@tensorflow/tfjs';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chooseBackend } from '../backend';
import { saveHf } from './export';
import { FIXTURES, reference } from './fixtures';
import { inspectHfFolder, loadHfModel } from './load';
import type { HFModel } from './model';
import { SafetensorsFolder } from './safetensors';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'layerlab-export-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
beforeAll(async () => {
  await chooseBackend('wasm');
});

const load = (dir: string) => loadHfModel(inspectHfFolder(dir));
const bits = (v: Float32Array) => Buffer.from(v.buffer, v.byteOffset, v.byteLength);

function logits(m: HFModel, name: string): Float32Array {
  const ids = reference(name).text.ids;
  return tf.tidy(() => m.forward(Int32Array.from(ids), 1, ids.length).dataSync() as Float32Array).slice();
}

/** Gives every adapter B non-zero values, as training would. */
function perturbAdapters(m: HFModel): void {
  let k = 0;
  for (const p of m.params.filter((q) => q.role === 'lora_b')) {
    const v = Float32Array.from({ length: p.variable.size }, () => Math.sin(++k) * 0.05);
    const t = tf.tensor(v, p.variable.shape);
    p.variable.assign(t);
    t.dispose();
  }
}

describe('--save-hf', () => {
  it.each(['gpt2-tiny', 'gpt2-tiny-f16-sharded', 'llama-tiny-gqa', 'qwen2-tiny-tied', 'llama-tiny-gqa-bf16'])(
    '%s: save → reload is bit-identical, in the source names, head kept tied',
    (name) => {
      const src = path.join(FIXTURES, name);
      const m = load(src);
      const out = path.join(tmp, name);
      saveHf(m, out);
      const before = new SafetensorsFolder(src);
      const after = new SafetensorsFolder(out);
      expect([...after.tensors.keys()]).toEqual(m.specs.map((s) => s.name));
      expect(new Set(after.tensors.keys())).toEqual(new Set(before.tensors.keys()));
      for (const n of before.tensors.keys()) {
        expect(after.info(n).shape).toEqual(before.info(n).shape);
        expect(after.info(n).dtype).toBe('F32');
        expect(bits(after.read(n).values).equals(bits(before.read(n).values)), n).toBe(true);
      }
      const config = JSON.parse(readFileSync(path.join(out, 'config.json'), 'utf8'));
      expect(config.tie_word_embeddings ?? true).toBe(m.hf.tied);
      expect(after.has('lm_head.weight')).toBe(!m.hf.tied);
      expect(readFileSync(path.join(out, 'tokenizer.json'))).toEqual(readFileSync(path.join(src, 'tokenizer.json')));
      const again = load(out);
      expect(bits(logits(again, name)).equals(bits(logits(m, name)))).toBe(true);
      m.dispose();
      again.dispose();
    },
  );
});

describe('LoRA export', () => {
  const cases: [string, string[], [string, number[], number[]][]][] = [
    [
      'llama-tiny-gqa',
      ['q_proj', 'v_proj'],
      [
        ['base_model.model.model.layers.0.self_attn.q_proj', [4, 16], [16, 4]],
        ['base_model.model.model.layers.0.self_attn.v_proj', [4, 16], [8, 4]],
        ['base_model.model.model.layers.1.self_attn.q_proj', [4, 16], [16, 4]],
        ['base_model.model.model.layers.1.self_attn.v_proj', [4, 16], [8, 4]],
      ],
    ],
    [
      'gpt2-tiny',
      ['c_attn'],
      [
        ['base_model.model.transformer.h.0.attn.c_attn', [4, 16], [48, 4]],
        ['base_model.model.transformer.h.1.attn.c_attn', [4, 16], [48, 4]],
      ],
    ],
  ];

  it.each(cases)('%s with %s: PEFT names and shapes; merged = W₀ + (α/r)·B·A', (name, targets, expected) => {
    const src = path.join(FIXTURES, name);
    const m = load(src);
    m.addLora({ rank: 4, alpha: 8, targets: targets as never }, 3);
    perturbAdapters(m);
    const out = path.join(tmp, `${name}-lora`);
    saveHf(m, out, { rank: 4, alpha: 8, merge: true });
    const adapterConfig = JSON.parse(readFileSync(path.join(out, 'adapter_config.json'), 'utf8'));
    expect(adapterConfig).toMatchObject({
      peft_type: 'LORA',
      task_type: 'CAUSAL_LM',
      r: 4,
      lora_alpha: 8,
      target_modules: targets,
    });
    expect(adapterConfig.fan_in_fan_out).toBe(name.startsWith('gpt2'));
    const adapter = new SafetensorsFolder(out, 'adapter_model.safetensors');
    const names = expected.flatMap(([mod, a, b]) => [
      [`${mod}.lora_A.weight`, a],
      [`${mod}.lora_B.weight`, b],
    ]);
    expect([...adapter.tensors.keys()].sort()).toEqual(names.map(([n]) => n).sort());
    for (const [n, shape] of names) expect(adapter.info(n as string).shape).toEqual(shape);

    // merged (torch layout) = W₀ + (α/r)·B·A, W₀ from the source file; Conv1D stores the transpose of B·A
    const base = new SafetensorsFolder(src);
    const merged = new SafetensorsFolder(out);
    let checked = 0;
    for (const [mod] of expected) {
      const weight = `${mod.replace('base_model.model.', '').replace(/^transformer\./, '')}.weight`;
      const a = adapter.read(`${mod}.lora_A.weight`);
      const b = adapter.read(`${mod}.lora_B.weight`);
      const [r, din] = a.shape;
      const dout = b.shape[0];
      const w0 = base.read(weight);
      const w = merged.read(weight);
      const conv = name.startsWith('gpt2');
      for (let o = 0; o < dout; o++) {
        for (let i = 0; i < din; i++) {
          let ba = 0;
          for (let k = 0; k < r; k++) ba += b.values[o * r + k] * a.values[k * din + i];
          const at = conv ? i * dout + o : o * din + i;
          expect(Math.abs(w.values[at] - (w0.values[at] + (8 / 4) * ba))).toBeLessThan(1e-6);
          checked++;
        }
      }
    }
    expect(checked).toBeGreaterThan(0);
    // and the merged folder is a plain model with the adapted model's logits
    const mergedModel = load(out);
    const want = logits(m, name);
    const got = logits(mergedModel, name);
    expect(Math.max(...got.map((v, i) => Math.abs(v - want[i])))).toBeLessThan(1e-5);
    expect(existsSync(path.join(out, 'config.json'))).toBe(true);
    m.dispose();
    mergedModel.dispose();
  });
});
