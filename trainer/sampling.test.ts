// LISA's sampling rules (uniform, bernoulli, importance, fixed) and module granularity: seeding, the importance
// distribution, where the scores come from (the past only), and what module granularity leaves untouched.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { trainConfigSchema } from '../lib/protocol/config';
import { chooseBackend } from './backend';
import { LisaSampler } from './lisa';
import { computeNorms } from './norms';
import { methodCounts, presetShape } from '../lib/protocol/inventory';
import { buildRun, disposeRun, modelInfo, type RunState } from './setup';
import { beginStep, update } from './train';

function run(overrides: Record<string, unknown>): RunState {
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

/** The draws of `periods` periods (unit names per period) and the scores behind them, trained for real. */
function draws(overrides: Record<string, unknown>, steps: number) {
  const r = run(overrides);
  const out: { step: number; units: string[]; scores?: Record<string, number> }[] = [];
  for (let step = 1; step <= steps; step++) {
    const sw = beginStep(r, step);
    if (sw) out.push({ step, units: sw.modules ?? sw.active.map((b) => `block.${b}`), scores: sw.scores });
    const allGrads = r.method.needsAllGrads(step);
    const res = update(r, step, 1e-3, { allGrads });
    r.step = step;
    r.method.afterStep(step, res.gradSqAll ?? res.gradSq);
  }
  disposeRun(r);
  return out;
}

/** Pearson's χ² of observed counts against equal expected counts. */
function chiSquare(counts: number[]): number {
  const total = counts.reduce((a, b) => a + b, 0);
  const e = total / counts.length;
  return counts.reduce((s, c) => s + (c - e) ** 2 / e, 0);
}

/** Counts of each γ-subset of n units over `draws` draws of `sampler`. */
function subsetCounts(s: LisaSampler, draws: number, scores?: number[]): number[] {
  const seen = new Map<string, number>();
  for (let i = 0; i < draws; i++) {
    const key = s.next(scores).join(',');
    seen.set(key, (seen.get(key) ?? 0) + 1);
  }
  return [...seen.values()];
}

describe('sampling rules: the sampler', () => {
  const rules = ['uniform', 'bernoulli', 'importance'] as const;
  for (const rule of rules) {
    it(`${rule}: the same seed gives the same draws, another seed others`, () => {
      const scores = [3, 1, 0.5, 2, 8, 0.1];
      const seq = (seed: number) => {
        const s = new LisaSampler(6, 2, rule, seed, { tau: 1, eps: 0.1 });
        return Array.from({ length: 30 }, () => s.next(scores).join(',')).join(' | ');
      };
      expect(seq(1)).toBe(seq(1));
      expect(seq(1)).not.toBe(seq(2));
      expect(seq(2)).not.toBe(seq(3));
    });
  }

  it('fixed: the given units in every period, whatever the seed', () => {
    const a = new LisaSampler(6, 0, 'fixed', 1, { fixed: [5, 0] });
    const b = new LisaSampler(6, 0, 'fixed', 2, { fixed: [5, 0] });
    for (let i = 0; i < 5; i++)
      expect([a.next(), b.next()]).toEqual([
        [0, 5],
        [0, 5],
      ]);
    expect(() => new LisaSampler(6, 0, 'fixed', 1)).toThrow(/fixed needs a list/);
  });

  // 15 subsets of 2 of 6; 30,000 draws; χ² with 14 degrees of freedom: 36.12 is its 0.999 quantile, so a
  // correct sampler fails this check once in a thousand seeds (the seeds are fixed, so the test is deterministic).
  const CHI2_14_999 = 36.12;
  it('importance with τ → ∞ (and ε = 0) draws every γ-subset as often as uniform does (χ² test)', () => {
    const scores = [40, 1, 0.5, 2, 8, 0.1];
    for (const tau of [Number.POSITIVE_INFINITY, 1e9]) {
      const counts = subsetCounts(new LisaSampler(6, 2, 'importance', 5, { tau, eps: 0 }), 30_000, scores);
      expect(counts.length).toBe(15);
      expect(chiSquare(counts), `τ = ${tau}`).toBeLessThan(CHI2_14_999);
    }
    const uniform = subsetCounts(new LisaSampler(6, 2, 'uniform', 5), 30_000);
    expect(chiSquare(uniform)).toBeLessThan(CHI2_14_999);
    // The same test tells a finite τ apart: at τ = 1 these scores are far from uniform.
    const skewed = subsetCounts(new LisaSampler(6, 2, 'importance', 5, { tau: 1, eps: 0 }), 30_000, scores);
    expect(chiSquare(skewed)).toBeGreaterThan(10 * CHI2_14_999);
  });

  it('importance with γ = 1 picks unit u with probability (1 − ε)·s_u^(1/τ)/Σ + ε/N', () => {
    const scores = [4, 1, 0, 9];
    const s = new LisaSampler(4, 1, 'importance', 3, { tau: 2, eps: 0.2 });
    const w = scores.map((x) => Math.sqrt(x)); // τ = 2
    const total = w.reduce((a, b) => a + b, 0);
    const expected = w.map((x) => 0.8 * (x / total) + 0.2 / 4);
    expect(s.weights(scores).map((x) => x.toFixed(12))).toEqual(expected.map((x) => x.toFixed(12)));
    const n = 40_000;
    const counts = [0, 0, 0, 0];
    for (let i = 0; i < n; i++) counts[s.next(scores)[0]]++;
    // Binomial standard error ≤ 0.0025 at n = 40,000: 0.01 is four of them.
    counts.forEach((c, i) => expect(Math.abs(c / n - expected[i]), `unit ${i}`).toBeLessThan(0.01));
    expect(counts[2]).toBeGreaterThan(0); // a score of 0 still has the floor ε/N
  });

  it('importance state round-trips: a restored sampler continues the same draws', () => {
    const scores = [1, 2, 3, 4, 5, 6];
    const a = new LisaSampler(6, 3, 'importance', 9, { tau: 0.5, eps: 0.05 });
    for (let i = 0; i < 5; i++) a.next(scores);
    const b = new LisaSampler(6, 3, 'importance', 123, { tau: 0.5, eps: 0.05 });
    b.restore(JSON.parse(JSON.stringify(a.state())));
    for (let i = 0; i < 10; i++) expect(b.next(scores)).toEqual(a.next(scores));
  });
});

describe('sampling rules in training', () => {
  beforeAll(async () => {
    await chooseBackend('wasm');
  });

  it('uniform and bernoulli runs are bit-identical to the sampler before importance and modules existed', () => {
    // train/loss of 8 steps, recorded on the code before sampling rules and granularity were added.
    const before = {
      uniform: [
        5.566136360168457, 5.504021644592285, 5.4976911544799805, 5.480330944061279, 5.405880451202393,
        5.416459560394287, 5.312704086303711, 5.273708343505859,
      ],
      bernoulli: [
        5.534292697906494, 5.4767584800720215, 5.477938175201416, 5.417992115020752, 5.367373943328857,
        5.300984859466553, 5.226393222808838, 5.22398567199707,
      ],
    };
    for (const o of [
      { sampling: 'uniform', gamma: 1, interval: 3, seed: 4 },
      { sampling: 'bernoulli', gamma: 2, interval: 2, seed: 3 },
    ] as const) {
      const r = run(o);
      const losses = Array.from({ length: 8 }, (_, i) => {
        beginStep(r, i + 1);
        return update(r, i + 1, 1e-3).loss;
      });
      disposeRun(r);
      expect(losses, o.sampling).toEqual(before[o.sampling]);
    }
  });

  for (const score of ['grad_norm', 'update_norm', 'weight_change_rate'] as const) {
    it(`importance (${score}, module granularity): seeded, and scores are known before the draw`, () => {
      const o = { sampling: 'importance', importance_score: score, granularity: 'module', gamma: 4, interval: 2 };
      const a = draws({ ...o, seed: 1 }, 10);
      expect(draws({ ...o, seed: 1 }, 10)).toEqual(a);
      const b = draws({ ...o, seed: 2 }, 10);
      expect(b.map((d) => d.units)).not.toEqual(a.map((d) => d.units));
      expect(a.map((d) => d.step)).toEqual([1, 3, 5, 7, 9]);
      expect(a[0].scores).toBeUndefined(); // nothing measured before the first draw
      for (const d of a.slice(1)) {
        expect(Object.keys(d.scores!).length).toBe(4 * 7); // every module of every block
        expect(d.units.length).toBe(4);
      }
    });
  }

  it('update_norm: a unit never drawn so far scores 0 (no score comes from a later step)', () => {
    const got = draws({ sampling: 'importance', importance_score: 'update_norm', gamma: 1, interval: 2, seed: 3 }, 12);
    const seen = new Set<string>();
    for (const d of got) {
      if (d.scores)
        for (const [unit, s] of Object.entries(d.scores)) expect(s > 0, `${unit} at ${d.step}`).toBe(seen.has(unit));
      for (const u of d.units) seen.add(u);
    }
  });

  it('grad_norm: the scores are the gradient norms at the last step of the previous period, not the next', () => {
    const o = { sampling: 'importance', importance_score: 'grad_norm', gamma: 1, interval: 3, seed: 2 };
    const r = run(o);
    // A twin run with the same draws, to take every block's gradient before each update without touching `r`.
    const gradNorms = (x: RunState, step: number): Record<string, number> => {
      const batch = x.data.trainBatch(step - 1, 4);
      const blocks = x.model.params.filter((p) => p.group.startsWith('block.'));
      const { value, grads } = tf.variableGrads(
        () => x.model.loss(batch),
        blocks.map((p) => p.variable),
      );
      value.dispose();
      const out: Record<string, number> = {};
      for (const p of blocks) {
        const sq = tf.tidy(() => tf.sum(tf.square(grads[p.variable.name])).dataSync()[0]);
        out[p.group] = (out[p.group] ?? 0) + sq;
      }
      tf.dispose(grads);
      return Object.fromEntries(Object.entries(out).map(([k, v]) => [k, Math.sqrt(v)]));
    };
    const measured = new Map<number, Record<string, number>>();
    for (let step = 1; step <= 9; step++) {
      const sw = beginStep(r, step);
      if (sw && step > 1) {
        const then = measured.get(step - 1)!;
        for (const [unit, s] of Object.entries(sw.scores!)) expect(s, unit).toBeCloseTo(then[unit], 4);
        const next = gradNorms(r, step); // the gradient the coming step will see: not what was used
        expect(Object.keys(next).some((u) => Math.abs(next[u] - sw.scores![u]) > 1e-3)).toBe(true);
      }
      measured.set(step, gradNorms(r, step));
      const res = update(r, step, 1e-3, { allGrads: r.method.needsAllGrads(step) });
      r.step = step;
      r.method.afterStep(step, res.gradSqAll ?? res.gradSq);
    }
    disposeRun(r);
  });

  it('module granularity: modules never drawn stay bit-identical to W₀; norms show updates only where drawn', () => {
    const r = run({ granularity: 'module', gamma: 3, interval: 2, seed: 7 });
    const w0 = new Map(r.model.params.map((p) => [p.name, (p.variable.dataSync() as Float32Array).slice()]));
    const drawn = new Set<string>();
    for (let step = 1; step <= 8; step++) {
      const sw = beginStep(r, step);
      if (sw) {
        expect(sw.modules!.length).toBe(3);
        expect(sw.active).toEqual([...new Set(sw.modules!.map((m) => Number(m.split('/')[0].slice(6))))].sort());
        for (const m of sw.modules!) drawn.add(m);
      }
      update(r, step, 1e-3);
    }
    expect(drawn.size).toBeGreaterThan(3);
    expect(drawn.size).toBeLessThan(28); // some modules were never drawn
    const { modules } = computeNorms(r.model, r.reference, new Set(), null);
    expect(Object.keys(modules).length).toBe(28);
    for (const p of r.model.params.filter((q) => q.group.startsWith('block.'))) {
      const unit = `${p.group}/${p.module}`;
      const same = (p.variable.dataSync() as Float32Array).every((v, i) => Object.is(v, w0.get(p.name)![i]));
      expect(same, p.name).toBe(!drawn.has(unit));
    }
    for (const [unit, e] of Object.entries(modules)) expect(e.update > 0, unit).toBe(drawn.has(unit));
    disposeRun(r);
  });

  it('fixed: only the listed blocks (or modules) ever train', () => {
    const blocks = draws({ sampling: 'fixed', fixed_blocks: [0, 3], interval: 2 }, 6);
    expect(blocks.map((d) => d.units)).toEqual(Array(3).fill(['block.0', 'block.3']));
    const modules = draws({ sampling: 'fixed', granularity: 'module', fixed_blocks: ['1/attn.q', 2], interval: 3 }, 3);
    expect(modules[0].units).toEqual([
      'block.1/attn.q',
      ...['ln', 'attn.q', 'attn.k', 'attn.v', 'attn.o', 'mlp.fc', 'mlp.proj'].map((m) => `block.2/${m}`),
    ]);
    expect(() => run({ sampling: 'fixed', fixed_blocks: ['1/attn.q'] })).toThrow(/names a module: use granularity/);
    expect(() => run({ sampling: 'fixed', fixed_blocks: [7] })).toThrow(/blocks 0..3, not 7/);
    expect(() => run({ granularity: 'module', gamma: 29 })).toThrow(/exceeds the number of modules .* \(28\)/);
  });

  it('run_started counts what the planner counts: the γ largest modules, or the fixed units', () => {
    for (const o of [
      { granularity: 'module', gamma: 3 },
      { granularity: 'block', gamma: 2, sampling: 'importance' },
      { sampling: 'fixed', fixed_blocks: [1, 3] },
      { sampling: 'fixed', granularity: 'module', fixed_blocks: ['0/mlp.fc', 2] },
    ] as const) {
      const r = run(o);
      const built = modelInfo(r.model, r.method, r.config);
      const planned = methodCounts(presetShape('nano'), {
        method: 'lisa',
        gamma: r.config.gamma,
        granularity: r.config.granularity,
        fixedBlocks: r.config.sampling === 'fixed' ? r.config.fixed_blocks : undefined,
      });
      expect(built.trainableParams, JSON.stringify(o)).toBe(planned.trainable);
      disposeRun(r);
    }
    // nano: d = 32, 4 blocks; the three largest modules are MLP matrices (4·d² each) of any blocks.
    const always = 256 * 32 + 32 * 32 + 2 * 32 + 32 * 256;
    expect(methodCounts(presetShape('nano'), { method: 'lisa', gamma: 3, granularity: 'module' }).trainable).toBe(
      always + 3 * 4 * 32 * 32,
    );
  });
});
