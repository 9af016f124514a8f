// ms-swift and LMFlow flags on the trainer's command line, read with their own tools' meaning.
import { describe, expect, it } from 'vitest';
import { ConfigError, parseArgs } from './config';

/** The article's ms-swift LISA command (its flags; `--model_type` stays: it is one of the ignored ones). */
const SWIFT = (
  '--model_type qwen-7b-chat --dataset ms-agent --batch_size 1 --max_length 2048 ' +
  '--gradient_accumulation_steps 16 --learning_rate 5e-05 --eval_steps 2000 --save_steps 2000 ' +
  '--num_train_epochs 2 --gradient_checkpointing True --weight_decay 0.01 --warmup_ratio 0.03 ' +
  '--save_total_limit 2 --logging_steps 10 --sft_type full --lisa_activated_layers 2 --lisa_step_interval 20'
).split(' ');

/** LMFlow's scripts/run_finetune_with_lisa.sh flags, its shell variables filled in. */
const LMFLOW = (
  '--model_name_or_path meta-llama/Llama-3.2-3B-Instruct --trust_remote_code 0 ' +
  '--dataset_path data/alpaca/train_conversation --output_dir output_models/finetune_lisa --overwrite_output_dir ' +
  '--conversation_template llama3 --use_lisa 1 --lisa_activated_layers 1 --lisa_interval_steps 20 ' +
  '--disable_group_texts 1 --num_train_epochs 1 --block_size 512 --per_device_train_batch_size 1 ' +
  '--gradient_accumulation_steps 1 --learning_rate 2e-5 --lr_scheduler_type cosine --bf16 ' +
  '--torch_dtype bfloat16 --validation_split_percentage 0 --logging_steps 20 --do_train --ddp_timeout 72000 ' +
  '--save_steps 5000 --use_flash_attention 0 --gradient_checkpointing 0 --dataloader_num_workers 8 ' +
  '--report_to wandb --run_name finetune_lisa --seed 42'
).split(' ');

const swap = (argv: string[], flag: string, value: string) => {
  const i = argv.indexOf(flag);
  return [...argv.slice(0, i), flag, value, ...argv.slice(i + 2)];
};
const error = (argv: string[]) => {
  try {
    parseArgs(argv);
  } catch (e) {
    if (e instanceof ConfigError) return e.message;
    throw e;
  }
  return 'no error';
};

describe('ms-swift flags', () => {
  it("the article's LISA command: method LISA, γ 2, K 20, its lr, batch, cadences; one warning", () => {
    const { raw, warning } = parseArgs(SWIFT);
    expect(raw).toMatchObject({
      method: 'lisa',
      gamma: 2,
      interval: 20,
      lr: 5e-5,
      batch: 1,
      grad_accum: 16,
      warmup_ratio: 0.03,
      seq: 2048,
      weight_decay: 0.01,
      eval_every: 2000,
      checkpoint_every: 2000,
    });
    expect(warning).toMatch(/^ignored, no meaning in LayerLab: /);
    for (const flag of ['model_type', 'dataset', 'gradient_checkpointing', 'logging_steps']) {
      expect(warning).toContain(`${flag} (`);
    }
    expect(warning).not.toMatch(/learning_rate|lisa_step_interval|batch_size|gradient_accumulation|warmup_ratio/);
  });

  it('lisa_activated_layers 0 is full fine-tuning; sft_type lora is LoRA', () => {
    const full = parseArgs(swap(SWIFT, '--lisa_activated_layers', '0')).raw;
    expect(full.method).toBe('full');
    expect(full.gamma).toBeUndefined();
    const lora = parseArgs([...swap(SWIFT, '--sft_type', 'lora').slice(0, -4), '--lora_rank', '8']).raw;
    expect(lora).toMatchObject({ method: 'lora', rank: 8 });
    expect(error(swap(SWIFT, '--sft_type', 'lora'))).toMatch(/lisa_activated_layers > 0 needs sft_type full/);
    expect(error(swap(SWIFT, '--sft_type', 'adalora'))).toMatch(/sft_type adalora has no counterpart/);
  });

  it("LayerLab's own spellings keep their meaning; two spellings of one setting are an error", () => {
    expect(parseArgs(['--method', 'lisa', '--gamma', '0']).raw).toMatchObject({ method: 'lisa', gamma: 0 });
    expect(parseArgs(['--lisa_activated_layers', '3']).raw).toMatchObject({ method: 'lisa', gamma: 3 });
    expect(parseArgs(['--lisa_activated_layers', '0']).raw.method).toBeUndefined();
    expect(error(['--method', 'lisa', '--lisa_activated_layers', '0'])).toMatch(/write --gamma 0/);
    expect(error(['--lr', '1e-3', '--learning_rate', '2e-3'])).toMatch(/--lr and --learning_rate are two spellings/);
    expect(error(['--gamma', '1', '--lisa_activated_layers', '2'])).toMatch(/two spellings/);
    expect(error(['--method', 'lora', '--sft_type', 'lora'])).toMatch(/two spellings of one setting/);
  });

  it('tool conventions: max_steps -1, lr_scheduler_type, list-valued lora_target_modules', () => {
    const { raw, warning } = parseArgs([
      '--sft_type',
      'lora',
      '--max_steps',
      '-1',
      '--lr_scheduler_type',
      'linear',
      '--lora_target_modules',
      'q_proj',
      'v_proj',
    ]);
    expect(raw).toMatchObject({
      method: 'lora',
      schedule: 'linear',
      min_lr_ratio: 0,
      lora_targets: ['q_proj', 'v_proj'],
    });
    expect(raw.steps).toBeUndefined();
    expect(warning).toContain('max_steps (');
    expect(error(['--lr_scheduler_type', 'polynomial'])).toMatch(/lr_scheduler_type polynomial has no counterpart/);
  });
});

describe('LMFlow flags', () => {
  it('run_finetune_with_lisa.sh: LISA, γ 1, K 20, lr, batch, cosine to 0; the rest in one warning', () => {
    const { raw, warning } = parseArgs(LMFLOW);
    expect(raw).toMatchObject({
      method: 'lisa',
      gamma: 1,
      interval: 20,
      lr: 2e-5,
      batch: 1,
      schedule: 'cosine',
      min_lr_ratio: 0,
      checkpoint_every: 5000,
      seed: 42,
    });
    for (const flag of ['model_name_or_path', 'bf16', 'do_train', 'report_to', 'use_flash_attention']) {
      expect(warning).toContain(`${flag} (`);
    }
  });

  it('use_lora is LoRA, neither switch is full; both on is an error', () => {
    const lora = parseArgs([...swap(LMFLOW, '--use_lisa', '0'), '--use_lora', '1', '--lora_r', '8']);
    expect(lora.raw).toMatchObject({ method: 'lora', rank: 8 });
    expect(lora.raw.gamma).toBeUndefined();
    expect(lora.warning).toContain('lisa_activated_layers (LISA is off without use_lisa)');
    expect(parseArgs(swap(LMFLOW, '--use_lisa', '0')).raw.method).toBe('full');
    expect(error([...LMFLOW, '--use_lora', '1'])).toMatch(/use_lisa and use_lora are both on/);
    expect(error(swap(LMFLOW, '--use_lisa', 'maybe'))).toMatch(/use_lisa expects true or false/);
  });
});
