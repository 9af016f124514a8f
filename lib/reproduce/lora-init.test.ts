// LoRA's analytic init norm against the trainer's own: a real model with adapters, its step-0 `trainable`
// norms as the run's layer_norms event reports them (trainer/norms.ts).
import { beforeAll, describe, expect, it } from 'vitest';
import { chooseBackend } from '../../trainer/backend';
import { GPT } from '../../trainer/model';
import { computeNorms } from '../../trainer/norms';
import { MODEL_PRESETS } from '../protocol/config';
import { presetShape } from '../protocol/inventory';
import { loraInitNorms } from './lora-init';

beforeAll(async () => {
  await chooseBackend('wasm');
});

describe('loraInitNorms', () => {
  it('is √(m·r/3) per block and 0 where LoRA adds no adapter', () => {
    const norms = loraInitNorms(presetShape('nano'), 4, ['q', 'k', 'v', 'o', 'mlp']);
    expect(norms.map((g) => g.group)).toEqual([
      'embed',
      'pos',
      'block.0',
      'block.1',
      'block.2',
      'block.3',
      'lnf',
      'head',
    ]);
    const block = norms.find((g) => g.group === 'block.2')!;
    expect(block.adapters).toBe(6); // q, k, v, o, mlp.fc, mlp.proj
    expect(block.norm).toBeCloseTo(Math.sqrt(8), 12);
    expect(norms.find((g) => g.group === 'embed')!.norm).toBe(0);
    expect(loraInitNorms(presetShape('nano'), 16, ['q', 'v']).find((g) => g.group === 'block.0')!.norm).toBeCloseTo(
      Math.sqrt((2 * 16) / 3),
      12,
    );
  });

  it('matches the trainer’s step-0 trainable norm of a LoRA model within 2 %', () => {
    const model = GPT.create(MODEL_PRESETS.small, 3);
    model.addLora({ rank: 8, alpha: 16, targets: ['q', 'k', 'v', 'o', 'mlp'] }, 3);
    const adapters = new Set(model.params.filter((p) => p.role !== 'base').map((p) => p.name));
    const measured = computeNorms(model, new Map(), adapters, null).groups;
    const expected = loraInitNorms(presetShape('small'), 8, ['q', 'k', 'v', 'o', 'mlp']);
    for (const g of expected) {
      if (g.adapters === 0) expect(measured[g.group].trainable, g.group).toBe(0);
      else expect(Math.abs(measured[g.group].trainable / g.norm - 1), g.group).toBeLessThan(0.02);
    }
    model.dispose();
  });
});
