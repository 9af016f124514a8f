import { describe, expect, it } from 'vitest';
import { hasNativeTensorflow, planSlots } from './slots';

describe('planSlots', () => {
  it('without a GPU: one slot per core on the wasm trainer (one thread a run)', () => {
    const slots = planSlots(undefined, [], 2, false);
    expect(slots.map((s) => s.id)).toEqual(['cpu0', 'cpu1']);
    expect(slots.every((s) => s.env.CUDA_VISIBLE_DEVICES === '')).toBe(true);
    expect(planSlots(undefined, [], 1, false)).toHaveLength(1);
  });

  it('without a GPU but with native TensorFlow (several threads a run): one slot per two cores', () => {
    expect(planSlots(undefined, [], 8, true)).toHaveLength(4);
    expect(planSlots(undefined, [], 1, true)).toHaveLength(1);
  });

  it('with GPUs: one slot per GPU, pinned; LAYERLAB_SLOTS overrides every default', () => {
    const slots = planSlots(undefined, ['GPU 0: A', 'GPU 1: B'], 16, false);
    expect(slots.map((s) => s.env.CUDA_VISIBLE_DEVICES)).toEqual(['0', '1']);
    expect(planSlots(3, [], 2, false)).toHaveLength(3);
    expect(planSlots(1, [], 64, false)).toHaveLength(1);
  });

  it('sees which native package this checkout has', () => {
    expect(hasNativeTensorflow('/nonexistent-root')).toBe(false);
    expect(typeof hasNativeTensorflow()).toBe('boolean');
  });
});
