/**
 * A trained HFModel → a Hugging Face folder that transformers loads: config.json (the source's, dtype
 * float32), model.safetensors in the source's tensor names and layout (Conv1D [in, out], nn.Linear
 * [out, in], a tied head left out), and the tokenizer files copied. A LoRA run writes a PEFT adapter
 * instead (adapter_config.json, adapter_model.safetensors with PEFT's names, lora_A [r, in], lora_B [out, r]),
 * and with `merge` also the merged weights W₀ + (α/r)·B·A as model.safetensors.
 */
import { copyFileSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Param } from '../model';
import type { TensorSpec } from './arch';
import type { HFModel } from './model';
import { writeSafetensors, type TensorOut } from './safetensors';

const TOKENIZER_FILES = [
  'tokenizer.json',
  'tokenizer_config.json',
  'special_tokens_map.json',
  'generation_config.json',
  'vocab.json',
  'merges.txt',
  'tokenizer.model',
  'added_tokens.json',
];

function transpose(values: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(values.length);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = values[r * cols + c];
  return out;
}

const data = (p: Param) => p.variable.dataSync() as Float32Array;

/** (α/r)·A·B in LayerLab's [d_in, d_out] layout. */
function loraDelta(model: HFModel, name: string): Float32Array | null {
  if (!model.has(`${name}.lora_a`)) return null;
  const a = model.param(`${name}.lora_a`);
  const b = model.param(`${name}.lora_b`);
  const [din, r] = a.variable.shape as [number, number];
  const dout = b.variable.shape[1] as number;
  const av = data(a);
  const bv = data(b);
  const out = new Float32Array(din * dout);
  const scale = model.loraAlphaOverRank;
  for (let i = 0; i < din; i++) {
    for (let k = 0; k < r; k++) {
      const aik = av[i * r + k] * scale;
      if (aik === 0) continue;
      for (let j = 0; j < dout; j++) out[i * dout + j] += aik * bv[k * dout + j];
    }
  }
  return out;
}

/** A weight in the file's layout; `merge` adds its LoRA update. */
function stored(model: HFModel, s: TensorSpec, merge: boolean): Float32Array {
  let v = data(model.param(s.name));
  const delta = merge ? loraDelta(model, s.name) : null;
  if (delta) v = v.map((x, i) => x + delta[i]);
  return s.transpose ? transpose(v, s.hfShape[1], s.hfShape[0]) : v.slice();
}

function copyTokenizer(model: HFModel, dir: string): void {
  for (const f of TOKENIZER_FILES) {
    const src = path.join(model.source.dir, f);
    if (existsSync(src)) copyFileSync(src, path.join(dir, f));
  }
}

function writeConfig(model: HFModel, dir: string): void {
  const config = { ...model.source.raw, torch_dtype: 'float32' };
  writeFileSync(path.join(dir, 'config.json'), `${JSON.stringify(config, null, 2)}\n`);
}

function writeWeights(model: HFModel, dir: string, merge: boolean): void {
  const tensors: TensorOut[] = model.specs.map((s) => ({
    name: s.name,
    shape: s.hfShape,
    values: () => stored(model, s, merge),
  }));
  writeSafetensors(path.join(dir, 'model.safetensors'), tensors, { format: 'pt' });
}

/** The module path PEFT sees: GPT2LMHeadModel keeps its blocks under `transformer.`. */
function peftModule(model: HFModel, weight: string): string {
  const module = weight.replace(/\.weight$/, '');
  const full = model.hf.family === 'gpt2' && !module.startsWith('transformer.') ? `transformer.${module}` : module;
  return `base_model.model.${full}`;
}

/** PEFT tensor names and shapes of every adapter: lora_A.weight [r, in], lora_B.weight [out, r]. */
function peftTensors(model: HFModel): TensorOut[] {
  const out: TensorOut[] = [];
  for (const a of model.params.filter((p) => p.role === 'lora_a')) {
    const b = model.param(`${a.adapts}.lora_b`);
    const [din, r] = a.variable.shape as [number, number];
    const dout = b.variable.shape[1] as number;
    const m = peftModule(model, a.adapts!);
    out.push({ name: `${m}.lora_A.weight`, shape: [r, din], values: () => transpose(data(a), din, r) });
    out.push({ name: `${m}.lora_B.weight`, shape: [dout, r], values: () => transpose(data(b), r, dout) });
  }
  return out;
}

/** PEFT target_modules: the module names (`q_proj`, `c_attn`), or dotted suffixes where a name is ambiguous. */
function targetModules(model: HFModel): string[] {
  const adapted = new Set(model.params.filter((p) => p.role === 'lora_a').map((p) => p.module!));
  const all = new Set(model.params.filter((p) => p.role === 'base' && p.module).map((p) => p.module!));
  const out = new Set<string>();
  for (const m of adapted) {
    const last = m.slice(m.lastIndexOf('.') + 1);
    const clash = [...all].some((o) => o !== m && o.endsWith(`.${last}`) && !adapted.has(o));
    out.add(clash ? m : last);
  }
  return [...out].sort();
}

export interface SaveHfOptions {
  rank?: number;
  alpha?: number;
  merge?: boolean;
}

/** Writes the folder; returns the files written. */
export function saveHf(model: HFModel, dir: string, o: SaveHfOptions = {}): string[] {
  mkdirSync(dir, { recursive: true });
  const lora = model.params.some((p) => p.role === 'lora_a');
  const weights = !lora || !!o.merge;
  copyTokenizer(model, dir);
  if (weights) {
    writeConfig(model, dir);
    writeWeights(model, dir, !!o.merge);
  }
  if (lora) {
    const config = {
      peft_type: 'LORA',
      task_type: 'CAUSAL_LM',
      base_model_name_or_path: model.source.dir,
      r: o.rank,
      lora_alpha: o.alpha,
      target_modules: targetModules(model),
      lora_dropout: 0,
      bias: 'none',
      fan_in_fan_out: model.hf.family === 'gpt2',
      modules_to_save: null,
      inference_mode: true,
      init_lora_weights: true,
      use_rslora: false,
      use_dora: false,
    };
    writeFileSync(path.join(dir, 'adapter_config.json'), `${JSON.stringify(config, null, 2)}\n`);
    writeSafetensors(path.join(dir, 'adapter_model.safetensors'), peftTensors(model), { format: 'pt' });
  }
  return TOKENIZER_FILES.filter((f) => existsSync(path.join(model.source.dir, f))).concat(
    weights ? ['config.json', 'model.safetensors'] : [],
    lora ? ['adapter_config.json', 'adapter_model.safetensors'] : [],
  );
}
