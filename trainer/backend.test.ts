// Backend choice: fallback order, what is reported, and the loud warning when a GPU sits unused.
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { chooseBackend } from './backend';

describe('chooseBackend', () => {
  it('auto falls back past the absent native packages to wasm and says why', async () => {
    const { info, notes } = await chooseBackend('auto', []);
    expect(info).toEqual({ name: 'wasm', gpu: false, device: 'cpu (wasm simd, 1 thread)' });
    expect(tf.getBackend()).toBe('wasm');
    expect(notes.join('\n')).toMatch(/tfjs-node-gpu not available/);
    expect(tf.env().getBool('PROD')).toBe(true);
  });

  it('warns when nvidia-smi reports a GPU that the backend does not use', async () => {
    const { info } = await chooseBackend('wasm', ['NVIDIA H100 80GB HBM3']);
    expect(info.gpu).toBe(false);
    expect(info.warning).toMatch(
      /nvidia-smi reports 1 GPU\(s\) \(NVIDIA H100 80GB HBM3\) but the wasm backend does not use one/,
    );
  });

  it('cpu on request; tensorflow on request fails clearly when not installed', async () => {
    expect((await chooseBackend('cpu', [])).info.name).toBe('cpu');
    await expect(chooseBackend('tensorflow', [])).rejects.toThrow(/backend tensorflow unavailable/);
  });
});
