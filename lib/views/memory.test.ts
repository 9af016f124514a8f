import { describe, expect, it } from 'vitest';
import { compareTable1 } from '../estimate/calibration';
import { measuredRows, plannerTable } from './memory';

describe('measuredRows', () => {
  const s = (tensor: number, tps: number) => ({ 'peak/tensor_bytes': tensor, 'peak/rss_bytes': 2 * tensor, tokens_per_s: tps });
  it('pools seeds and K per method setting and averages', () => {
    const rows = measuredRows([
      { kind: 'lisa', config: { preset: 'nano', gamma: 1, interval: 2 }, backend: 'wasm', summary: s(100, 10) },
      { kind: 'lisa', config: { preset: 'nano', gamma: 1, interval: 5 }, backend: 'wasm', summary: s(300, 30) },
      { kind: 'full', config: { preset: 'nano' }, backend: 'wasm', summary: s(500, 5) },
      { kind: 'lora', config: { preset: 'nano', rank: 4 }, backend: 'wasm', summary: null },
    ]);
    expect(rows.map((r) => r.label)).toEqual(['Full', 'LISA γ=1']);
    expect(rows[1]).toMatchObject({ n: 2, peakTensorBytes: 200, peakRssBytes: 400, tokensPerS: 20 });
    expect(rows[1].peakWasmHeapBytes).toBeNaN();
  });
});

describe('plannerTable', () => {
  it('at the paper setting matches the calibration comparison and shows the paper values', () => {
    const rows = plannerTable();
    const cmp = compareTable1();
    expect(rows).toHaveLength(6);
    const llama = rows.find((r) => r.model === 'llama-2-7b')!;
    const full = llama.cells.find((c) => c.column === 'full')!;
    expect(full.paper).toBe(59);
    expect(full.predicted).toBeCloseTo(cmp.find((c) => c.model === 'llama-2-7b' && c.column === 'full')!.predicted, 6);
    const b = full.breakdown;
    expect(b.weights + b.grads + b.optimizer + b.activations + b.overhead).toBeGreaterThan(0);
  });
  it('hides the paper values at another setting, and longer sequences need more memory', () => {
    const base = plannerTable();
    const long = plannerTable({ seq: 2048 });
    expect(long[0].cells[0].paper).toBeNull();
    expect(long[0].cells[0].predicted).toBeGreaterThan(base[0].cells[0].predicted);
  });
});
