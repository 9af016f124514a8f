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
import { registerColSum } from './colsum';
import { SimdGemm, type Strided } from './gemm';
import { asWasm, heapOffset, type WasmBackend } from './tfjs-internals';

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

let gemm: SimdGemm | null = null;
let gemmOf: object | null = null;

/**
 * The SIMD matmul working in the backend's heap: its module imports the backend's own memory and allocates its
 * scratch with the backend's malloc, so operands are read and the result written in place, without copies.
 */
function gemmFor(wb: WasmBackend): SimdGemm {
  if (!gemm || gemmOf !== wb.wasm) {
    gemm = new SimdGemm(wb.wasm.asm.memory, { malloc: (n) => wb.wasm._malloc(n), free: (p) => wb.wasm._free(p) });
    gemmOf = wb.wasm;
  }
  return gemm;
}

/** Attributes of LLHeadMatMul (see ../ops.ts, headScores and headApply). */
export interface HeadMatMulAttrs {
  /** `scores`: a, b [B·T, d] -> [B, H, T, T], per head a_h·b_hᵀ. `apply`: a [B, H, T, T], b [B·T, d] -> [B·T, d],
   * per head a·b_h (aᵀ·b_h with transposeA). */
  kind: 'scores' | 'apply';
  heads: number;
  seq: number;
  transposeA: boolean;
}

/**
 * The per-head products of attention over activations in their [B·T, d] layout: head h of row block b is the
 * [T, d/H] matrix at b·T·d + h·d/H with row stride d. Needs T and d/H multiples of 8 (ops.ts checks).
 */
const headMatMulFunc: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const { kind, heads: H, seq: T, transposeA } = attrs as unknown as HeadMatMulAttrs;
  const a = inputs.x0 as tf.TensorInfo;
  const b = inputs.x1 as tf.TensorInfo;
  const wb = asWasm(backend);
  const d = b.shape[1];
  const dh = d / H;
  const B = b.shape[0] / T;
  const rows = (t: tf.TensorInfo, transposed: boolean): Strided => ({
    off: heapOffset(wb, t) / 4,
    outer: T * d,
    inner: dh,
    row: transposed ? 1 : d,
    col: transposed ? d : 1,
  });
  const square = (t: tf.TensorInfo, transposed: boolean): Strided => ({
    off: heapOffset(wb, t) / 4,
    outer: H * T * T,
    inner: T * T,
    row: transposed ? 1 : T,
    col: transposed ? T : 1,
  });
  const out = wb.makeOutput(kind === 'scores' ? [B, H, T, T] : [B * T, d], 'float32');
  if (kind === 'scores') gemmFor(wb).matmulStrided(rows(a, false), rows(b, true), square(out, false), B, H, T, dh, T);
  else gemmFor(wb).matmulStrided(square(a, transposeA), rows(b, false), rows(out, false), B, H, T, T, dh);
  return out;
};

/** Replace the stock wasm kernels (idempotent). Called by installKernels (index.ts) when wasm is chosen. */
export function installWasmKernels(): void {
  if (installed) return;
  const stock = tf.getKernel('BatchMatMul', 'wasm');
  if (!stock) throw new Error('wasm BatchMatMul kernel not registered: import @tensorflow/tfjs-backend-wasm first');

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
    const out = wb.makeOutput([...outer, M, N], 'float32');
    const aOff = heapOffset(wb, a) / 4;
    const bOff = heapOffset(wb, b) / 4;
    const oOff = heapOffset(wb, out) / 4;
    gemmFor(wb).matmulAt(aOff, bOff, oOff, batch, M, K, N, transposeA, transposeB, batchA > 1, batchB > 1);
    return out;
  };

  tf.unregisterKernel('BatchMatMul', 'wasm');
  tf.registerKernel({ kernelName: 'BatchMatMul', backendName: 'wasm', kernelFunc });
  tf.registerKernel({ kernelName: 'LLHeadMatMul', backendName: 'wasm', kernelFunc: headMatMulFunc });
  registerColSum();
  tf.unregisterKernel('Identity', 'wasm');
  tf.registerKernel({ kernelName: 'Identity', backendName: 'wasm', kernelFunc: identityFunc });
  installed = true;
}
