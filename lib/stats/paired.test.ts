import { describe, expect, it } from 'vitest';
import { bootstrapMeanCi, pairedDifference } from './paired';

describe('pairedDifference', () => {
  it('pairs runs by seed, whatever their order, and leaves out unmatched seeds and non-finite values', () => {
    const a = { seeds: [3, 1, 2, 4, null], values: [2.3, 2.1, 2.2, NaN, 1] };
    const b = { seeds: [1, 2, 3, 5], values: [2.0, 2.0, 2.0, 9] };
    const d = pairedDifference(a, b);
    expect(d.seeds).toEqual([1, 2, 3]);
    expect(d.diffs.map((x) => Number(x.toFixed(9)))).toEqual([0.1, 0.2, 0.3]);
    // mean 0.2, std 0.1, stderr 0.1/√3, t(0.975, 2) = 4.303 → half-width 0.24843
    expect(d.interval).toBe('t');
    expect(d.mean).toBeCloseTo(0.2, 12);
    expect(d.ci95![0]).toBeCloseTo(0.2 - (4.303 * 0.1) / Math.sqrt(3), 9);
    expect(d.ci95![1]).toBeCloseTo(0.2 + (4.303 * 0.1) / Math.sqrt(3), 9);
    expect(d.significant).toBe(false);
  });

  it('is significant when the interval excludes 0, on either side', () => {
    const b = { seeds: [1, 2, 3], values: [5, 6, 7] };
    expect(pairedDifference({ seeds: [1, 2, 3], values: [5.1, 6.11, 7.12] }, b).significant).toBe(true);
    const worse = pairedDifference({ seeds: [1, 2, 3], values: [4.9, 5.89, 6.88] }, b);
    expect(worse.significant).toBe(true);
    expect(worse.ci95![1]).toBeLessThan(0);
  });

  it('gives no interval for one pair and NaN for none', () => {
    const one = pairedDifference({ seeds: [1, 2], values: [3, 4] }, { seeds: [2], values: [3.5] });
    expect(one).toMatchObject({ n: 1, mean: 0.5, ci95: null, interval: null, significant: null });
    const none = pairedDifference({ seeds: [1], values: [3] }, { seeds: [2], values: [3] });
    expect(none.n).toBe(0);
    expect(none.mean).toBeNaN();
    expect(none.ci95).toBeNull();
  });

  it('does not pair a seed that one side lists twice', () => {
    const d = pairedDifference({ seeds: [1, 1, 2], values: [1, 2, 3] }, { seeds: [1, 2], values: [0, 0] });
    expect(d.seeds).toEqual([2]);
  });

  it('bootstraps from five pairs, deterministically, inside the range of the differences', () => {
    const seeds = [1, 2, 3, 4, 5, 6];
    const diffs = [0.12, -0.03, 0.08, 0.2, 0.05, 0.11];
    const a = { seeds, values: diffs.map((d) => 3 + d) };
    const b = { seeds, values: seeds.map(() => 3) };
    const d = pairedDifference(a, b);
    expect(d.interval).toBe('bootstrap');
    expect(pairedDifference(a, b).ci95).toEqual(d.ci95);
    const [lo, hi] = d.ci95!;
    expect(lo).toBeGreaterThan(Math.min(...diffs) - 1e-12);
    expect(hi).toBeLessThan(Math.max(...diffs) + 1e-12);
    expect(lo).toBeLessThan(d.mean);
    expect(hi).toBeGreaterThan(d.mean);
    // The bootstrap distribution of the mean has sd ≈ s/√n · √((n−1)/n); its 95% range ≈ ±1.96 of that.
    const s = Math.sqrt(diffs.reduce((t, x) => t + (x - d.mean) ** 2, 0) / 5);
    expect(hi - lo).toBeGreaterThan(2 * 1.96 * (s / Math.sqrt(6)) * Math.sqrt(5 / 6) * 0.85);
    expect(hi - lo).toBeLessThan(2 * 1.96 * (s / Math.sqrt(6)) * Math.sqrt(5 / 6) * 1.15);
    expect(d.significant).toBe(true);
  });

  it('collapses to a point when every difference is the same', () => {
    expect(bootstrapMeanCi([0.5, 0.5, 0.5, 0.5, 0.5])).toEqual([0.5, 0.5]);
  });
});
