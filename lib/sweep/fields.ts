/**
 * Field-level checks shared by the spec validator: one config value, a block of run-config
 * overrides, the model and data sections. Every check pushes problems and keeps going.
 */
import { MODEL_PRESETS, PRESETS, trainConfigSchema, type Preset } from '@/lib/protocol/config';
import { convertToolValue, NO_MEANING } from '@/lib/protocol/dialects';
import { DATA_EXTENSIONS, DATA_PRESETS, STRUCTURAL_KEYS, resolveAliases, suggestKey } from './keys';
import type { DataSpec, ParamValue, Problem, TrainOverrides } from './types';

type Leaf = {
  safeParse(
    v: unknown,
  ): { success: true; data: unknown } | { success: false; error: { issues: { message: string }[] } };
};
const leafSchemas = trainConfigSchema.shape as unknown as Record<string, Leaf>;

export const join = (path: string, key: string | number) =>
  typeof key === 'number' ? `${path}[${key}]` : path ? `${path}.${key}` : key;

export function isMapping(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export class Problems {
  readonly list: Problem[] = [];
  add(path: string, message: string): void {
    this.list.push({ path, message });
  }
  unknownKey(path: string, key: string, known: readonly string[]): void {
    const near = suggestKey(key, known);
    this.add(join(path, key), near ? `unknown key (did you mean ${near}?)` : 'unknown key');
  }
  /** Report keys of `obj` outside `known`; true when there were none. */
  onlyKeys(obj: Record<string, unknown>, path: string, known: readonly string[]): boolean {
    const extra = Object.keys(obj).filter((k) => !known.includes(k));
    for (const k of extra) this.unknownKey(path, k, known);
    return extra.length === 0;
  }
}

/**
 * One run-config value, checked against the trainer's own schema plus what the preset implies
 * (γ at most the block count, sequence at most the context). Returns the value, or undefined.
 */
export function checkValue(
  p: Problems,
  key: string,
  given: unknown,
  path: string,
  preset?: Preset,
  written?: string,
): ParamValue | undefined {
  // ms-swift / LMFlow names carry their tools' conventions (max_steps -1 = not set, ...).
  const converted = written ? convertToolValue(written, given) : { value: given };
  if ('error' in converted) return void p.add(path, converted.error);
  if ('drop' in converted) return void p.add(path, `${converted.drop}: leave it out`);
  const value = converted.value;
  const schema = leafSchemas[key];
  if (!schema) {
    p.add(path, `unknown key ${key}`);
    return undefined;
  }
  if (key === 'interval' && typeof value === 'number' && value < 1) {
    p.add(path, 'K must be ≥ 1');
    return undefined;
  }
  if (key === 'steps' && typeof value === 'number' && value < 1) {
    // The trainer takes --steps 0 to evaluate a model and exit; a sweep's runs always train.
    p.add(path, "steps must be ≥ 1 in a sweep (evaluate a model alone with the trainer's --steps 0)");
    return undefined;
  }
  const r = schema.safeParse(value);
  if (!r.success) {
    p.add(path, r.error.issues.map((i) => i.message).join('; '));
    return undefined;
  }
  const shape = preset ? MODEL_PRESETS[preset] : undefined;
  if (shape && key === 'gamma' && (value as number) > shape.layers) {
    p.add(path, `${value} exceeds the ${shape.layers} blocks of preset ${preset}`);
    return undefined;
  }
  if (shape && key === 'seq' && (value as number) > shape.ctx) {
    p.add(path, `${value} exceeds the context length ${shape.ctx} of preset ${preset}`);
    return undefined;
  }
  return r.data as ParamValue;
}

/**
 * A block of run-config keys (`train`, a baseline, the pretrain stage). Aliases are renamed;
 * `allowed` are the keys this block may set; `refuse` explains keys that exist but do not belong here.
 */
export function checkOverrides(
  p: Problems,
  raw: Record<string, unknown>,
  path: string,
  allowed: readonly string[],
  preset?: Preset,
  refuse: (key: string) => string | undefined = () => undefined,
): TrainOverrides {
  const { value, written, clashes } = resolveAliases(raw);
  for (const [alias, canonical] of clashes) p.add(join(path, alias), `same setting as ${canonical}, given twice`);
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    const at = join(path, written[key] ?? key);
    if (key in STRUCTURAL_KEYS) p.add(at, `not allowed here: ${STRUCTURAL_KEYS[key]}`);
    else if (key in NO_MEANING) p.add(at, `no meaning in LayerLab (${NO_MEANING[key]}): leave it out`);
    else if (refuse(key)) p.add(at, refuse(key)!);
    else if (!allowed.includes(key)) p.unknownKey(path, written[key] ?? key, allowed);
    else {
      const checked = checkValue(p, key, v, at, preset, written[key]);
      if (checked !== undefined) out[key] = checked;
    }
  }
  // Hugging Face's cosine and linear schedules decay to 0 (LayerLab's to min_lr_ratio × lr).
  if (written.schedule === 'lr_scheduler_type' && out.schedule !== undefined && !('min_lr_ratio' in value)) {
    out.min_lr_ratio = 0;
  }
  return out as TrainOverrides;
}

