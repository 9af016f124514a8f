// The planner's dry-run parameter counts against what the real trainer builds and reports in `run_started`,
// for every preset and method. nano, mini, small: the trainer as a child process (pretrain, then fine-tunes
// from it). gpt2: the pretrain (full) as a child process, stopped once `run_started` is out; fine-tunes
// need a 163M-parameter base checkpoint, so their model and method are built in this process by the
// trainer's own code (model.ts, methods.ts), counted by the function the CLI uses for `run_started`
// (one LoRA setting there, so that one build serves every method).
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PRESETS, type Preset, type TrainConfig } from '../lib/protocol/config';
import { parseEvent } from '../lib/protocol/index';
import { dryRun, type DryRunRun } from '../lib/sweep/dry-run';
import { formatProblems, parseSweepSpec } from '../lib/sweep/spec';
import { createMethod } from './methods';
import { GPT, type LoraTarget } from './model';
import { modelInfo } from './setup';

const root = path.resolve(__dirname, '..');
const tmp = mkdtempSync(path.join(os.tmpdir(), 'layerlab-counts-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

interface Reported {
  params: number;
  trainableParams: number;
}

function plan(preset: Preset) {
  // gpt2 gets one LoRA setting (see builtInProcess).
  const yaml = `
name: counts-${preset}
method: grid
model: { preset: ${preset} }
data: { preset: instruct }
pretrain: { steps: 1, batch: 1, seq: 8 }
train: { steps: 1, batch: 1, seq: 8, eval_records: 8, checkpoint_every: 1 }
parameters:
  gamma: { values: [1, 3] }
seeds: [1]
baselines:
  - { method: full }${preset === 'gpt2' ? '' : '\n  - { method: lora, rank: 4, alpha: 8 }'}
  - { method: lora, rank: 2, alpha: 4, lora_targets: [q, v], lora_train_embed: true }
`;
  const r = parseSweepSpec(yaml, 'application/yaml');
  if (!r.ok) throw new Error(formatProblems(r.problems));
  return dryRun(r.spec, [], 1);
}

/** Runs the trainer CLI on `config`; resolves with `run_started`'s model, stopping the process there. */
function trainerReports(config: TrainConfig, out: string, base: string | null, runToEnd = false): Promise<Reported> {
  const { base: _b, out: _o, backend: _k, ...rest } = config;
  const file = path.join(tmp, `${path.basename(out)}.json`);
  writeFileSync(file, JSON.stringify(rest));
  const cli = path.join(root, 'trainer/cli.ts');
  const args = ['--import', 'tsx', cli, '--config', file, '--out', out, '--backend', 'wasm'];
  if (base) args.push('--base', base);
  const child = spawn(process.execPath, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += d));
  return new Promise((resolve, reject) => {
    let found: Reported | null = null;
    child.stdout!.on('data', (d) => {
      stdout += d;
      if (found) return;
      for (const line of stdout.split('\n').slice(0, -1)) {
        const e = parseEvent(line);
        if (e.type !== 'run_started') continue;
        found = { params: e.model.params, trainableParams: e.model.trainableParams };
        // A pretrain of a small preset runs to its end (the fine-tunes need its checkpoint); the rest stop here.
        if (!runToEnd) child.kill('SIGKILL');
      }
    });
    child.on('exit', (code) => {
      if (found) resolve(found);
      else reject(new Error(`trainer exited ${code} without run_started: ${stderr}`));
    });
  });
}

/**
 * gpt2 fine-tunes: the trainer's own model and method, built in process, counted as `run_started` counts.
 * One build (163M parameters) serves them all: full and LISA leave the model as it is, so the one LoRA
 * run, which adds its adapters, goes last.
 */
function builtInProcess(configs: TrainConfig[]): Reported[] {
  expect(configs.filter((c) => c.method === 'lora')).toHaveLength(1);
  const isLora = (i: number) => Number(configs[i].method === 'lora');
  const order = [...configs.keys()].sort((a, b) => isLora(a) - isLora(b));
  const model = GPT.create({ vocab: 50257, d: 768, layers: 12, heads: 12, ctx: 1024 }, configs[0].seed);
  const out: Reported[] = [];
  try {
    for (const i of order) {
      const config = configs[i];
      const method = createMethod(model, {
        method: config.method,
        gamma: config.gamma,
        interval: config.interval,
        sampling: config.sampling,
        optimizerState: config.optimizer_state,
        rank: config.rank,
        alpha: config.alpha,
        loraTargets: config.lora_targets as LoraTarget[],
        loraTrainEmbed: config.lora_train_embed,
        seed: config.seed,
      });
      const { params, trainableParams } = modelInfo(model, method, config);
      out[i] = { params, trainableParams };
    }
    return out;
  } finally {
    model.dispose();
  }
}

const label = (r: DryRunRun) => `${r.config.preset} ${r.kind} ${r.key}`;
const rows: string[] = [];

describe('dry-run parameter counts equal run_started', () => {
  afterAll(() => {
    console.log(`preset × method: planner params / trainable vs run_started\n${rows.join('\n')}`);
  });

  it.each(PRESETS.map((p) => [p]))(
    '%s: every method',
    async (preset) => {
      const d = plan(preset);
      const pretrainOut = path.join(tmp, `${preset}-pretrain`);
      const check = (r: DryRunRun, got: Reported) => {
        const { params, trainableParams } = r.estimate.memory;
        const planned = `${params} / ${trainableParams}`;
        rows.push(`| ${preset} | ${r.kind} ${r.key} | ${planned} | ${got.params} / ${got.trainableParams} |`);
        expect({ params, trainableParams }, label(r)).toEqual(got);
      };
      check(d.pretrain!, await trainerReports(d.pretrain!.config, pretrainOut, null, preset !== 'gpt2'));
      const loras = preset === 'gpt2' ? ['lora'] : ['lora', 'lora'];
      expect(d.runs.map((r) => r.kind).sort()).toEqual(['full', 'lisa', 'lisa', ...loras]);
      if (preset === 'gpt2') {
        const got = builtInProcess(d.runs.map((r) => r.config));
        d.runs.forEach((r, i) => check(r, got[i]));
        return;
      }
      for (const r of d.runs)
        check(r, await trainerReports(r.config, path.join(tmp, `${preset}-${r.key}`), pretrainOut));
    },
    600_000,
  );
});
