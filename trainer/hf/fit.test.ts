// The wasm fit on GPT-2 small's shape (docs/benchmarks.md, "GPT-2 small's shape on wasm"): the figure covers the
// heap measured for LoRA r=8 (3,359 MiB after a batch 4 × 128 step, where the planner's estimate said 1,739 MiB),
// and full / LISA γ=2 at that shape are refused before training, naming the bytes.
import { describe, expect, it } from 'vitest';
import { GPT2_SMALL } from '../../bench/lib/hf-shape';
import { validate } from '../config';
import { parseHfConfig } from './config';
import { fitProblem, runMemory, runShape, wasmHeapBytes } from './fit';

const MIB = 2 ** 20;
const hf = parseHfConfig(GPT2_SMALL);
const config = (method: string, batch: number, seq: number) =>
  validate({ method, batch, seq, model_path: '/models/gpt2', rank: 8, alpha: 16, gamma: 2, steps: 30 });

describe('fit on wasm, GPT-2 small', () => {
  it.each([
    [1, 32, 958],
    [2, 64, 1501],
    [4, 128, 3359],
  ])('LoRA r=8 at %i × %i: the wasm figure covers the measured heap (%i MiB)', (batch, seq, measured) => {
    const c = config('lora', batch, seq);
    const shape = runShape(c, hf);
    const m = runMemory(c, shape, seq);
    expect(m.peakBytes).toBeLessThan(measured * MIB);
    expect(wasmHeapBytes(c, shape, m)).toBeGreaterThanOrEqual(measured * MIB);
    expect(fitProblem(c, shape, seq, 'wasm')).toBeNull();
  });

  it.each(['full', 'lisa'])('%s at 4 × 128 is refused on wasm with the bytes it needs', (method) => {
    const c = config(method, 4, 128);
    const shape = runShape(c, hf);
    expect(fitProblem(c, shape, 128, 'wasm')).toMatch(
      new RegExp(
        `^GPT2LMHeadModel \\(0\\.12 B parameters, ${method}, batch 4 × seq 128, float32\\) needs about \\d+ bytes`,
      ),
    );
    expect(fitProblem(c, shape, 128, 'tensorflow')).toBeNull();
  });
});
