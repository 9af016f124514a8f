/**
 * Measured matmul peak of this CPU for the trainer's own engine: a loop of square float32 matmuls on the
 * tfjs wasm backend exactly as the trainer sets it up (chooseBackend('wasm'), i.e. with its SIMD gemm
 * kernels installed), one thread. GFLOP/s = 2·n³ / time. Its best size is the denominator of the model
 * FLOPs utilisation that bench/run.ts reports (the attainable peak of one core on this path). When
 * python3-torch is importable, the same loop in torch (OpenBLAS, one thread) gives the core's native peak,
 * the denominator of the MFU against the CPU.
 *
 *   npx tsx bench/peak.ts [--quick]
 *
 * Writes bench/results/peak-<date>[-quick].json.
 */
import * as tf from '@tensorflow/tfjs';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { chooseBackend } from '../trainer/backend';
import { median } from './lib/stats';
import { PYTHON } from './lib/torch';

/** The same loop in Debian's python3-torch (OpenBLAS, AVX2 + FMA), one thread: this CPU core's native peak. */
const TORCH_LOOP = `
import json, os, time
os.environ["OPENBLAS_NUM_THREADS"] = "1"  # before torch loads OpenBLAS: set_num_threads does not reach it
import torch
torch.set_num_threads(1)
best = 0.0
for n in (256, 512, 1024):
    a = torch.randn(n, n); b = torch.randn(n, n)
    for _ in range(2): a @ b
    ts = []
    for _ in range(REPS):
        t0 = time.perf_counter(); a @ b; ts.append(time.perf_counter() - t0)
    ts.sort(); best = max(best, 2 * n ** 3 / ts[len(ts) // 2] / 1e9)
print(json.dumps({"version": torch.__version__, "gflops": best}))
`;

function torchPeak(reps: number): { version: string; gflops: number } | { error: string } {
  const env = { ...process.env };
  delete env.OPENBLAS_CORETYPE;
  delete env.OPENBLAS_L2_SIZE;
  const r = spawnSync(PYTHON, ['-c', TORCH_LOOP.replace('REPS', String(reps))], {
    encoding: 'utf8',
    env,
    timeout: 300_000,
  });
  if (r.status !== 0) return { error: (r.stderr || 'python3 failed').trim().split('\n').slice(-1)[0] };
  return JSON.parse(r.stdout.trim().split('\n').slice(-1)[0]) as { version: string; gflops: number };
}

const quick = process.argv.includes('--quick');

async function main(): Promise<void> {
  const { info } = await chooseBackend('wasm', []);
  const figures: { name: string; value: number; unit: string; note?: string }[] = [];
  let best = 0;
  for (const n of [128, 256, 512, 768]) {
    const a = tf.randomNormal([n, n]);
    const b = tf.randomNormal([n, n]);
    const reps = quick ? 5 : 15;
    const run = (ta: boolean, tb: boolean) => {
      const ms: number[] = [];
      for (let i = -2; i < reps; i++) {
        const t0 = performance.now();
        const c = tf.matMul(a, b, ta, tb);
        c.dataSync();
        c.dispose();
        if (i >= 0) ms.push(performance.now() - t0);
      }
      return (2 * n ** 3) / (median(ms) / 1000) / 1e9;
    };
    const plain = run(false, false);
    const transB = run(false, true);
    best = Math.max(best, plain, transB);
    figures.push({
      name: `wasm matmul ${n}×${n}×${n}`,
      value: plain,
      unit: 'GFLOP/s',
      note: `transposeB ${transB.toFixed(1)} GFLOP/s`,
    });
    console.error(`  ${n}: ${plain.toFixed(1)} GFLOP/s (transposeB ${transB.toFixed(1)})`);
    a.dispose();
    b.dispose();
  }
  figures.push({ name: 'measured peak (best of the above)', value: best, unit: 'GFLOP/s' });
  console.log(`matmul peak on ${info.name} (${info.device}): ${best.toFixed(1)} GFLOP/s`);
  const native = torchPeak(quick ? 5 : 15);
  const cpuPeakGflops = 'gflops' in native ? native.gflops : null;
  if (cpuPeakGflops !== null) {
    figures.push({
      name: 'native matmul peak, 1 thread (torch/OpenBLAS, best of 256–1024)',
      value: cpuPeakGflops,
      unit: 'GFLOP/s',
      note: `torch ${'version' in native ? native.version : ''}`,
    });
    console.log(`native matmul peak (torch, 1 thread): ${cpuPeakGflops.toFixed(1)} GFLOP/s`);
  } else console.log(`native matmul peak not measured: ${'error' in native ? native.error : ''}`);
  const outDir = path.join(process.cwd(), 'bench', 'results');
  fs.mkdirSync(outDir, { recursive: true });
  const out = path.join(outDir, `peak-${new Date().toISOString().slice(0, 10)}${quick ? '-quick' : ''}.json`);
  fs.writeFileSync(
    out,
    `${JSON.stringify(
      {
        benchmark: 'peak',
        quick,
        date: new Date().toISOString(),
        node: process.version,
        cpu: os.cpus()[0]?.model,
        cores: os.cpus().length,
        backend: info,
        peakGflops: best,
        cpuPeakGflops,
        figures,
      },
      null,
      2,
    )}\n`,
  );
  console.log(`wrote ${path.relative(process.cwd(), out)}`);
}

main().catch((e: unknown) => {
  console.error(`bench:peak failed: ${e instanceof Error ? e.message : String(e)}`);
  process.exitCode = 1;
});
