/**
 * Execution slots: one per GPU that nvidia-smi lists (each run pinned with CUDA_VISIBLE_DEVICES), else CPU
 * slots: one per core when the trainer runs on its wasm kernels (one thread per run), one per two cores when
 * a native TensorFlow package is installed (its kernels use several threads). LAYERLAB_SLOTS overrides the
 * count.
 */
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';

export interface Slot {
  id: string;
  env: Record<string, string>;
  /** The executor whose runs it takes (Scheduler `executors`); the default executor's when absent. */
  executor?: string;
}

/** Slots for the Slurm executor: how many runs LayerLab hands to Slurm at once (Slurm queues them). */
export function slurmSlots(n: number): Slot[] {
  return Array.from({ length: n }, (_, i) => ({ id: `slurm${i}`, env: {}, executor: 'slurm' }));
}

export function detectGpus(): string[] {
  try {
    const out = execFileSync('nvidia-smi', ['-L'], {
      encoding: 'utf8',
      timeout: 5000,
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    return out.split('\n').filter((l) => /^GPU \d+:/.test(l));
  } catch {
    return [];
  }
}

/** Whether the trainer would find a native TensorFlow package (tfjs-node-gpu or tfjs-node) here. */
export function hasNativeTensorflow(root = process.cwd()): boolean {
  const require = createRequire(path.join(root, 'package.json'));
  for (const pkg of ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node']) {
    try {
      require.resolve(pkg);
      return true;
    } catch {
      /* not installed */
    }
  }
  return false;
}

export function planSlots(
  override?: number,
  gpus: string[] = detectGpus(),
  cores = os.cpus().length,
  nativeTensorflow = hasNativeTensorflow(),
): Slot[] {
  if (gpus.length > 0) {
    const n = override ?? gpus.length;
    return Array.from({ length: n }, (_, i) => ({
      id: `gpu${i % gpus.length}`,
      env: { CUDA_VISIBLE_DEVICES: String(i % gpus.length) },
    }));
  }
  const n = override ?? (nativeTensorflow ? Math.max(1, Math.floor(cores / 2)) : cores);
  // No GPU: hide any from the trainer's TensorFlow so it does not probe CUDA.
  return Array.from({ length: n }, (_, i) => ({ id: `cpu${i}`, env: { CUDA_VISIBLE_DEVICES: '' } }));
}
