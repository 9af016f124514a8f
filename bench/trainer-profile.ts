/**
 * Where a trainer step's time goes: `npx tsx bench/trainer-profile.ts [--preset mini|small] [--method M] [--steps N]`.
 * Trains in this process on the wasm backend (the bench's shapes: mini batch 16 × seq 64, small 8 × 128) with every
 * wasm kernel wrapped in a timer, and prints CPU time per step: the step's median, each kernel's total (matmuls by
 * shape, with their GFLOP/s) and what is left (the engine, the tape, AdamW, gradient norms). CPU time
 * (process.cpuUsage) rather than wall time, so that the figures hold on a busy shared machine.
 */
import * as tf from '@tensorflow/tfjs';
import { parseArgs } from 'node:util';
import { trainConfigSchema } from '../lib/protocol/config';
import { chooseBackend } from '../trainer/backend';
import { learningRate } from '../trainer/optim';
import { buildRun } from '../trainer/setup';
import { beginStep, scheduleOf, update } from '../trainer/train';

const SHAPES = { mini: { batch: 16, seq: 64 }, small: { batch: 8, seq: 128 } } as const;
const WARMUP = 2;

interface Entry {
  ms: number;
  calls: number;
  flop: number;
}

const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

function matmulKey(inputs: tf.NamedTensorInfoMap, attrs: tf.NamedAttrMap): { key: string; flop: number } {
  const a = (inputs.a as tf.TensorInfo).shape;
  const b = (inputs.b as tf.TensorInfo).shape;
  const { transposeA, transposeB } = attrs as unknown as { transposeA: boolean; transposeB: boolean };
  const m = transposeA ? a[a.length - 1] : a[a.length - 2];
  const k = transposeA ? a[a.length - 2] : a[a.length - 1];
  const n = transposeB ? b[b.length - 2] : b[b.length - 1];
  const batch = Math.max(...[a, b].map((s) => s.slice(0, -2).reduce((p, q) => p * q, 1)));
  const key = `BatchMatMul ${a.join('x')}${transposeA ? 'ᵀ' : ''}·${b.join('x')}${transposeB ? 'ᵀ' : ''}`;
  return { key, flop: 2 * m * k * n * batch };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { preset: { type: 'string' }, method: { type: 'string' }, steps: { type: 'string' } },
  });
  const preset = (values.preset ?? 'mini') as keyof typeof SHAPES;
  const method = values.method ?? 'full';
  const steps = Number(values.steps ?? 10);
  if (!(preset in SHAPES)) throw new Error('--preset must be mini or small');
  if (!['full', 'lora', 'lisa'].includes(method)) throw new Error('--method must be full, lora or lisa');
  if (!Number.isInteger(steps) || steps < 1) throw new Error('--steps must be an integer >= 1');
  await chooseBackend('wasm', []);
  const table = new Map<string, Entry>();
  let timing = false;
  for (const k of tf.getKernelsForBackend('wasm')) {
    const run = k.kernelFunc;
    tf.unregisterKernel(k.kernelName, 'wasm');
    tf.registerKernel({
      ...k,
      kernelFunc: (args) => {
        if (!timing) return run(args);
        const t0 = cpuMs();
        const out = run(args);
        const ms = cpuMs() - t0;
        const { key, flop } =
          k.kernelName === 'BatchMatMul' ? matmulKey(args.inputs, args.attrs ?? {}) : { key: k.kernelName, flop: 0 };
        const e = table.get(key) ?? { ms: 0, calls: 0, flop: 0 };
        e.ms += ms;
        e.calls++;
        e.flop += flop;
        table.set(key, e);
        return out;
      },
    });
  }
  const config = trainConfigSchema.parse({
    preset,
    stage: method === 'full' ? 'pretrain' : 'finetune',
    method,
    gamma: 2,
    interval: 20,
    ...SHAPES[preset],
    seed: 1,
  });
  const r = buildRun(config, null, null);
  const stepMs: number[] = [];
  for (let step = 1; step <= WARMUP + steps; step++) {
    timing = step > WARMUP;
    beginStep(r, step);
    const t0 = cpuMs();
    update(r, step, learningRate(step, scheduleOf(r.config)));
    if (timing) stepMs.push(cpuMs() - t0);
  }
  stepMs.sort((a, b) => a - b);
  const kernels = [...table.values()].reduce((s, e) => s + e.ms, 0) / steps;
  const mean = stepMs.reduce((s, x) => s + x, 0) / steps;
  console.log(
    `${preset} ${method} (wasm), CPU time per step over ${steps} steps: median ${stepMs[steps >> 1].toFixed(1)} ms, ` +
      `mean ${mean.toFixed(1)} ms; kernels ${kernels.toFixed(1)} ms, the rest ${(mean - kernels).toFixed(1)} ms`,
  );
  for (const [key, e] of [...table].sort((a, b) => b[1].ms - a[1].ms)) {
    const rate = e.flop ? `  ${(e.flop / e.ms / 1e6).toFixed(1)} GFLOP/s` : '';
    console.log(`${(e.ms / steps).toFixed(2).padStart(9)} ms ${String(e.calls / steps).padStart(4)}× ${key}${rate}`);
  }
}

main().catch((e: unknown) => {
  console.error(`trainer-profile failed: ${e instanceof Error ? e.message : String(e)}`);
  process.exitCode = 1;
});
