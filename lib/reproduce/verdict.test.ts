import { describe, expect, it } from 'vitest';
import { claimVerdict, type Evidence, partVerdict } from './verdict';

const below = (value: number, ci: [number, number] | null, n = 3): Evidence => ({
  label: 'LISA − LoRA',
  value,
  ci,
  n,
  expect: { op: '<', than: 0 },
});

describe('partVerdict', () => {
  it('holds when the whole interval is on the paper’s side', () => {
    expect(partVerdict(below(-0.2, [-0.3, -0.1])).text).toBe('holds');
  });
  it('does not hold when the whole interval is on the other side', () => {
    expect(partVerdict(below(0.2, [0.1, 0.3])).text).toBe('does not hold');
  });
  it('cannot tell when the interval straddles the threshold, whatever the mean', () => {
    expect(partVerdict(below(-0.2, [-0.5, 0.1])).text).toBe('cannot tell (CI overlaps)');
    expect(partVerdict(below(0.2, [-0.1, 0.5])).text).toBe('cannot tell (CI overlaps)');
  });
  it('cannot tell with one seed, nor without a value', () => {
    expect(partVerdict(below(-5, null, 1)).text).toBe('cannot tell (n = 1)');
    expect(partVerdict(below(Number.NaN, null, 0)).text).toBe('cannot tell (no data)');
    expect(partVerdict(below(-1, [Number.NaN, Number.NaN], 2)).text).toBe('cannot tell (no interval)');
  });
  it('a strict threshold is not met on it; a non-strict one is', () => {
    expect(partVerdict(below(0, [0, 0])).text).toBe('does not hold');
    expect(partVerdict({ ...below(0, [0, 0]), expect: { op: '<=', than: 0 } }).text).toBe('holds');
    expect(partVerdict({ ...below(0, [-1, 0]), expect: { op: '<', than: 0 } }).text).toBe('cannot tell (CI overlaps)');
    expect(partVerdict({ ...below(2, [1.5, 2.5]), expect: { op: '>', than: 1 } }).text).toBe('holds');
    expect(partVerdict({ ...below(1, [1, 2]), expect: { op: '>=', than: 1 } }).text).toBe('holds');
  });
  it('a computed figure is decided by its value alone', () => {
    const computed = (value: number): Evidence => ({ ...below(value, null, 0), computed: true });
    expect(partVerdict(computed(-0.01)).text).toBe('holds');
    expect(partVerdict(computed(0.01)).text).toBe('does not hold');
  });
});

describe('claimVerdict', () => {
  const holds = below(-1, [-2, -0.5]);
  const fails = below(1, [0.5, 2]);
  const unsure = below(0, [-1, 1]);
  it('holds only when every part holds', () => {
    expect(claimVerdict([holds, holds]).text).toBe('holds');
    expect(claimVerdict([holds, unsure]).text).toBe('cannot tell (CI overlaps)');
  });
  it('does not hold when any part does not, even beside parts that cannot be told', () => {
    expect(claimVerdict([holds, fails]).text).toBe('does not hold');
    expect(claimVerdict([unsure, fails]).text).toBe('does not hold');
  });
  it('cannot tell without parts', () => {
    expect(claimVerdict([]).text).toBe('cannot tell (no data)');
  });
});