/**
 * `model`: `{ preset, base? }` (LayerLab's presets) or `{ path }` (a Hugging Face model folder, checked on disk at
 * submission: lib/sweep/model.ts).
 */
export function checkModel(p: Problems, raw: unknown): { preset?: Preset; base?: string; path?: string } {
  if (!isMapping(raw)) {
    p.add(
      'model',
      raw === undefined
        ? 'required: { preset: nano | mini | small | gpt2 } or { path: MODEL_FOLDER }'
        : 'expected a mapping { preset, base? } or { path }',
    );
    return {};
  }
  if (raw.path !== undefined) {
    p.onlyKeys(raw, 'model', ['preset', 'base', 'path']);
    for (const k of ['preset', 'base'].filter((k) => k in raw)) {
      p.add(join('model', k), 'a model folder (model.path) is the model: leave out model.preset and model.base');
    }
    if (typeof raw.path === 'string' && raw.path.trim()) return { path: raw.path };
    p.add('model.path', 'expected a Hugging Face model folder (config.json, *.safetensors, tokenizer.json)');
    return {};
  }
  p.onlyKeys(raw, 'model', ['preset', 'base', 'path']);
  let preset: Preset | undefined;
  if (typeof raw.preset === 'string' && (PRESETS as readonly string[]).includes(raw.preset))
    preset = raw.preset as Preset;
  else p.add('model.preset', `expected one of ${PRESETS.join(', ')} (or give model.path, a Hugging Face folder)`);
  let base: string | undefined;
  if (raw.base !== undefined) {
    if (typeof raw.base === 'string' && raw.base.trim()) base = raw.base;
    else p.add('model.base', 'expected a checkpoint directory path');
  }
  return { preset, base };
}

/** `data`: `{ preset }`, `{ path }`, or a bare string (preset name or path). */
export function checkData(p: Problems, raw: unknown, path: string): DataSpec | undefined {
  if (typeof raw === 'string') {
    return (DATA_PRESETS as readonly string[]).includes(raw) ? { preset: raw } : checkData(p, { path: raw }, path);
  }
  if (!isMapping(raw)) {
    p.add(path, 'expected { preset: pretrain | instruct } or { path: FILE }');
    return undefined;
  }
  if (!p.onlyKeys(raw, path, ['preset', 'path'])) return undefined;
  if ((raw.preset === undefined) === (raw.path === undefined)) {
    p.add(path, 'give exactly one of preset or path');
    return undefined;
  }
  if (raw.preset !== undefined) {
    if (typeof raw.preset === 'string' && (DATA_PRESETS as readonly string[]).includes(raw.preset))
      return { preset: raw.preset };
    p.add(join(path, 'preset'), `expected one of ${DATA_PRESETS.join(', ')}`);
    return undefined;
  }
  const file = raw.path;
  if (typeof file !== 'string' || !file.trim()) p.add(join(path, 'path'), 'expected a file path');
  else if (!DATA_EXTENSIONS.some((ext) => file.toLowerCase().endsWith(ext))) {
    p.add(join(path, 'path'), `expected a ${DATA_EXTENSIONS.join(', ')} file`);
  } else return { path: file };
  return undefined;
}
