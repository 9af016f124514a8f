/**
 * Which run-config keys a sweep spec may set where, and the LMFlow / ms-swift aliases. Which knobs each method
 * uses is lib/runs/configuration.ts's to say.
 */
import { CONFIG_ALIASES, trainConfigSchema, type Method } from '@/lib/protocol/config';
import { knobAppliesTo, METHOD_KNOBS, METHOD_SPECIFIC_KNOBS } from '@/lib/runs/configuration';

/** Set by the sweep's structure, not by `train`: where each comes from instead. */
export const STRUCTURAL_KEYS: Record<string, string> = {
  stage: 'set by the planner (pretrain / finetune)',
  preset: 'set by model.preset',
  data: 'set by data (or pretrain.data)',
  seed: 'set by seeds (or pretrain.seed)',
  base: 'set by model.base or the pretrain stage',
  out: 'set by the scheduler',
  method: 'grid runs use LISA; add other methods under baselines',
  sft_type: 'the method (ms-swift): grid runs use LISA; give it on a baseline, e.g. { sft_type: lora }',
  use_lisa: 'the method (LMFlow): grid runs use LISA; give it on a baseline, e.g. { use_lora: 1 }',
  use_lora: 'the method (LMFlow): grid runs use LISA; give it on a baseline, e.g. { use_lora: 1 }',
};

export const CONFIG_KEYS = Object.keys(trainConfigSchema.shape);
/** Keys `train`, `parameters` and `baselines` may set. */
export const TRAIN_KEYS = CONFIG_KEYS.filter((k) => !(k in STRUCTURAL_KEYS));
/** Keys that only LISA runs use. */
export const LISA_KEYS = METHOD_KNOBS.lisa;
/** Keys that only LoRA runs use. */
export const LORA_KEYS = METHOD_KNOBS.lora;
/** Keys the pretrain stage (full training) may set besides steps, seed and data. */
export const PRETRAIN_KEYS = TRAIN_KEYS.filter((k) => !METHOD_SPECIFIC_KNOBS.includes(k));

/** Does a run of this method use this key? */
export const keyAppliesTo: (key: string, method: Method) => boolean = knobAppliesTo;

/** Integer-valued config keys (gamma, interval, rank, batch, steps, seq, ...). */
export function isIntegerKey(key: string): boolean {
  const schema = (trainConfigSchema.shape as Record<string, { safeParse(v: unknown): { success: boolean } }>)[key];
  return !!schema && schema.safeParse(64).success && !schema.safeParse(64.5).success;
}

export const DATA_PRESETS = ['pretrain', 'instruct'] as const;
export const DATA_EXTENSIONS = ['.txt', '.json', '.jsonl'] as const;

export interface AliasResult {
  value: Record<string, unknown>;
  /** canonical key → the key the user wrote, where they differ. */
  written: Record<string, string>;
  /** Both an alias and its canonical key (or two aliases) given: [alias written, canonical]. */
  clashes: [string, string][];
}

/** Rename alias keys of one object (`lisa_activated_layers` → `gamma`, ...). */
export function resolveAliases(obj: Record<string, unknown>): AliasResult {
  const value: Record<string, unknown> = {};
  const written: Record<string, string> = {};
  const clashes: [string, string][] = [];
  for (const [key, v] of Object.entries(obj)) {
    const canonical = CONFIG_ALIASES[key] ?? key;
    if (canonical in value) {
      clashes.push([key, written[canonical] ?? canonical]);
      continue;
    }
    value[canonical] = v;
    if (canonical !== key) written[canonical] = key;
  }
  return { value, written, clashes };
}

/** A near key for "unknown key" messages: the one the trainer's CLI uses for unknown flags. */
export { suggestKey } from '../protocol/suggest';
