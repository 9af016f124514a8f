/**
 * Step-time benchmark of full / LoRA / LISA on one preset: `npx tsx trainer/bench.ts [--preset mini]
 * [--steps 8] [--backend auto]`. Prints one JSON line per method (median ms per update: forward,
 * backward, clipping and AdamW: train.ts's `update`) — the same figure as
 * ../shared/bench/torch_gpt_bench.py. `benchMethods` is exported for bench/trainer.ts.
 */
import * as tf from '@tensorflow/tfjs';
import { trainConfigSchema, type TrainConfig } from '../lib/protocol/config';
import { chooseBackend } from './backend';
import { buildRun, disposeRun } from './setup';
import { beginStep, update } from './train';

export interface BenchResult {
  method: string;
  preset: string;
  backend: string;
  batch: number;
  seq: number;
  ms_median: number;
  tokens_per_s: number;
  tensor_bytes: number;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

export function benchMethod(config: TrainConfig, steps: number, warmup = 2): Omit<BenchResult, 'backend'> {
  // Synthetic random weights are fine for timing: build a fresh model as a pretrain run would.
  const r = buildRun({ ...config, stage: 'pretrain' }, null, null);
  const times: number[] = [];
  for (let step = 1; step <= warmup + steps; step++) {
    beginStep(r, step);
    const t0 = performance.now();
    update(r, step, config.lr);
    if (step > warmup) times.push(performance.now() - t0);
  }
  const ms = median(times);
  const out = {
    method: config.method,
    preset: config.preset,
    batch: config.batch,
    seq: r.seq,
    ms_median: Math.round(ms * 10) / 10,
    tokens_per_s: Math.round((config.batch * r.seq * 1000) / ms),
    tensor_bytes: tf.memory().numBytes,
  };
  disposeRun(r);
  return out;
}

export async function benchMethods(
  opts: { preset?: string; steps?: number; backend?: string; batch?: number } = {},
): Promise<BenchResult[]> {
  const backend = await chooseBackend((opts.backend ?? 'auto') as 'auto');
  const common = {
    preset: opts.preset ?? 'mini',
    batch: opts.batch ?? 16,
    data: 'pretrain',
    backend: backend.info.name,
  };
  const configs = [
    { ...common, method: 'full' },
    { ...common, method: 'lora', rank: 8, alpha: 16 },
    { ...common, method: 'lisa', gamma: 2, interval: 1000 },
  ].map((c) => trainConfigSchema.parse({ ...c, backend: opts.backend ?? 'auto' }));
  return configs.map((c) => ({ ...benchMethod(c, opts.steps ?? 8), backend: backend.info.name }));
}

if (process.argv[1]?.endsWith('bench.ts')) {
  const arg = (name: string) => {
    const i = process.argv.indexOf(`--${name}`);
    return i >= 0 ? process.argv[i + 1] : undefined;
  };
  const steps = arg('steps') ? Number(arg('steps')) : undefined;
  benchMethods({ preset: arg('preset'), steps, backend: arg('backend') }).then((rows) => {
    for (const row of rows) console.log(JSON.stringify(row));
  });
}
