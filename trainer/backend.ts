/**
 * Backend choice: tfjs-node-gpu → tfjs-node → wasm → cpu (for `auto`), reporting what we got and
 * whether a GPU is really in use. The native packages are optional and usually absent (their install
 * downloads libtensorflow), so they are loaded dynamically and their absence is not an error.
 * The chosen backend gets the trainer's kernels here, and only here (installKernels).
 */
import * as tf from '@tensorflow/tfjs';
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { BackendInfo } from '../lib/protocol/index';
import { installKernels } from './kernels';
import { nativeUsesGpu } from './kernels/tfjs-internals';

export type BackendPreference = 'auto' | 'tensorflow' | 'wasm' | 'cpu';

export interface BackendChoice {
  info: BackendInfo;
  /** Things worth a `log` event (e.g. why a preferred backend was skipped). */
  notes: string[];
}

/** Names of NVIDIA GPUs that nvidia-smi reports, [] when there is none or no driver. */
function detectNvidiaGpus(): string[] {
  try {
    const out = execFileSync('nvidia-smi', ['--query-gpu=name', '--format=csv,noheader'], {
      timeout: 5000,
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    return out
      .toString()
      .split('\n')
      .map((s) => s.trim())
      .filter(Boolean);
  } catch {
    return [];
  }
}

/**
 * require() relative to this file. A runtime require (not a static import) keeps TypeScript from needing
 * the optional packages' types, and works both under tsx (CommonJS) and vitest (ESM), where a dynamic
 * import() with a variable specifier can fail to resolve.
 */
async function importOptional(name: string): Promise<unknown> {
  const here = typeof __filename === 'string' ? __filename : path.join(process.cwd(), 'trainer', 'backend.ts');
  return createRequire(here)(name);
}

async function tryNative(pkg: string, notes: string[]): Promise<boolean> {
  try {
    await importOptional(pkg);
  } catch (e) {
    const code = (e as { code?: string }).code;
    notes.push(`${pkg} not available (${code ?? (e as Error).message.split('\n')[0]})`);
    return false;
  }
  const ok = await tf.setBackend('tensorflow');
  if (!ok) notes.push(`${pkg} loaded but setBackend('tensorflow') failed`);
  return ok;
}

async function tryWasm(notes: string[]): Promise<boolean> {
  try {
    await importOptional('@tensorflow/tfjs-backend-wasm');
    // setBackend's boolean is the truth: after a failed init getBackend() may still claim 'wasm'.
    const ok = await tf.setBackend('wasm');
    if (!ok) notes.push("setBackend('wasm') returned false");
    return ok;
  } catch (e) {
    notes.push(`wasm backend failed: ${(e as Error).message}`);
    return false;
  }
}

/** Select and initialise a backend. Throws only when nothing at all works. */
export async function chooseBackend(pref: BackendPreference, gpus = detectNvidiaGpus()): Promise<BackendChoice> {
  tf.enableProdMode();
  const notes: string[] = [];
  let name: string | undefined;
  if (pref === 'auto' || pref === 'tensorflow') {
    if ((await tryNative('@tensorflow/tfjs-node-gpu', notes)) || (await tryNative('@tensorflow/tfjs-node', notes))) {
      name = 'tensorflow';
    } else if (pref === 'tensorflow') {
      throw new Error(`backend tensorflow unavailable: ${notes.join('; ')}`);
    }
  }
  if (!name && (pref === 'auto' || pref === 'wasm')) {
    if (await tryWasm(notes)) name = 'wasm';
    else if (pref === 'wasm') throw new Error(`backend wasm unavailable: ${notes.join('; ')}`);
  }
  if (!name) {
    if (!(await tf.setBackend('cpu'))) throw new Error(`no tfjs backend could be initialised: ${notes.join('; ')}`);
    name = 'cpu';
  }
  installKernels(name);
  await tf.ready();
  const gpu = name === 'tensorflow' && nativeUsesGpu();
  const device = gpu ? (gpus[0] ?? 'gpu') : name === 'wasm' ? 'cpu (wasm simd, 1 thread)' : 'cpu';
  const info: BackendInfo = { name, gpu, device };
  if (gpus.length > 0 && !gpu) {
    info.warning =
      `nvidia-smi reports ${gpus.length} GPU(s) (${gpus.join(', ')}) but the ${name} backend does not use one: ` +
      'training runs on the CPU. Install @tensorflow/tfjs-node-gpu with a CUDA/cuDNN it supports ' +
      '(CUDA 11.2, cuDNN 8.1).';
  }
  return { info, notes };
}
