/**
 * Step-time benchmark of full / LoRA / LISA on one preset: `npx tsx trainer/bench.ts [--preset mini]
 * [--steps 8] [--backend auto]`. Prints one JSON line per method (median ms per update: forward,
 * backward, clipping and AdamW, as in the training loop) — the same figure as
 * ../shared/bench/torch_gpt_bench.py. `benchMethods` is exported for bench/trainer.ts.
 */
import * as tf from '@tensorflow/tfjs';
import { trainConfigSchema, type TrainConfig } from '../lib/protocol/config';
import { chooseBackend } from './backend';
import { gradientNorms } from './optim';
import { buildRun, disposeRun } from './setup';

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
    const sw = r.method.beforeStep(step);
    if (sw?.reset) r.optimizer.reset();
    const batch = r.data.trainBatch(step - 1, config.batch);
    const trainees = r.method.trainable();
    const t0 = performance.now();
    const { value, grads } = tf.variableGrads(() => r.model.loss(batch), trainees.map((p) => p.variable));
    value.dataSync();
    const byName = new Map(trainees.map((p) => [p.name, grads[p.variable.name]]));
    const { scale } = gradientNorms(byName, config.grad_clip);
    r.optimizer.step(trainees.map((p) => ({ name: p.name, variable: p.variable, decay: false })), byName, config.lr, scale);
    tf.dispose([value, grads]);
    if (step > warmup) times.push(performance.now() - t0);
  }
  const ms = median(times);
  const out = {
    method: config.method, preset: config.preset, batch: config.batch, seq: r.seq,
    ms_median: Math.round(ms * 10) / 10, tokens_per_s: Math.round((config.batch * r.seq * 1000) / ms), tensor_bytes: tf.memory().numBytes,
  };
  disposeRun(r);
  return out;
}

export async function benchMethods(opts: { preset?: string; steps?: number; backend?: string; batch?: number } = {}): Promise<BenchResult[]> {
  const backend = await chooseBackend((opts.backend ?? 'auto') as 'auto');
  const common = { preset: opts.preset ?? 'mini', batch: opts.batch ?? 16, data: 'pretrain', backend: backend.info.name };
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
