import { describe, expect, it } from 'vitest';
import { measuredRows } from './measured';

describe('measuredRows', () => {
  const s = (tensor: number, tps: number) => ({
    'peak/tensor_bytes': tensor,
    'peak/rss_bytes': 2 * tensor,
    tokens_per_s: tps,
  });
  it('pools seeds and K per method setting and averages', () => {
    const rows = measuredRows([
      { kind: 'lisa', config: { preset: 'nano', gamma: 1, interval: 2 }, backend: 'wasm', summary: s(100, 10) },
      { kind: 'lisa', config: { preset: 'nano', gamma: 1, interval: 5 }, backend: 'wasm', summary: s(300, 30) },
      { kind: 'full', config: { preset: 'nano' }, backend: 'wasm', summary: s(500, 5) },
      { kind: 'lora', config: { preset: 'nano', rank: 4 }, backend: 'wasm', summary: null },
    ]);
    expect(rows.map((r) => r.label)).toEqual(['Full', 'LISA γ=1']);
    expect(rows[1].n).toBe(2);
    expect(rows[1].tensorMiB.mean * 2 ** 20).toBeCloseTo(200);
    expect(rows[1].rssMiB.mean * 2 ** 20).toBeCloseTo(400);
    expect(rows[1].tokensPerS.mean).toBe(20);
    expect(rows[1].wasmHeapMiB.n).toBe(0);
  });
});

describe('measuredRows grouping', () => {
  const s = (mib: number, tps: number) => ({ 'peak/tensor_bytes': mib * 2 ** 20, tokens_per_s: tps });
  const cfg = (preset: string, batch: number, seq: number, extra: Record<string, unknown> = {}) => ({
    preset,
    batch,
    seq,
    ...extra,
  });
  const runs = [
    { kind: 'lisa', config: cfg('mini', 16, 64, { gamma: 3 }), backend: 'wasm', summary: s(40, 100), sweepId: 'a' },
    { kind: 'lisa', config: cfg('mini', 16, 64, { gamma: 3 }), backend: 'wasm', summary: s(44, 90), sweepId: 'b' },
    { kind: 'lisa', config: cfg('mini', 4, 16, { gamma: 3 }), backend: 'wasm', summary: s(10, 300), sweepId: 'b' },
    { kind: 'full', config: cfg('mini', 4, 16), backend: 'wasm', summary: s(12, 250), sweepId: 'c' },
  ];
  it('never pools different batch × seq, and reports n, spread and MiB', () => {
    const rows = measuredRows(runs);
    expect(rows.map((r) => [r.label, r.shape, r.n])).toEqual([
      ['Full', '4 × 16', 1],
      ['LISA γ=3', '4 × 16', 1],
      ['LISA γ=3', '16 × 64', 2],
    ]);
    const big = rows[2];
    expect(big.tensorMiB.mean).toBeCloseTo(42);
    expect(big.tensorMiB.std).toBeCloseTo(Math.SQRT2 * 2);
    expect([big.tensorMiB.min, big.tensorMiB.max]).toEqual([40, 44]);
    expect(big.tensorMiB.values).toEqual([40, 44]);
    expect(rows[0].tensorMiB.std).toBeNaN();
    // at the same preset and batch × seq, LISA γ=3 uses less memory than Full
    expect(rows[1].tensorMiB.mean).toBeLessThan(rows[0].tensorMiB.mean);
  });
  it('splits by sweep on request', () => {
    const rows = measuredRows(runs, { bySweep: true });
    expect(rows.map((r) => [r.label, r.shape, r.sweep, r.n])).toEqual([
      ['LISA γ=3', '16 × 64', 'a', 1],
      ['LISA γ=3', '4 × 16', 'b', 1],
      ['LISA γ=3', '16 × 64', 'b', 1],
      ['Full', '4 × 16', 'c', 1],
    ]);
  });
});
