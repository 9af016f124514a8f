/** Memory figures for `metrics` events (docs/trainer.md, "Events": what each `mem/` value measures). */
import * as tf from '@tensorflow/tfjs';
import { wasmHeapBytes } from './kernels/tfjs-internals';

export interface MemorySample {
  /** Live tensor bytes (after a step: parameters + optimizer state + kept references). */
  tensorBytes: number;
  rssBytes: number;
  /** wasm only: size of the wasm heap, the true high-water mark (it never shrinks). */
  wasmHeapBytes?: number;
}

export function sampleMemory(): MemorySample {
  const s: MemorySample = { tensorBytes: tf.memory().numBytes, rssBytes: process.memoryUsage().rss };
  const heap = wasmHeapBytes();
  if (heap !== undefined) s.wasmHeapBytes = heap;
  return s;
}

/**
 * Run `f` under tf.profile to learn the peak tensor bytes during it (an upper bound: shared data may
 * be counted twice). Profiling costs time, so the loop does this only on some steps.
 */
export async function withPeak<T>(f: () => T): Promise<{ result: T; peakBytes: number }> {
  let result: T | undefined;
  const info = await tf.profile(() => {
    result = f();
    return [] as tf.Tensor[];
  });
  return { result: result as T, peakBytes: info.peakBytes };
}
