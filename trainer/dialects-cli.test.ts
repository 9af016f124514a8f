// `npm run train -- <ms-swift flags> --dry-run` as a real child process: the resolved run and the one warning.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { splitRecords } from './data/records';

const root = path.resolve(__dirname, '..');
const tmp = mkdtempSync(path.join(os.tmpdir(), 'layerlab-dialect-'));
const base = path.join(tmp, 'base');
/** A local data file in place of the hub's `ms-agent`: epochs need data of a known size. */
const data = path.join(tmp, 'agent.jsonl');
const RECORDS = Array.from({ length: 40 }, (_, i) => ({ instruction: `Call tool ${i}.`, output: `tool_${i}()` }));
writeFileSync(data, RECORDS.map((r) => JSON.stringify(r)).join('\n'));

function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', path.join(root, 'trainer/cli.ts'), '--backend', 'cpu', ...args],
      { cwd: root },
      (err, stdout, stderr) => resolve({ code: err ? Number(err.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

/** The article's ms-swift command line after `sft.py`, `--model_type` kept (a hub name: ignored, with a word). */
const ARTICLE = [
  '--data',
  data,
  ...(
    '--model_type qwen-7b-chat --dataset ms-agent --batch_size 1 --max_length 2048 ' +
    '--gradient_accumulation_steps 16 --learning_rate 5e-05 --eval_steps 2000 --save_steps 2000 ' +
    '--num_train_epochs 2 --gradient_checkpointing True --weight_decay 0.01 --warmup_ratio 0.03 ' +
    '--save_total_limit 2 --logging_steps 10 --sft_type full --lisa_activated_layers 2 --lisa_step_interval 20'
  ).split(' '),
];

describe('trainer CLI with ms-swift flags', () => {
  beforeAll(async () => {
    const pre = await cli(['--preset', 'nano', '--stage', 'pretrain', '--steps', '2', '--batch', '2', '--out', base]);
    expect(pre.code, pre.stderr).toBe(0);
  }, 120_000);
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  it('--dry-run prints the run the command means and one warning on stderr', async () => {
    const out = path.join(tmp, 'lisa');
    const r = await cli(['--base', base, '--out', out, ...ARTICLE, '--dry-run']);
    expect(r.code, r.stderr).toBe(0);
    const { config, warnings } = JSON.parse(r.stdout) as { config: Record<string, unknown>; warnings: string[] };
    expect(config).toMatchObject({
      method: 'lisa',
      gamma: 2,
      interval: 20,
      lr: 5e-5,
      batch: 1,
      grad_accum: 16,
      warmup_ratio: 0.03,
      weight_decay: 0.01,
      eval_every: 2000,
      checkpoint_every: 2000,
      keep_checkpoints: 2,
      epochs: 2,
      steps: Math.ceil((2 * splitRecords('agent.jsonl', RECORDS).train.length) / 16),
      seq: 32, // max_length 2048 capped at the nano preset's context
    });
    const ignored = warnings.filter((w) => w.startsWith('ignored, no meaning in LayerLab'));
    expect(ignored).toHaveLength(1);
    expect(ignored[0]).toMatch(/model_type \(.*dataset \(.*gradient_checkpointing \(.*logging_steps \(/);
    expect(r.stderr.match(/WARNING: ignored, no meaning/g)).toHaveLength(1);
    expect(warnings).toContain("max_length 2048 is over the model's context: seq 32");
  }, 60_000);

  it('--lisa_activated_layers 0 trains every weight; --sft_type lora trains adapters', async () => {
    const full = await cli(['--base', base, ...ARTICLE.slice(0, -4), '--lisa_activated_layers', '0', '--dry-run']);
    expect(full.code, full.stderr).toBe(0);
    expect(JSON.parse(full.stdout).config.method).toBe('full');
    const lora = await cli(['--base', base, ...ARTICLE.slice(0, -6), '--sft_type', 'lora', '--dry-run']);
    expect(lora.code, lora.stderr).toBe(0);
    expect(JSON.parse(lora.stdout).config).toMatchObject({ method: 'lora', lr: 5e-5 });
    const bad = await cli([
      '--base',
      base,
      ...ARTICLE.slice(0, -6),
      '--sft_type',
      'lora',
      '--lisa_activated_layers',
      '2',
    ]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/error: lisa_activated_layers > 0 needs sft_type full/);
  }, 60_000);
});
