import { describe, expect, it } from 'vitest';
import { ROUGHNESS_WINDOW, roughness } from './roughness';

const line = (n: number, f: (t: number) => number) => Array.from({ length: n }, (_, t) => f(t));

describe('loss roughness', () => {
  it('is 0 for a straight and for a parabolic curve', () => {
    expect(roughness(line(60, (t) => 4 - 0.01 * t))).toBeCloseTo(0, 12);
    expect(roughness(line(60, (t) => 4 - 0.05 * t + 0.0004 * t * t))).toBeCloseTo(0, 12);
  });

  it('is ε·(1 + 1/w) for a ±ε zig-zag around a falling line (half-window 5: odd)', () => {
    const eps = 0.03;
    // 50 points leave 40 centres: an even count, so the residuals' mean is exactly 0.
    const r = roughness(line(50, (t) => 3 - 0.02 * t + eps * (-1) ** t));
    expect(r).toBeCloseTo(eps * (1 + 1 / ROUGHNESS_WINDOW), 12);
  });

  it('with half-window 2 (even) it is ε·(1 − 1/5)', () => {
    const r = roughness(
      line(44, (t) => 2 + 0.1 * (-1) ** t),
      2,
    );
    expect(r).toBeCloseTo(0.1 * (1 - 1 / 5), 12);
  });

  it('scales with the jumps: a jumpier curve is rougher', () => {
    const smooth = roughness(line(80, (t) => 3 - 0.01 * t + 0.01 * Math.sin(t)));
    const jumpy = roughness(line(80, (t) => 3 - 0.01 * t + 0.05 * Math.sin(t)));
    expect(jumpy / smooth).toBeCloseTo(5, 6);
  });

  it('leaves non-finite values out; NaN with less than one window', () => {
    const withNaN = [...line(30, (t) => 1 + 0.2 * (-1) ** t), NaN, Infinity];
    expect(roughness(withNaN)).toBeCloseTo(roughness(withNaN.slice(0, 30)), 12);
    expect(roughness(line(ROUGHNESS_WINDOW - 1, (t) => t))).toBeNaN();
  });
});
