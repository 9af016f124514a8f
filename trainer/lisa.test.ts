// LISA: the sampler's statistics and seeding, and what training under it does to frozen and sampled
// blocks (guards against the LMFlow #726 / ms-swift #10140 bug: sampled blocks that never update).
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { trainConfigSchema } from '../lib/protocol/config';
import { chooseBackend } from './backend';
import { LisaSampler } from './lisa';
import { buildRun, disposeRun, type RunState } from './setup';
import { beginStep, update } from './train';

describe('LISA sampler', () => {
  it('uniform: exactly γ distinct blocks per period, each with frequency ≈ γ/N', () => {
    const n = 6;
    const gamma = 2;
    const s = new LisaSampler(n, gamma, 'uniform', 7);
    const counts = new Array(n).fill(0);
    const periods = 6000;
    for (let p = 0; p < periods; p++) {
      const a = s.next();
      expect(a.length).toBe(gamma);
      expect(new Set(a).size).toBe(gamma);
      expect(a.every((i) => Number.isInteger(i) && i >= 0 && i < n)).toBe(true);
      a.forEach((i) => counts[i]++);
    }
    for (const c of counts) expect(Math.abs(c / periods - gamma / n)).toBeLessThan(0.02);
    expect(s.period).toBe(periods - 1);
  });

  it('bernoulli: each block with p = γ/N, so the count varies around γ', () => {
    const s = new LisaSampler(8, 2, 'bernoulli', 3);
    const sizes = Array.from({ length: 6000 }, () => s.next().length);
    const mean = sizes.reduce((a, b) => a + b, 0) / sizes.length;
    expect(Math.abs(mean - 2)).toBeLessThan(0.1);
    expect(new Set(sizes).size).toBeGreaterThan(3);
  });

  it('different seeds give different sequences; the same seed the same one', () => {
    const seq = (seed: number) => {
      const s = new LisaSampler(12, 2, 'uniform', seed);
      return Array.from({ length: 20 }, () => s.next().join(',')).join(' | ');
    };
    expect(seq(1)).toBe(seq(1));
    expect(seq(1)).not.toBe(seq(2));
    expect(seq(2)).not.toBe(seq(3));
  });

  it('state round-trips: a restored sampler continues the same sequence', () => {
    const a = new LisaSampler(6, 3, 'uniform', 9);
    for (let i = 0; i < 5; i++) a.next();
    const b = new LisaSampler(6, 3, 'uniform', 123);
    b.restore(JSON.parse(JSON.stringify(a.state())));
    expect(b.active).toEqual(a.active);
    for (let i = 0; i < 10; i++) expect(b.next()).toEqual(a.next());
  });

  it('rejects γ > N', () => {
    expect(() => new LisaSampler(4, 5, 'uniform', 1)).toThrow(/gamma/);
  });
});

function blockValues(r: RunState, block: number): Float32Array[] {
  return r.model.params
    .filter((p) => p.group === `block.${block}`)
    .map((p) => (p.variable.dataSync() as Float32Array).slice());
}

function identical(a: Float32Array[], b: Float32Array[]): boolean {
  return a.every((x, i) => x.length === b[i].length && x.every((v, j) => Object.is(v, b[i][j])));
}

function lisaRun(overrides: Record<string, unknown>): RunState {
  const config = trainConfigSchema.parse({
    preset: 'nano',
    method: 'lisa',
    data: 'pretrain',
    batch: 4,
    seq: 16,
    lr: 1e-3,
    ...overrides,
  });
  return buildRun(config, null, null);
}

