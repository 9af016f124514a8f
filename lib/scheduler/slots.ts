/**
 * Execution slots: one per GPU that nvidia-smi lists (each run pinned with CUDA_VISIBLE_DEVICES), else CPU
 * slots, one per two cores. LAYERLAB_SLOTS overrides the count.
 */
import { execFileSync } from 'node:child_process';
import os from 'node:os';

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

export function planSlots(override?: number, gpus: string[] = detectGpus(), cores = os.cpus().length): Slot[] {
  if (gpus.length > 0) {
    const n = override ?? gpus.length;
    return Array.from({ length: n }, (_, i) => ({
      id: `gpu${i % gpus.length}`,
      env: { CUDA_VISIBLE_DEVICES: String(i % gpus.length) },
    }));
  }
  const n = override ?? Math.max(1, Math.floor(cores / 2));
  // No GPU: hide any from the trainer's TensorFlow so it does not probe CUDA.
  return Array.from({ length: n }, (_, i) => ({ id: `cpu${i}`, env: { CUDA_VISIBLE_DEVICES: '' } }));
}
