// Gradient accumulation is the larger batch: grad_accum micro-batches of `batch` rows give the update of one
// batch of grad_accum × batch rows (full, LISA, LoRA; text and instruction data), and the warm-up ratio.
import { beforeAll, describe, expect, it } from 'vitest';
import { trainConfigSchema, type TrainConfigInput } from '../lib/protocol/config';
import { chooseBackend } from './backend';
import { learningRate } from './optim';
import { buildRun, disposeRun, type RunState } from './setup';
import { beginStep, scheduleOf, update } from './train';

/** Largest |Δw| allowed after STEPS updates at lr 1e-3 (each moves a weight by up to ~1e-3): summation order. */
const TOLERANCE = 1e-5;
const STEPS = 6;

function run(overrides: TrainConfigInput): RunState {
  const config = trainConfigSchema.parse({
    preset: 'nano',
    seq: 16,
    lr: 1e-3,
    seed: 5,
    stage: 'pretrain',
    ...overrides,
  });
  return buildRun(config, null, null);
}

/** What the loop does per update: period switch, learning rate, update. Returns the losses. */
function train(r: RunState, steps: number): number[] {
  const losses: number[] = [];
  for (let step = 1; step <= steps; step++) {
    beginStep(r, step);
    losses.push(update(r, step, learningRate(step, scheduleOf(r.config))).loss);
  }
  return losses;
}

function maxDiff(a: RunState, b: RunState): number {
  let max = 0;
  for (const p of a.model.params) {
    const x = p.variable.dataSync() as Float32Array;
    const y = b.model.param(p.name).variable.dataSync() as Float32Array;
    for (let i = 0; i < x.length; i++) max = Math.max(max, Math.abs(x[i] - y[i]));
  }
  return max;
}

describe('gradient accumulation', () => {
  beforeAll(async () => {
    await chooseBackend('wasm');
  });

  const cases: [string, TrainConfigInput][] = [
    ['full, text', { method: 'full', data: 'pretrain' }],
    ['full, instruction records (padding differs per micro-batch)', { method: 'full', data: 'instruct' }],
    ['LISA γ = 1, K = 2 (periods counted in optimizer steps)', { method: 'lisa', gamma: 1, interval: 2 }],
    ['LoRA r = 4', { method: 'lora', rank: 4, alpha: 8 }],
  ];
  for (const [name, settings] of cases) {
    it(`${name}: 4 × batch 4 gives the weights of 1 × batch 16`, () => {
      // LISA and LoRA fine-tune (the pretrain stage is full training only).
      const stage = settings.method === 'full' ? {} : { stage: 'finetune' as const, data: 'instruct' };
      const big = run({ ...settings, ...stage, batch: 16 });
      const accumulated = run({ ...settings, ...stage, batch: 4, grad_accum: 4 });
      const small = run({ ...settings, ...stage, batch: 4 });
      const a = train(big, STEPS);
      const b = train(accumulated, STEPS);
      train(small, STEPS);
      const diff = maxDiff(big, accumulated);
      console.log(
        `${name}: max |Δw| after ${STEPS} steps ${diff.toExponential(2)} (batch 4 alone: ` +
          `${maxDiff(big, small).toExponential(2)})`,
      );
      expect(diff).toBeLessThanOrEqual(TOLERANCE);
      // The guard can fail: four times fewer rows is another update altogether.
      expect(maxDiff(big, small)).toBeGreaterThan(100 * TOLERANCE);
      a.forEach((loss, i) => expect(Math.abs(loss - b[i]), `loss at step ${i + 1}`).toBeLessThanOrEqual(1e-5));
      for (const r of [big, accumulated, small]) disposeRun(r);
    });
  }

  it('counts the tokens of every micro-batch', () => {
    const r = run({ method: 'full', data: 'instruct', batch: 4, grad_accum: 3 });
    const result = update(r, 1, 1e-3);
    const rows = r.data.trainBatch(0, 12);
    expect(result.tokens).toBe(12 * 16);
    expect(result.lossTokens).toBe(rows.mask.reduce((n, m) => n + m, 0));
    disposeRun(r);
  });
});
