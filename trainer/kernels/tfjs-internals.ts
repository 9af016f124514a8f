/**
 * The parts of tfjs 4.22 outside its public API that the trainer reaches into, declared in this one file:
 * where the cpu and wasm backends keep a tensor's data, the wasm module's heap and allocator, the engine's
 * kernel call, and the native backend's GPU flag. After a tfjs upgrade, check these against the new sources
 * (kernels.test.ts and ops.test.ts compare the kernels built on them with the cpu backend).
 */
import * as tf from '@tensorflow/tfjs';

/** tfjs-backend-wasm's BackendWasm, as much of it as the kernels use. */
export interface WasmBackend {
  wasm: {
    HEAPF32: Float32Array;
    HEAPU8: Uint8Array;
    asm: { memory: WebAssembly.Memory };
    _malloc(bytes: number): number;
    _free(ptr: number): void;
  };
  dataIdMap: { get(id: object): { memoryOffset: number } };
  incRef(dataId: object): void;
  refCount(dataId: object): number;
  makeOutput(shape: number[], dtype: string): tf.TensorInfo;
}

/** tfjs-backend-cpu's MathBackendCPU, as much of it as the kernels use. */
export interface CpuBackend {
  data: { get(id: object): { values?: ArrayLike<number> } };
  makeTensorInfo(shape: number[], dtype: string, values?: Float32Array): tf.TensorInfo;
}

/** A kernel function's `backend` argument on the wasm backend. */
export function asWasm(backend: unknown): WasmBackend {
  return backend as WasmBackend;
}

/** A kernel function's `backend` argument on the cpu backend. */
export function asCpu(backend: unknown): CpuBackend {
  return backend as CpuBackend;
}

/** Byte offset of a tensor's data in the wasm heap. */
export function heapOffset(b: WasmBackend, t: { dataId: object }): number {
  return b.dataIdMap.get(t.dataId).memoryOffset;
}

/** A tensor's values on the cpu backend (undefined before any were written). */
export function cpuValues(b: CpuBackend, t: { dataId: object }): ArrayLike<number> | undefined {
  return b.data.get(t.dataId).values;
}

/** The active backend when it is wasm with its module loaded; null otherwise. */
export function activeWasm(): WasmBackend | null {
  if (tf.getBackend() !== 'wasm') return null;
  const b = tf.backend() as unknown as Partial<WasmBackend>;
  return b.wasm?.asm?.memory ? (b as WasmBackend) : null;
}

/** Size of the wasm heap in bytes (it only grows: the true high-water mark); undefined off wasm. */
export function wasmHeapBytes(): number | undefined {
  if (tf.getBackend() !== 'wasm') return undefined;
  return (tf.backend() as unknown as { wasm?: { HEAPU8?: Uint8Array } }).wasm?.HEAPU8?.buffer.byteLength;
}

/** Whether the native (tfjs-node) backend computes on a GPU; the flag's place differs between versions. */
export function nativeUsesGpu(): boolean {
  const b = tf.backend() as unknown as {
    isUsingGpuDevice?: boolean | (() => boolean);
    binding?: { isUsingGpuDevice?: () => boolean };
  };
  if (typeof b.isUsingGpuDevice === 'boolean') return b.isUsingGpuDevice;
  if (typeof b.isUsingGpuDevice === 'function') return b.isUsingGpuDevice();
  return b.binding?.isUsingGpuDevice?.() ?? false;
}

/** Run a registered kernel by name on the active backend; inputs are passed as x0, x1, … */
export function runKernel(
  name: string,
  inputs: tf.Tensor[],
  attrs: Record<string, unknown> = {},
): tf.Tensor | tf.Tensor[] {
  const named: Record<string, tf.Tensor> = {};
  inputs.forEach((t, i) => {
    named[`x${i}`] = t;
  });
  return tf.engine().runKernel(name, named, attrs as tf.NamedAttrMap) as tf.Tensor | tf.Tensor[];
}
