/**
 * POST /api/sweeps?from=command through the real handler: a pasted ms-swift or LMFlow command line becomes a
 * sweep spec draft with one warning listing the flags that mean nothing here; the draft posts as a spec.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getContext } from '@/lib/server/context';
import type { FromCommand } from '@/lib/sweep/from-command';
import { POST } from './route';

const TOKEN = 'from-command-admin-token-0123456789';
const post = (query: string, body: string, type = 'text/plain') =>
  POST(
    new Request(`http://127.0.0.1:3999/api/sweeps${query}`, {
      method: 'POST',
      body,
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': type },
    }),
  );

/**
 * The article's ms-swift command, `--model_type` and `--dataset` kept (ignored, with a word), a preset and a data
 * file added (epochs need data of a known size).
 */
const ARTICLE = `sft.py --model_type qwen-7b-chat --preset mini --data alpaca.jsonl --dataset ms-agent \\
  --batch_size 1 --max_length 2048 \\
  --gradient_accumulation_steps 16 --learning_rate 5e-05 --eval_steps 2000 --save_steps 2000 \\
  --num_train_epochs 2 --gradient_checkpointing True --weight_decay 0.01 --warmup_ratio 0.03 \\
  --save_total_limit 2 --logging_steps 10 --sft_type full --lisa_activated_layers 2 --lisa_step_interval 20`;

/** LMFlow's scripts/run_finetune_with_lisa.sh, pasted whole (variables, launcher, redirections). */
const LMFLOW = `#!/bin/bash
model_name_or_path=meta-llama/Llama-3.2-3B-Instruct
output_dir=output_models/finetune_lisa
lisa_activated_layers=1
lisa_interval_steps=20
log_dir=\${output_dir}/log/
mkdir -p \${output_dir} \${log_dir}

accelerate launch --config_file configs/accelerate_fsdp_config.yaml \\
  examples/finetune.py \\
    --model_name_or_path \${model_name_or_path} --preset mini --data alpaca.jsonl \\
    --output_dir \${output_dir} --overwrite_output_dir \\
    --use_lisa 1 \\
    --lisa_activated_layers \${lisa_activated_layers} \\
    --lisa_interval_steps \${lisa_interval_steps} \\
    --num_train_epochs 1 --block_size 512 \\
    --per_device_train_batch_size 1 --gradient_accumulation_steps 1 \\
    --learning_rate 2e-5 --lr_scheduler_type cosine --bf16 \\
    --logging_steps 20 --do_train --save_steps 5000 --seed 42 \\
    > >(tee \${log_dir}/train.log) \\
    2> >(tee \${log_dir}/train.err >&2)`;

let home: string;
beforeAll(() => {
  home = fs.mkdtempSync(path.join(os.tmpdir(), 'layerlab-from-command-'));
  // 600 instruction records (distinct sums), in the data home's data/ folder where a spec may read them.
  const records = Array.from({ length: 600 }, (_, i) => ({
    instruction: `What is ${i} + ${1000 + 2 * i}?`,
    output: `${1000 + 3 * i}`,
  }));
  fs.mkdirSync(path.join(home, 'data'), { recursive: true });
  fs.writeFileSync(path.join(home, 'data', 'alpaca.jsonl'), records.map((r) => JSON.stringify(r)).join('\n'));
  process.env.LAYERLAB_HOME = home;
  process.env.LAYERLAB_ADMIN_TOKEN = TOKEN;
});
afterAll(() => {
  getContext().conn.sqlite.close();
  fs.rmSync(home, { recursive: true, force: true });
});

async function draft(text: string): Promise<FromCommand> {
  const res = await post('?from=command', text);
  const body = await res.json();
  expect(res.status, JSON.stringify(body)).toBe(200);
  return body as FromCommand;
}

