// The shared parameter inventory against the Hugging Face models trainer/hf really builds from the
// committed fixtures: same total, same tensors per layer group, same groups, same LoRA adapters and LISA
// trainable count (what the planner would report against what `run_started` would).
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { baseInventory, countParams, inventoryGroups, loraInventory, methodCounts } from '../../lib/protocol/inventory';
import { createMethod } from '../methods';
import { modelInfo } from '../setup';
import { inventoryShape } from './inventory';
import { inspectHfFolder, loadHfModel } from './load';

const fixtures = path.resolve(__dirname, '../../tests/fixtures/hf');

describe('inventory of Hugging Face models', () => {
  const folders = readdirSync(fixtures).filter((d) => existsSync(path.join(fixtures, d, 'config.json')));

  it('finds the fixtures', () => expect(folders.length).toBeGreaterThanOrEqual(5));

  it.each(folders.map((d) => [d]))('%s: the inventory counts what trainer/hf builds', (dir) => {
    const folder = inspectHfFolder(path.join(fixtures, dir));
    const shape = inventoryShape(folder.shape);
    const inv = baseInventory(shape);
    const model = loadHfModel(folder);
    try {
      const byGroup = (ps: readonly { group: string; size: number }[]) => {
        const out: Record<string, number> = {};
        for (const p of ps) out[p.group] = (out[p.group] ?? 0) + p.size;
        return out;
      };
      expect(byGroup(model.params.map((p) => ({ group: p.group, size: p.variable.size })))).toEqual(
        byGroup(inv.map((p) => ({ group: p.group, size: p.shape.reduce((a, b) => a * b, 1) }))),
      );
      expect(model.groups).toEqual(inventoryGroups(inv));
      const lisa = createMethod(model, {
        method: 'lisa',
        gamma: 1,
        interval: 5,
        sampling: 'uniform',
        optimizerState: 'reset_blocks',
        rank: 2,
        alpha: 4,
        loraTargets: ['q'],
        loraTrainEmbed: false,
        seed: 1,
      });
      const planned = methodCounts(shape, { method: 'lisa', gamma: 1 });
      const built = modelInfo(model, lisa, { gamma: 1 });
      expect(built).toMatchObject({ params: planned.params, trainableParams: planned.trainable });
      model.addLora({ rank: 2, alpha: 4, targets: ['q', 'v', 'mlp'] }, 1);
      const adapters = model.params.filter((p) => p.role !== 'base').reduce((n, p) => n + p.variable.size, 0);
      expect(adapters).toBe(countParams(loraInventory(inv, { rank: 2, targets: ['q', 'v', 'mlp'] })));
      expect(adapters).toBeGreaterThan(0);
    } finally {
      model.dispose();
    }
  });
});
