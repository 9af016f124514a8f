/**
 * Kernels written in plain TypeScript over the tensors' memory, for the two backends whose tensors
 * live in this process (`cpu`: JS typed arrays; `wasm`: the wasm heap). Used sparingly: JS loops are
 * slow on these machines (~3-6 ns per element), so only for work tfjs-backend-wasm does even worse or
 * cannot do (see fused.ts). Other backends (tfjs-node) take the tf-op paths in ../ops.ts.
 */
import * as tf from '@tensorflow/tfjs';
import { asCpu, asWasm, cpuValues, heapOffset, runKernel } from './tfjs-internals';

const HOST_BACKENDS = ['cpu', 'wasm'] as const;

export interface HostKernel<A = Record<string, unknown>> {
  name: string;
  /** Shapes of the outputs, from the input shapes and attributes. */
  outputs(shapes: number[][], attrs: A): number[][];
  /** Read `ins`, write every element of `outs`. All float32, row-major. */
  compute(ins: Float32Array[], outs: Float32Array[], shapes: number[][], attrs: A): void;
}

function size(shape: number[]): number {
  return shape.reduce((p, x) => p * x, 1);
}

const registered = new Set<string>();

/**
 * True when the active backend runs host kernels (then ops.ts takes the fused paths). They are registered by
 * installKernels (index.ts) when the backend is chosen; running an op on cpu or wasm before that is an error.
 */
export function hostKernelsActive(): boolean {
  const backend = tf.getBackend();
  if (!(HOST_BACKENDS as readonly string[]).includes(backend)) return false;
  if (registered.size === 0) {
    throw new Error(`the trainer's kernels are not installed on ${backend}: pick the backend with chooseBackend()`);
  }
  return true;
}

function kernelFunc<A>(k: HostKernel<A>, backendName: string): tf.KernelFunc {
  return ({ inputs, backend, attrs }) => {
    const infos = Object.keys(inputs)
      .sort((p, q) => Number(p.slice(1)) - Number(q.slice(1)))
      .map((key) => inputs[key] as tf.TensorInfo);
    const shapes = infos.map((t) => t.shape);
    const outShapes = k.outputs(shapes, attrs as unknown as A);
    let outs: tf.TensorInfo[];
    let inViews: Float32Array[];
    let outViews: Float32Array[];
    if (backendName === 'wasm') {
      const b = asWasm(backend);
      outs = outShapes.map((s) => b.makeOutput(s, 'float32'));
      // The heap may have grown (and been replaced) while allocating outputs: take views now.
      const buf = b.wasm.HEAPF32.buffer;
      const view = (t: tf.TensorInfo) => new Float32Array(buf, heapOffset(b, t), size(t.shape));
      inViews = infos.map(view);
      outViews = outs.map(view);
      k.compute(inViews, outViews, shapes, attrs as unknown as A);
    } else {
      const b = asCpu(backend);
      inViews = infos.map((t) => {
        const v = cpuValues(b, t);
        return v instanceof Float32Array ? v : Float32Array.from(v ?? []);
      });
      outViews = outShapes.map((s) => new Float32Array(size(s)));
      k.compute(inViews, outViews, shapes, attrs as unknown as A);
      outs = outShapes.map((s, i) => b.makeTensorInfo(s, 'float32', outViews[i]));
    }
    return outs.length === 1 ? outs[0] : outs;
  };
}

/** Register on cpu and wasm (idempotent). The wasm registration works before the backend initialises. */
export function registerHostKernel<A>(k: HostKernel<A>): void {
  if (registered.has(k.name)) return;
  for (const backendName of HOST_BACKENDS) {
    tf.registerKernel({ kernelName: k.name, backendName, kernelFunc: kernelFunc(k, backendName) });
  }
  registered.add(k.name);
}

/** Run a registered host kernel on float32 tensors; inputs are passed positionally. */
export function runHost(name: string, inputs: tf.Tensor[], attrs: Record<string, unknown> = {}): tf.Tensor[] {
  const out = runKernel(name, inputs, attrs);
  return Array.isArray(out) ? out : [out];
}
