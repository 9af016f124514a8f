/**
 * ms-swift and LMFlow settings with their own tools' meaning (docs/trainer.md, "ms-swift and LMFlow flags"):
 * which LayerLab key each one sets, how its value converts, which method the tools' switches select, and
 * the flags that mean nothing here (listed in one warning, never dropped silently).
 * Sources: ms-swift 2.x `SftArguments` (swift/llm/utils/argument.py, LISA in swift/llm/tuner.py) and
 * LMFlow `ModelArguments` / `FinetunerArguments` (src/lmflow/args.py), both on top of Hugging Face
 * `TrainingArguments`.
 */
import type { Method } from './config';

/** Tool setting → the LayerLab run-config key with the same meaning (value conversions: `convertToolValue`). */
export const TOOL_ALIASES: Record<string, string> = {
  learning_rate: 'lr',
  batch_size: 'batch',
  per_device_train_batch_size: 'batch',
  max_length: 'seq',
  block_size: 'seq',
  gradient_accumulation_steps: 'grad_accum',
  warmup_ratio: 'warmup_ratio',
  warmup_steps: 'warmup',
  num_train_epochs: 'epochs',
  max_steps: 'steps',
  eval_steps: 'eval_every',
  save_steps: 'checkpoint_every',
  save_total_limit: 'keep_checkpoints',
  max_grad_norm: 'grad_clip',
  lora_rank: 'rank',
  lora_r: 'rank',
  lora_alpha: 'alpha',
  lora_target_modules: 'lora_targets',
  lr_scheduler_type: 'schedule',
  lisa_activated_layers: 'gamma',
  lisa_interval_steps: 'interval',
  lisa_step_interval: 'interval',
};

/** The tools' switches that choose the method: ms-swift `sft_type`, LMFlow `use_lisa` / `use_lora`. */
export const METHOD_SWITCHES = ['sft_type', 'use_lisa', 'use_lora'] as const;
export type MethodSwitch = (typeof METHOD_SWITCHES)[number];

/** Tool flags that mean nothing in LayerLab, with why; they are listed in one warning. */
export const NO_MEANING: Record<string, string> = {
  model_type: 'a hub model name: give --preset or --model DIR',
  model_id_or_path: 'a hub model: give --preset or --model DIR',
  model_name_or_path: 'a hub model: give --preset or --model DIR',
  dataset: 'hub data set names: give --data',
  dataset_path: "LMFlow's data folder: give --data FILE",
  conversation_template: 'LayerLab formats instruction records itself',
  template_type: 'LayerLab formats instruction records itself',
  logging_steps: 'LayerLab records the loss at every step',
  use_flash_attn: 'no attention kernels to choose here',
  use_flash_attention: 'no attention kernels to choose here',
  gradient_checkpointing: 'activations are kept; no recomputation here',
  deepspeed: 'one process trains here',
  bf16: 'LayerLab trains in float32',
  fp16: 'LayerLab trains in float32',
  torch_dtype: 'LayerLab trains in float32',
  dtype: 'LayerLab trains in float32',
  output_dir: 'use --out (a sweep names its run folders itself)',
  overwrite_output_dir: 'use --out',
  do_train: 'LayerLab always trains',
  report_to: 'LayerLab is the tracker',
  run_name: 'LayerLab names runs',
  trust_remote_code: 'no remote code here',
  disable_group_texts: 'LayerLab windows text itself',
  validation_split_percentage: 'the eval set is eval_records held-out records',
  dataloader_num_workers: 'one process reads the data',
  ddp_timeout: 'one process trains here',
  add_output_dir_suffix: 'use --out',
};

/** HF's string_to_bool: yes/true/t/y/1 and no/false/f/n/0, any case. */
export function toolBool(value: unknown): boolean | undefined {
  if (typeof value === 'boolean') return value;
  if (typeof value === 'number') return value === 1 ? true : value === 0 ? false : undefined;
  if (typeof value !== 'string') return undefined;
  const v = value.trim().toLowerCase();
  if (['yes', 'true', 't', 'y', '1'].includes(v)) return true;
  if (['no', 'false', 'f', 'n', '0'].includes(v)) return false;
  return undefined;
}

