import { describe, expect, it } from 'vitest';
import { kendallTau, ranks, robustness, spearman } from './robustness';

describe('rank statistics', () => {
  it('gives average ranks to ties', () => {
    expect(ranks([3, 1, 2, 1])).toEqual([4, 1.5, 3, 1.5]);
    expect(ranks([3, 1, 2], 'higher')).toEqual([1, 3, 2]);
  });
  it('τ and ρ are 1 for the same order, −1 for the reverse', () => {
    expect(kendallTau([1, 2, 3, 4], [10, 20, 30, 40])).toBeCloseTo(1);
    expect(kendallTau([1, 2, 3, 4], [4, 3, 2, 1])).toBeCloseTo(-1);
    expect(spearman([1, 2, 3, 4], [2, 4, 6, 9])).toBeCloseTo(1);
    expect(spearman([1, 2, 3], [3, 2, 1])).toBeCloseTo(-1);
  });
  it('τ-b of one swapped pair out of six', () => {
    expect(kendallTau([1, 2, 3, 4], [1, 3, 2, 4])).toBeCloseTo(4 / 6);
  });
  it('is NaN when one side is constant', () => {
    expect(kendallTau([1, 1, 1], [1, 2, 3])).toBeNaN();
    expect(spearman([1], [1])).toBeNaN();
  });
});

describe('robustness', () => {
  const rows = [
    { method: 'lisa', label: 'A', seeds: [1, 2, 3], values: [1.0, 1.1, 0.9] },
    { method: 'full', label: 'B', seeds: [1, 2, 3], values: [2.0, 2.2, 1.8] },
    { method: 'lora', label: 'C', seeds: [1, 2, 3], values: [3.0, NaN, 3.3] },
  ];
  it('ranks per seed and compares every pair of seeds', () => {
    const r = robustness(rows);
    expect(r.seeds).toEqual([1, 2, 3]);
    expect(r.configs[0].ranks).toEqual({ 1: 1, 2: 1, 3: 1 });
    expect(r.configs[2].ranks).toEqual({ 1: 3, 3: 3 });
    expect(r.pairs).toHaveLength(3);
    expect(r.pairs[0]).toMatchObject({ a: 1, b: 2, n: 2, sameBest: true });
    expect(r.pairs.every((p) => p.kendall === 1)).toBe(true);
    expect(r.verdict).toBe('stable');
  });
  it('reports the spread and CV per configuration, counting NaN apart', () => {
    const r = robustness(rows);
    expect(r.configs[0].stats.n).toBe(3);
    expect(r.configs[0].stats.cv).toBeCloseTo(0.1 / 1.0);
    expect(r.configs[2].stats).toMatchObject({ n: 2, nonFinite: 1 });
  });
  it('says when the ranking flips between seeds', () => {
    const r = robustness([
      { method: 'lisa', label: 'A', seeds: [1, 2], values: [1, 3] },
      { method: 'lisa', label: 'B', seeds: [1, 2], values: [2, 2] },
      { method: 'lisa', label: 'C', seeds: [1, 2], values: [3, 1] },
    ]);
    expect(r.pairs[0].kendall).toBeCloseTo(-1);
    expect(r.verdict).toBe('unstable');
  });
  it('needs two seeds for a verdict', () => {
    expect(robustness([{ method: 'full', label: 'F', seeds: [1], values: [1] }]).verdict).toBe('not enough data');
  });
});