describe('POST /api/sweeps?from=command', () => {
  it("the article's ms-swift command: a LISA grid γ 2 × K 20 with its settings, one warning", async () => {
    const d = await draft(ARTICLE);
    expect(d.runs.map((r) => [r.tool, r.method])).toEqual([['ms-swift', 'lisa']]);
    expect(d.spec.model).toEqual({ preset: 'mini' });
    expect(d.spec.data).toBe('alpaca.jsonl');
    expect(d.spec.parameters).toEqual({ gamma: { values: [2] }, interval: { values: [20] } });
    expect(d.spec.train).toMatchObject({
      lr: 5e-5,
      batch: 1,
      grad_accum: 16,
      warmup_ratio: 0.03,
      weight_decay: 0.01,
      eval_every: 2000,
      checkpoint_every: 2000,
      seq: 64, // max_length 2048 capped at mini's context
    });
    const ignored = d.warnings.filter((w) => w.startsWith('ignored, no meaning in LayerLab'));
    expect(ignored).toHaveLength(1);
    for (const flag of ['model_type', 'dataset', 'gradient_checkpointing', 'logging_steps']) {
      expect(ignored[0]).toContain(`${flag} (`);
    }
    expect(d.warnings).toContain('line 1: max_length 2048 is over the context of preset mini: seq 64');
    expect(d.problems).toEqual([]);
    // The draft is a spec the same endpoint takes.
    const plan = await post('?dryRun=1', d.yaml, 'application/yaml');
    expect(plan.status, await plan.clone().text()).toBe(200);
  });

  it('lisa_activated_layers 0 is a full baseline, sft_type lora a LoRA one; three commands, one sweep', async () => {
    const full = ARTICLE.replace('--lisa_activated_layers 2', '--lisa_activated_layers 0');
    const lora = ARTICLE.replace('--sft_type full --lisa_activated_layers 2', '--sft_type lora --lora_rank 8');
    expect((await draft(full)).runs[0].method).toBe('full');
    expect((await draft(lora)).runs[0].method).toBe('lora');
    const d = await draft(`${ARTICLE}\n\n${full}\n${lora}`);
    expect(d.runs.map((r) => r.method)).toEqual(['lisa', 'full', 'lora']);
    expect(d.spec.parameters).toEqual({ gamma: { values: [2] }, interval: { values: [20] } });
    expect(d.spec.baselines).toEqual([{ method: 'full' }, { method: 'lora', rank: 8 }]);
    expect(d.warnings.filter((w) => w.startsWith('ignored'))).toHaveLength(1);
    expect(d.problems).toEqual([]);
  });

  it("LMFlow's LISA script, pasted whole: LISA γ 1, K 20, its lr and schedule; launcher, logs read past", async () => {
    const d = await draft(LMFLOW);
    expect(d.runs.map((r) => [r.tool, r.method])).toEqual([['lmflow', 'lisa']]);
    expect(d.spec.parameters).toEqual({ gamma: { values: [1] }, interval: { values: [20] } });
    expect(d.spec.train).toMatchObject({
      lr: 2e-5,
      batch: 1,
      grad_accum: 1,
      schedule: 'cosine',
      min_lr_ratio: 0,
      checkpoint_every: 5000,
      seq: 64,
    });
    expect(d.spec.seeds).toEqual([42]);
    const ignored = d.warnings.filter((w) => w.startsWith('ignored'));
    expect(ignored).toHaveLength(1);
    for (const flag of ['model_name_or_path', 'output_dir', 'bf16', 'do_train', 'logging_steps']) {
      expect(ignored[0]).toContain(`${flag} (`);
    }
    expect(d.notes.join('\n')).toMatch(/not a training command, not read: mkdir/);
    expect(d.notes.join('\n')).toMatch(/launcher words not read: accelerate launch --config_file/);
    expect(d.notes.join('\n')).toMatch(/a redirection \(>\) and what follows it are not read/);
    expect(d.problems).toEqual([]);
  });

  it('answers 400 naming each problem: an unknown flag, a flag without its value, an unset variable', async () => {
    const res = await post(
      '?from=command',
      'sft.py --sft_type lora --lisa_activated_layers 2 --lerning_rate 1\nfinetune.py --learning_rate $LR',
    );
    expect(res.status).toBe(400);
    const body = await res.json();
    expect(body.code).toBe('invalid_spec');
    expect(body.problems.map((p: { message: string }) => p.message)).toEqual([
      'line 2: $LR is not set in the pasted text; paste its value instead',
      'line 1: unknown option --lerning_rate (did you mean --learning_rate?)',
      'line 2: option --learning_rate needs a value',
    ]);
    expect((await post('?from=command', ' ')).status).toBe(400);
    expect((await post('?from=yaml', 'x')).status).toBe(400);
  });
});