describe('training under LISA', () => {
  beforeAll(async () => {
    await chooseBackend('wasm');
  });

  it('frozen blocks are bit-identical across each period; active blocks change', () => {
    const r = lisaRun({ gamma: 1, interval: 3, seed: 4 });
    const layers = r.shape.layers;
    for (let period = 0; period < 4; period++) {
      const first = period * 3 + 1;
      const sw = beginStep(r, first);
      expect(sw?.period).toBe(period);
      expect(sw?.active.length).toBe(1);
      const before = Array.from({ length: layers }, (_, b) => blockValues(r, b));
      for (let step = first; step < first + 3; step++) {
        if (step > first) expect(beginStep(r, step)).toBeNull();
        update(r, step, 1e-3);
      }
      for (let b = 0; b < layers; b++) {
        const same = identical(before[b], blockValues(r, b));
        expect(same, `period ${period} block ${b} (active ${sw!.active})`).toBe(!sw!.active.includes(b));
      }
    }
    disposeRun(r);
  });

  for (const optimizerState of ['reset_all', 'reset_blocks', 'keep'] as const) {
    it(`every block ever sampled changes while it is active (optimizer state ${optimizerState})`, () => {
      const r = lisaRun({ gamma: 2, interval: 1, seed: 11, optimizer_state: optimizerState });
      const sampled = new Set<number>();
      for (let step = 1; step <= 10; step++) {
        const sw = beginStep(r, step)!;
        const before = sw.active.map((b) => blockValues(r, b));
        update(r, step, 1e-3);
        sw.active.forEach((b, i) => {
          sampled.add(b);
          expect(identical(before[i], blockValues(r, b)), `block ${b} at step ${step}`).toBe(false);
        });
        // Bias correction counts per variable: a block's count is the number of its own updates.
        if (optimizerState !== 'keep') expect(r.optimizer.stepCount(`block.${sw.active[0]}.attn.q`)).toBe(1);
      }
      expect(sampled.size).toBeGreaterThan(2);
      expect(r.optimizer.stepCount('wte')).toBe(optimizerState === 'reset_all' ? 1 : 10);
      disposeRun(r);
    });
  }

  it('optimizer state at a switch: reset_blocks keeps the always-trained groups, restarts the blocks', () => {
    const counts = (mode: string) => {
      const r = lisaRun({ gamma: 2, interval: 3, seed: 5, optimizer_state: mode });
      const perBlock = r.model.params.filter((p) => p.group === 'block.0').length;
      const out: { head: number; blocks: number[]; held: number }[] = [];
      for (let step = 1; step <= 9; step++) {
        const sw = beginStep(r, step);
        if (sw) expect(sw.reset).toBe(mode !== 'keep' && step > 1);
        update(r, step, 1e-3);
        const active = r.method.trainable().filter((p) => p.group.startsWith('block.') && p.name.endsWith('attn.q'));
        const held = r.optimizer.names.filter((n) => n.startsWith('block.')).length / perBlock;
        out.push({
          head: r.optimizer.stepCount('head'),
          blocks: active.map((p) => r.optimizer.stepCount(p.name)),
          held,
        });
      }
      disposeRun(r);
      return out;
    };
    const inPeriod = [1, 2, 3, 1, 2, 3, 1, 2, 3];
    const blocks = counts('reset_blocks');
    blocks.forEach((c, i) => {
      expect(c.head, `head at step ${i + 1}`).toBe(i + 1);
      expect(c.blocks, `active blocks at step ${i + 1}`).toEqual([inPeriod[i], inPeriod[i]]);
      expect(c.held, 'blocks holding optimizer state').toBe(2); // only the active ones
    });
    counts('reset_all').forEach((c, i) => expect(c.head).toBe(inPeriod[i]));
    // The old value `reset` (stored configs) still reads, as reset_all.
    expect(counts('reset').map((c) => c.head)).toEqual(inPeriod);
    counts('keep').forEach((c, i) => expect(c.head).toBe(i + 1));
  });

  it('reset_blocks is the default; `reset` is read as reset_all', () => {
    expect(trainConfigSchema.parse({}).optimizer_state).toBe('reset_blocks');
    expect(trainConfigSchema.parse({ optimizer_state: 'reset' }).optimizer_state).toBe('reset_all');
    expect(trainConfigSchema.safeParse({ optimizer_state: 'forget' }).success).toBe(false);
  });

  it('an update counts total and loss tokens; grad_norm/all widens the norm without changing the update', () => {
    const narrow = lisaRun({ gamma: 1, interval: 5, seed: 6, stage: 'finetune', data: 'instruct' });
    const wide = lisaRun({ gamma: 1, interval: 5, seed: 6, stage: 'finetune', data: 'instruct' });
    beginStep(narrow, 1);
    beginStep(wide, 1);
    const a = update(narrow, 1, 1e-3);
    const b = update(wide, 1, 1e-3, { allGrads: true });
    const batch = narrow.data.trainBatch(0, 4);
    const lossTokens = batch.mask.reduce((n, m) => n + m, 0);
    expect(a.tokens).toBe(4 * 16);
    expect(a.lossTokens).toBe(lossTokens);
    expect(lossTokens).toBeGreaterThan(0);
    expect(lossTokens).toBeLessThan(4 * 16); // prompts and padding do not count
    // Without the wide pass LISA's norm covers the trained parameters only, so there is no grad_norm/all.
    expect(a.gradNormAll).toBeUndefined();
    expect(b.gradNorm).toBe(a.gradNorm);
    expect(b.gradNormAll!).toBeGreaterThan(b.gradNorm);
    for (let i = 0; i < 4; i++) {
      expect(identical(blockValues(wide, i), blockValues(narrow, i)), `block ${i}`).toBe(true);
    }
    disposeRun(narrow);
    disposeRun(wide);
    // Full fine-tuning trains everything ever trainable: grad_norm/all is grad_norm, at no cost.
    const fullConfig = trainConfigSchema.parse({ preset: 'nano', method: 'full', data: 'pretrain', batch: 4, seq: 16 });
    const full = buildRun(fullConfig, null, null);
    const f = update(full, 1, 1e-3);
    expect(f.gradNormAll).toBe(f.gradNorm);
    disposeRun(full);
  });

  it(
    'no weight-gradient work for frozen blocks: only active blocks and always-trained groups are in the ' + 'varList',
    () => {
      const r = lisaRun({ gamma: 1, interval: 5, seed: 2 });
      const sw = beginStep(r, 1)!;
      const groups = new Set(r.method.trainable().map((p) => p.group));
      expect([...groups].sort()).toEqual(['embed', 'head', 'lnf', 'pos', `block.${sw.active[0]}`].sort());
      expect(tf.memory().numTensors).toBeGreaterThan(0);
      disposeRun(r);
    },
  );
});
