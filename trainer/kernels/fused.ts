/**
 * Host kernels (see host.ts) for the one operation tfjs-backend-wasm does badly and elementwise tf ops
 * cannot express cheaply: the embedding row lookup (wasm GatherV2 takes ~5 ms for 1024 rows of 128)
 * and its gradient (wasm has no UnsortedSegmentSum). Everything elementwise stays with tf ops: on wasm
 * they run XNNPACK SIMD code, measured 10-30x faster than JS loops on these machines.
 */
import { registerHostKernel, type HostKernel } from './host';

/** w [V,d] -> rows [N,d] with rows[i] = w[ids[i]]. */
const embeddingForward: HostKernel<{ ids: Int32Array }> = {
  name: 'LLEmbedding',
  outputs: ([w], { ids }) => [[ids.length, w[1]]],
  compute([w], [rows], [shape], { ids }) {
    const d = shape[1];
    for (let i = 0; i < ids.length; i++) rows.set(w.subarray(ids[i] * d, ids[i] * d + d), i * d);
  },
};

/** dy [N,d] -> dW [V,d] with dW[ids[i]] += dy[i] (the gradient of a row lookup). */
const embeddingBackward: HostKernel<{ ids: Int32Array; vocab: number }> = {
  name: 'LLEmbeddingGrad',
  outputs: ([dy], { vocab }) => [[vocab, dy[1]]],
  compute([dy], [dw], [shape], { ids }) {
    const d = shape[1];
    dw.fill(0);
    for (let i = 0; i < ids.length; i++) {
      const src = i * d;
      const dst = ids[i] * d;
      for (let j = 0; j < d; j++) dw[dst + j] += dy[src + j];
    }
  },
};

export function registerFusedKernels(): void {
  registerHostKernel(embeddingForward as unknown as HostKernel);
  registerHostKernel(embeddingBackward as unknown as HostKernel);
}