const SCHEDULES: Record<string, string> = {
  cosine: 'cosine',
  linear: 'linear',
  constant: 'constant',
  constant_with_warmup: 'constant',
};
const ALL_TARGETS = ['q', 'k', 'v', 'o', 'mlp'];

/** What one tool-spelled value becomes: a value, nothing (with why), or a problem. */
export type Converted = { value: unknown } | { drop: string } | { error: string };

/**
 * One value written under a tool's name (`written`). Keeps LayerLab's own
 * spellings untouched: only tool names carry the tools' conventions (`max_steps -1` = not set, ...).
 */
export function convertToolValue(written: string, value: unknown): Converted {
  if (!(written in TOOL_ALIASES)) return { value };
  const n = typeof value === 'number' ? value : NaN;
  switch (written) {
    case 'max_steps':
      return n <= 0 ? { drop: 'max_steps ≤ 0 means "not set" (epochs decide)' } : { value };
    case 'max_length':
      return n === -1 ? { drop: 'max_length -1 means no limit' } : { value };
    case 'save_total_limit':
      return n <= 0 ? { drop: `save_total_limit ${n} keeps every checkpoint: no counterpart here` } : { value };
    case 'warmup_steps':
      return n === 0 ? { drop: 'warmup_steps 0 means "use warmup_ratio"' } : { value };
    case 'lisa_activated_layers':
      if (n !== 0) return { value };
      return { error: `${written} 0 turns LISA off in ms-swift and LMFlow (full fine-tuning); gamma 0: no blocks` };
    case 'lr_scheduler_type': {
      const s = SCHEDULES[String(value)];
      return s
        ? { value: s }
        : { error: `${written} ${String(value)} has no counterpart here (${Object.keys(SCHEDULES).join(', ')})` };
    }
    case 'lora_target_modules': {
      const list = (Array.isArray(value) ? value : String(value).split(/[\s,]+/)).map(String).filter(Boolean);
      if (list.some((t) => ['ALL', 'all-linear', 'DEFAULT', 'AUTO'].includes(t))) return { value: ALL_TARGETS };
      return { value: list };
    }
  }
  return { value };
}

export interface DialectInput {
  /** Run-config keys (tool names already renamed to LayerLab keys), values typed; changed in place. */
  raw: Record<string, unknown>;
  /** LayerLab key → the tool name it was written as (only where it was). */
  written: Record<string, string>;
  /** ms-swift / LMFlow method switches as given. */
  switches: Partial<Record<MethodSwitch, unknown>>;
  /** Tool flags without meaning here, in the order given. */
  ignored: string[];
  /** Defaults of the tool the flags came from, for switches the command did not give (a pasted command). */
  toolDefaults?: Partial<Record<MethodSwitch, unknown>>;
}

export interface DialectResult {
  /** Problems, one line each (the trainer stops; a spec lists them). */
  errors: string[];
  /** `name (why)` for every flag that changes nothing here: the one warning lists them. */
  ignored: string[];
}

const said = (d: DialectInput, key: string) => d.written[key] ?? key;

/**
 * Apply the tools' conventions to a set of flags: value conversions of tool-spelled keys, and the method
 * their switches select — ms-swift: `sft_type full` + `lisa_activated_layers > 0` = LISA, `0` = full,
 * `sft_type lora` = LoRA; LMFlow: `use_lisa` = LISA, `use_lora` = LoRA, neither = full. Without a switch
 * and without `method`, `lisa_activated_layers > 0` turns LISA on (ms-swift's rule on LayerLab's default
 * method, full) and `0` leaves it off; LayerLab's own `gamma 0` keeps meaning LISA with no blocks.
 */
