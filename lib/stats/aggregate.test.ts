import { describe, expect, it } from 'vitest';
import { aggregate } from './aggregate';
import { tCritical95 } from './tdist';

describe('aggregate', () => {
  it('matches hand-computed values', () => {
    const a = aggregate([1, 2, 3, 4]);
    // mean 2.5; squared deviations 2.25+0.25+0.25+2.25 = 5; std = √(5/3); stderr = std/2; t(3) = 3.182
    expect(a).toMatchObject({ n: 4, nonFinite: 0, mean: 2.5, min: 1, max: 4 });
    expect(a.std).toBeCloseTo(1.2909944, 6);
    expect(a.stderr).toBeCloseTo(0.6454972, 6);
    expect(a.ci95[0]).toBeCloseTo(2.5 - 3.182 * 0.6454972, 5);
    expect(a.ci95[1]).toBeCloseTo(2.5 + 3.182 * 0.6454972, 5);
    expect(a.cv).toBeCloseTo(1.2909944 / 2.5, 6);
  });

  it('uses t with n−1 degrees of freedom for two seeds', () => {
    const a = aggregate([2.0, 2.2]);
    expect(a.std).toBeCloseTo(0.1414214, 6);
    expect(a.ci95[1] - a.mean).toBeCloseTo(12.706 * 0.1, 5);
  });

  it('leaves out and counts non-finite values; n = 1 and n = 0 degrade to NaN', () => {
    const a = aggregate([1, NaN, 3, Infinity]);
    expect(a).toMatchObject({ n: 2, nonFinite: 2, mean: 2 });
    const one = aggregate([5]);
    expect(one).toMatchObject({ n: 1, mean: 5, min: 5, max: 5 });
    expect(one.std).toBeNaN();
    expect(one.ci95[0]).toBeNaN();
    const none = aggregate([NaN]);
    expect(none).toMatchObject({ n: 0, nonFinite: 1 });
    expect(none.mean).toBeNaN();
  });

  it('is stable for a large mean with a small spread', () => {
    const a = aggregate([1e9 + 1, 1e9 + 2, 1e9 + 3]);
    expect(a.std).toBeCloseTo(1, 9);
  });
});

describe('tCritical95', () => {
  it('reads the table for small df and approximates large df accurately', () => {
    expect(tCritical95(1)).toBe(12.706);
    expect(tCritical95(2)).toBe(4.303);
    expect(tCritical95(30)).toBe(2.042);
    // exact values: df 31 → 2.0395, 40 → 2.0211, 60 → 2.0003, 120 → 1.9799, 1e6 → 1.9600
    expect(tCritical95(31)).toBeCloseTo(2.0395, 3);
    expect(tCritical95(40)).toBeCloseTo(2.0211, 3);
    expect(tCritical95(60)).toBeCloseTo(2.0003, 3);
    expect(tCritical95(120)).toBeCloseTo(1.9799, 3);
    expect(tCritical95(1e6)).toBeCloseTo(1.96, 3);
    expect(tCritical95(0)).toBeNaN();
  });
});
