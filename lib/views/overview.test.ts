import { describe, expect, it } from 'vitest';
import { sweepEta } from './overview';

describe('sweepEta', () => {
  const start = '2026-01-01T00:00:00.000Z';
  const t0 = Date.parse(start);
  it('extrapolates the remaining steps from the pace so far', () => {
    expect(sweepEta(start, 25, 100, true, t0 + 10_000)).toBeCloseTo(30_000);
  });
  it('is unknown before progress, and null when done or idle', () => {
    expect(sweepEta(start, 0, 100, true, t0 + 1000)).toBeNull();
    expect(sweepEta(null, 10, 100, true, t0)).toBeNull();
    expect(sweepEta(start, 100, 100, true, t0 + 1000)).toBeNull();
    expect(sweepEta(start, 50, 100, false, t0 + 1000)).toBeNull();
  });
});
