// LoRA: B is zero at the start, so the adapted model reproduces the base model exactly; training
// changes the adapters only.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { MODEL_PRESETS, trainConfigSchema } from '../lib/protocol/config';
import { chooseBackend } from './backend';
import { GPT } from './model';
import { buildRun, disposeRun } from './setup';
import { beginStep, update } from './train';

const ids = Int32Array.from({ length: 2 * 16 }, (_, i) => (i * 37) % 256);

beforeAll(async () => {
  await chooseBackend('wasm');
});

describe('LoRA', () => {
  it('at step 0 gives exactly the base model logits', () => {
    const m = GPT.create(MODEL_PRESETS.nano, 8);
    const base = tf.tidy(() => m.forward(ids, 2, 16).dataSync().slice());
    m.addLora({ rank: 4, alpha: 8, targets: ['q', 'k', 'v', 'o', 'mlp'] }, 8);
    expect(m.params.filter((p) => p.role === 'lora_b').every((p) => p.variable.dataSync().every((v) => v === 0))).toBe(
      true,
    );
    expect(m.params.filter((p) => p.role === 'lora_a').some((p) => p.variable.dataSync().some((v) => v !== 0))).toBe(
      true,
    );
    const adapted = tf.tidy(() => m.forward(ids, 2, 16).dataSync().slice());
    expect(adapted).toEqual(base);
    m.dispose();
  });

  it('trains the adapters and leaves every base weight untouched', () => {
    const config = trainConfigSchema.parse({
      preset: 'nano',
      method: 'lora',
      rank: 4,
      alpha: 8,
      data: 'pretrain',
      batch: 4,
      seq: 16,
      lr: 1e-2,
    });
    const r = buildRun(config, null, null);
    const values = (role: string) =>
      r.model.params.filter((p) => p.role === role).map((p) => p.variable.dataSync().slice());
    const base0 = values('base');
    const b0 = values('lora_b');
    expect(new Set(r.method.trainable().map((p) => p.role))).toEqual(new Set(['lora_a', 'lora_b']));
    for (let step = 1; step <= 3; step++) {
      beginStep(r, step);
      update(r, step, 1e-2);
    }
    expect(values('base')).toEqual(base0);
    expect(values('lora_b').some((b, i) => b.some((v, j) => v !== b0[i][j]))).toBe(true);
    disposeRun(r);
  });

  it('with lora_train_embed also trains the embedding and the head', () => {
    const config = trainConfigSchema.parse({
      preset: 'nano',
      method: 'lora',
      lora_train_embed: true,
      data: 'pretrain',
    });
    const r = buildRun(config, null, null);
    const groups = new Set(
      r.method
        .trainable()
        .filter((p) => p.role === 'base')
        .map((p) => p.group),
    );
    expect([...groups].sort()).toEqual(['embed', 'head']);
    disposeRun(r);
  });
});
