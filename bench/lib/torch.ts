/**
 * The PyTorch yardstick: bench/torch_gpt_bench.py (the same GPT, CPU, one thread) run with
 * Debian's python3-torch. It prints one JSON line per mode: full, lisa (2 fixed blocks), lora (r=8).
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';

export const PYTHON = '/usr/bin/python3';
export const INSTALL_HINT = 'apt-get install -y python3-torch libopenblas0-pthread';

export interface TorchResult {
  peer: string;
  mode: 'full' | 'lisa' | 'lora';
  threads: number;
  params: number;
  ms_median: number;
  tokens_per_s: number;
}

export type TorchProbe =
  | { ok: true; script: string; version: string; openblas: boolean }
  | { ok: false; reason: string };

export function torchScript(repoRoot: string): string {
  return path.join(repoRoot, 'bench', 'torch_gpt_bench.py');
}

/** Whether /usr/bin/python3 can import torch, and whether OpenBLAS (not reference BLAS) backs it. */
export function probeTorch(repoRoot: string): TorchProbe {
  const script = torchScript(repoRoot);
  if (!existsSync(script)) return { ok: false, reason: `the yardstick script is missing: ${script}` };
  if (!existsSync(PYTHON)) return { ok: false, reason: `${PYTHON} does not exist` };
  const r = spawnSync(PYTHON, ['-c', 'import torch; print(torch.__version__)'], { encoding: 'utf8', timeout: 120_000 });
  if (r.status !== 0) return { ok: false, reason: `${PYTHON} cannot import torch` };
  // biome-ignore lint/suspicious/noTemplateCurlyInString: ${Status} is dpkg-query's field syntax, not JavaScript's
  const dpkg = spawnSync('dpkg-query', ['-W', '-f=${Status}', 'libopenblas0-pthread'], { encoding: 'utf8' });
  return {
    ok: true,
    script,
    version: r.stdout.trim(),
    openblas: dpkg.status === 0 && dpkg.stdout.includes('install ok installed'),
  };
}

export interface TorchShape {
  d: number;
  layers: number;
  heads: number;
  seq: number;
  batch: number;
  vocab: number;
  rank: number;
  steps: number;
}

/** Runs the yardstick with one thread; OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE are unset for this child only. */
export function runTorch(script: string, shape: TorchShape): TorchResult[] {
  const env = { ...process.env };
  delete env.OPENBLAS_CORETYPE;
  delete env.OPENBLAS_L2_SIZE;
  const args = [script, '--threads', '1', ...Object.entries(shape).flatMap(([k, v]) => [`--${k}`, String(v)])];
  const r = spawnSync(PYTHON, args, { encoding: 'utf8', env, timeout: 30 * 60_000 });
  if (r.status !== 0) {
    throw new Error(`torch_gpt_bench.py exited with ${r.status ?? r.signal}: ${(r.stderr ?? '').trim().slice(-2000)}`);
  }
  return r.stdout
    .split('\n')
    .filter((l) => l.trim().startsWith('{'))
    .map((l) => JSON.parse(l) as TorchResult);
}
