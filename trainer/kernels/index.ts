/**
 * Every kernel the trainer adds to tfjs, installed in one place, once, by chooseBackend (../backend.ts):
 * - on cpu and wasm: the host kernels of fused.ts (the embedding lookup and its gradient) and the map
 *   kernels of ../ops.ts (LayerNorm, GELU, the softmax backward), which the ops call on their fused paths;
 * - on wasm: the SIMD BatchMatMul, the attention products on heads in place (LLHeadMatMul), the column sums of
 *   colsum.ts and the data-sharing Identity of wasm-kernels.ts.
 * Registering a kernel for a backend that was never initialised is fine: tfjs keys the registry by name.
 */
import { registerOpKernels } from '../ops';
import { registerFusedKernels } from './fused';
import { installWasmKernels } from './wasm-kernels';

/** Install the trainer's kernels for the chosen backend (idempotent: each registration happens once). */
export function installKernels(backend: string): void {
  registerFusedKernels();
  registerOpKernels();
  if (backend === 'wasm') installWasmKernels();
}
