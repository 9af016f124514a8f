import { describe, expect, it } from 'vitest';
import { compareTable1 } from '../estimate/calibration';
import { plannerTable } from './planner';

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
