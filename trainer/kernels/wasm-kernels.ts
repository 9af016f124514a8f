/**
 * Kernel replacements for tfjs-backend-wasm.
 *
 * BatchMatMul -> the SIMD kernel of gemm.ts, working in place in the backend's heap.
 * The stock kernel takes XNNPACK's fast path only for 2-D, non-transposed operands; transposed
 * (every gradient matmul) and batched (every attention matmul) products fall to a scalar loop
 * that is 10-20x slower. Ours handles all of them. Results equal the cpu backend to float32 rounding
 * (summation order differs); kernels.test.ts checks values and gradients.
 */
import * as tf from '@tensorflow/tfjs';
import { SimdGemm } from './gemm';
import { asWasm, heapOffset } from './tfjs-internals';

let installed = false;

function product(dims: number[]): number {
  return dims.reduce((p, x) => p * x, 1);
}

/**
 * Identity (used by tf.clone, hence by the engine for every tensor it saves for backprop) copies the
 * data on wasm; tensors are immutable, so sharing it (as Reshape does) is safe and saves ~15 ms a step.
 * The one in-place writer, the fused AdamW update (adamw-wasm.ts), skips any tensor whose memory is shared
 * (refcount above 1), so a clone never sees its source change.
 */
const identityFunc: tf.KernelFunc = ({ inputs, backend }) => {
  const x = inputs.x as tf.TensorInfo;
  asWasm(backend).incRef(x.dataId);
  return { dataId: x.dataId, shape: [...x.shape], dtype: x.dtype };
};

/** Replace the stock wasm kernels (idempotent). Called by installKernels (index.ts) when wasm is chosen. */
export function installWasmKernels(): void {
  if (installed) return;
  const stock = tf.getKernel('BatchMatMul', 'wasm');
  if (!stock) throw new Error('wasm BatchMatMul kernel not registered: import @tensorflow/tfjs-backend-wasm first');
  let gemm: SimdGemm | null = null;
  let gemmOf: object | null = null;

  const kernelFunc: tf.KernelFunc = ({ inputs, backend, attrs }) => {
    const a = inputs.a as tf.TensorInfo;
    const b = inputs.b as tf.TensorInfo;
    const { transposeA, transposeB } = attrs as { transposeA: boolean; transposeB: boolean };
    const ra = a.shape.length;
    const rb = b.shape.length;
    const M = transposeA ? a.shape[ra - 1] : a.shape[ra - 2];
    const K = transposeA ? a.shape[ra - 2] : a.shape[ra - 1];
    const Kb = transposeB ? b.shape[rb - 1] : b.shape[rb - 2];
    const N = transposeB ? b.shape[rb - 2] : b.shape[rb - 1];
    const outerA = a.shape.slice(0, -2);
    const outerB = b.shape.slice(0, -2);
    const batchA = product(outerA);
    const batchB = product(outerB);
    const sameOuter = outerA.length === outerB.length && outerA.every((x, i) => x === outerB[i]);
    // Only the broadcasts we can express as "same batch" or "one side is a single matrix".
    if (K !== Kb || a.dtype !== 'float32' || b.dtype !== 'float32' || !(sameOuter || batchA === 1 || batchB === 1)) {
      return stock.kernelFunc({ inputs, backend, attrs });
    }
    const outer = batchA >= batchB ? outerA : outerB;
    const batch = Math.max(batchA, batchB);
    const wb = asWasm(backend);
    if (gemmOf !== wb.wasm) {
      // The kernel module imports the backend's own memory and allocates its scratch with the backend's
      // malloc, so operands are read and the result written in place, without copies.
      gemm = new SimdGemm(wb.wasm.asm.memory, { malloc: (n) => wb.wasm._malloc(n), free: (p) => wb.wasm._free(p) });
      gemmOf = wb.wasm;
    }
    const out = wb.makeOutput([...outer, M, N], 'float32');
    const aOff = heapOffset(wb, a) / 4;
    const bOff = heapOffset(wb, b) / 4;
    const oOff = heapOffset(wb, out) / 4;
    gemm!.matmulAt(aOff, bOff, oOff, batch, M, K, N, transposeA, transposeB, batchA > 1, batchB > 1);
    return out;
  };

  tf.unregisterKernel('BatchMatMul', 'wasm');
  tf.registerKernel({ kernelName: 'BatchMatMul', backendName: 'wasm', kernelFunc });
  tf.unregisterKernel('Identity', 'wasm');
  tf.registerKernel({ kernelName: 'Identity', backendName: 'wasm', kernelFunc: identityFunc });
  installed = true;
}
