import { describe, expect, it } from 'vitest';
import { formatPercent, formatSpread } from './format';

describe('formatSpread', () => {
  it('never prints NaN: running or — with no value, "n = 1: no spread" for one seed', () => {
    expect(formatSpread({ n: 0, mean: NaN, std: NaN }, true)).toBe('running');
    expect(formatSpread({ n: 0, mean: NaN, std: NaN })).toBe('—');
    expect(formatSpread({ n: 1, mean: 2.5, std: NaN })).toBe('2.5 (n = 1: no spread)');
    expect(formatSpread({ n: 3, mean: 2.5, std: 0.123 })).toBe('2.5 ± 0.12');
  });
});

describe('formatPercent', () => {
  it('prints a value that rounds to zero as 0 %, never -0 %', () => {
    expect(formatPercent(-0.003)).toBe('0 %');
    expect(formatPercent(-0.003, 0, true)).toBe('0 %');
    expect(formatPercent(-0)).toBe('0 %');
    expect(formatPercent(0.004, 0, true)).toBe('0 %');
    expect(formatPercent(0.126, 0, true)).toBe('+13 %');
    expect(formatPercent(-0.126, 1, true)).toBe('-12.6 %');
    expect(formatPercent(NaN)).toBe('—');
  });
});
