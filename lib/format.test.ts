import { describe, expect, it } from 'vitest';
import { clipInterval, formatPercent, formatQuantity, formatSpread, QUANTITY, quantityOf, spreadParts } from './format';

describe('formatSpread', () => {
  it('never prints NaN: running or — with no value, "n = 1: no spread" for one seed', () => {
    expect(formatSpread({ n: 0, mean: NaN, std: NaN }, true)).toBe('running');
    expect(formatSpread({ n: 0, mean: NaN, std: NaN })).toBe('—');
    expect(formatSpread({ n: 1, mean: 2.5, std: NaN })).toBe('2.5 (n = 1: no spread)');
    expect(formatSpread({ n: 3, mean: 2.5, std: 0.123 })).toBe('2.50 ± 0.12');
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

describe('one formatter per quantity kind', () => {
  it('knows what a metric key measures: unit, scale and sign', () => {
    expect(quantityOf('mem/peak_bytes')).toBe(QUANTITY.memory);
    expect(quantityOf('eval/loss')).toBe(QUANTITY.loss);
    expect(quantityOf('eval/ppl')).toBe(QUANTITY.ppl);
    expect(quantityOf('eval/accuracy')).toBe(QUANTITY.accuracy);
    expect(quantityOf('tokens_per_s')).toBe(QUANTITY.throughput);
    expect(quantityOf('wall_time')).toBe(QUANTITY.seconds);
    expect(quantityOf('step_ms')).toBe(QUANTITY.milliseconds);
    expect(quantityOf('lr')).toBe(QUANTITY.number);
    expect(QUANTITY.number.nonNegative).toBe(false);
  });

  it('prints a mean to the precision of its spread, the same text wherever it is shown', () => {
    // The page once read 4.87 ± 0.0061 where the Markdown read 4.8697 ± 0.0061: one rule now.
    expect(spreadParts({ n: 3, mean: 4.86972, std: 0.006113 }, QUANTITY.loss)).toEqual({
      mean: '4.8697',
      std: '0.0061',
    });
    expect(spreadParts({ n: 1, mean: 4.86972, std: NaN }, QUANTITY.loss)).toEqual({ mean: '4.87', std: null });
    expect(spreadParts({ n: 0, mean: NaN, std: NaN }, QUANTITY.loss)).toBeNull();
    expect(spreadParts({ n: 2, mean: 2e8, std: 2 ** 20 }, QUANTITY.memory)).toEqual({ mean: '190.7', std: '1.0' });
    expect(formatQuantity(-0.00001, QUANTITY.number, 2)).toBe('0.00');
    expect(formatQuantity(3 * 2 ** 20, QUANTITY.memory)).toBe('3');
    expect(formatQuantity(NaN, QUANTITY.loss)).toBe('NaN');
  });

  it('clips the lower 95% bound of a quantity that cannot be negative at 0, and only then', () => {
    expect(clipInterval([-0.2, 1.4], QUANTITY.loss)).toEqual([0, 1.4]);
    expect(clipInterval([-0.2, 1.4], QUANTITY.number)).toEqual([-0.2, 1.4]);
  });
});