export function resolveDialect(d: DialectInput): DialectResult {
  const errors: string[] = [];
  const ignored = d.ignored.map((name) =>
    name.includes(' (') ? name : `${name} (${NO_MEANING[name] ?? 'no meaning here'})`,
  );
  const { raw } = d;
  for (const [key, name] of Object.entries(d.written)) {
    if (!(key in raw)) continue;
    if (name === 'lisa_activated_layers') continue; // the method rules below read it
    const c = convertToolValue(name, raw[key]);
    if ('error' in c) errors.push(c.error);
    else if ('drop' in c) {
      delete raw[key];
      ignored.push(`${name} (${c.drop})`);
    } else raw[key] = c.value;
  }
  if (d.written.schedule === 'lr_scheduler_type' && raw.schedule !== undefined && raw.min_lr_ratio === undefined) {
    raw.min_lr_ratio = 0; // Hugging Face's cosine and linear schedules decay to 0
  }
  if (d.written.steps === 'max_steps' && raw.steps !== undefined && raw.epochs !== undefined) {
    delete raw.epochs;
    ignored.push(`${said(d, 'epochs')} (max_steps overrides it, as in ms-swift and LMFlow)`);
  }
  if (d.written.warmup === 'warmup_steps' && raw.warmup !== undefined && raw.warmup_ratio !== undefined) {
    delete raw.warmup_ratio;
    ignored.push('warmup_ratio (warmup_steps overrides it, as in ms-swift and LMFlow)');
  }
  errors.push(...chooseMethod(d, ignored));
  return { errors, ignored };
}

function chooseMethod(d: DialectInput, ignored: string[]): string[] {
  const { raw } = d;
  const given = Object.keys(d.switches) as MethodSwitch[];
  const sw = { ...d.toolDefaults, ...d.switches };
  const toolGamma = d.written.gamma === 'lisa_activated_layers' && raw.gamma !== undefined;
  const gamma = typeof raw.gamma === 'number' ? raw.gamma : undefined;
  if (given.length > 0 && raw.method !== undefined) {
    return [`--${given[0]} and --method are two spellings of one setting: give one`];
  }
  if (sw.sft_type !== undefined && (sw.use_lisa !== undefined || sw.use_lora !== undefined)) {
    return ["sft_type is ms-swift's switch, use_lisa / use_lora LMFlow's: give one tool's"];
  }
  if (sw.sft_type !== undefined) {
    const type = String(sw.sft_type);
    if (type !== 'full' && type !== 'lora') {
      return [`sft_type ${type} has no counterpart here (full, lora; LISA is full with lisa_activated_layers > 0)`];
    }
    const lisa = toolGamma && (gamma ?? 0) > 0;
    if (type === 'lora' && lisa) {
      return ['lisa_activated_layers > 0 needs sft_type full (ms-swift: "LISA only supports full parameter training")'];
    }
    raw.method = lisa ? 'lisa' : type;
    if (!lisa && toolGamma) delete raw.gamma;
    return [];
  }
  if (sw.use_lisa !== undefined || sw.use_lora !== undefined) {
    const problems: string[] = [];
    const lisa = sw.use_lisa === undefined ? false : toolBool(sw.use_lisa);
    const lora = sw.use_lora === undefined ? false : toolBool(sw.use_lora);
    if (lisa === undefined) problems.push(`use_lisa expects true or false (1 or 0), got '${String(sw.use_lisa)}'`);
    if (lora === undefined) problems.push(`use_lora expects true or false (1 or 0), got '${String(sw.use_lora)}'`);
    if (problems.length) return problems;
    if (lisa && lora) return ['use_lisa and use_lora are both on: LMFlow trains one way at a time'];
    raw.method = lisa ? 'lisa' : lora ? 'lora' : 'full';
    if (lisa && toolGamma && gamma === 0) {
      return ['lisa_activated_layers 0 with use_lisa: LMFlow would train no block; write gamma 0 if you mean that'];
    }
    if (!lisa) {
      for (const key of ['gamma', 'interval']) {
        if (raw[key] !== undefined && d.written[key]) {
          ignored.push(`${d.written[key]} (LISA is off without use_lisa)`);
          delete raw[key];
        }
      }
    }
    return [];
  }
  if (!toolGamma) return [];
  const method = raw.method as Method | undefined;
  if (gamma === 0) {
    if (method === 'lisa') {
      return ['lisa_activated_layers 0 turns LISA off (ms-swift, LMFlow); for LISA without blocks write --gamma 0'];
    }
    delete raw.gamma;
    return [];
  }
  if (method === undefined) raw.method = 'lisa';
  else if (method !== 'lisa') return [`lisa_activated_layers ${gamma} turns LISA on, but the method is ${method}`];
  return [];
}

/** The one warning about flags that change nothing here; undefined when there are none. */
export function ignoredWarning(ignored: readonly string[]): string | undefined {
  if (ignored.length === 0) return undefined;
  return `ignored, no meaning in LayerLab: ${ignored.join('; ')}`;
}
