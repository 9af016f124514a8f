/**
 * Validate a parsed sweep spec (any JSON value) into a SweepSpec, collecting every problem with its
 * path instead of stopping at the first. Nothing here touches the disk or the database.
 */
import { CONFIG_ALIASES, METHODS, type Method, type Preset } from '@/lib/protocol/config';
import { METHOD_SWITCHES, resolveDialect } from '@/lib/protocol/dialects';
import { COMMAND_KEYS, isCommandSpec, type SplitCommandSpec, splitCommandSpec } from './command';
import { checkExecutorSpec, type ExecutorSpec } from '@/lib/scheduler/slurm-options';
import { checkData, checkModel, checkOverrides, checkValue, isMapping, join, Problems } from './fields';
import { LISA_KEYS, LORA_KEYS, PRETRAIN_KEYS, STRUCTURAL_KEYS, TRAIN_KEYS, keyAppliesTo, resolveAliases } from './keys';
import { MAX_RUNS, countRuns, type SpaceSpec } from './space';
import {
  DISTRIBUTIONS,
  type BaselineSpec,
  type Distribution,
  type ParameterSpec,
  type DataSpec,
  type ParamValue,
  type ParseResult,
  type PretrainSpec,
  type SweepSpec,
  type TrainOverrides,
} from './types';

const TOP_KEYS = [
  'name',
  'description',
  'method',
  'run_cap',
  'random_seed',
  'model',
  'data',
  'pretrain',
  'train',
  'parameters',
  'seeds',
  'baselines',
  'executor',
];

const int = (v: unknown, min: number): v is number => typeof v === 'number' && Number.isInteger(v) && v >= min;

/** `cwd`: a command sweep's default workdir (docs/command-sweeps.md); the server's working folder unless given. */
export function validateSweepSpec(written: unknown, opts: { cwd?: string } = {}): ParseResult {
  const p = new Problems();
  if (!isMapping(written)) {
    return {
      ok: false,
      problems: [{ path: '', message: 'a sweep spec is a mapping of keys (YAML or a JSON object)' }],
    };
  }
  p.onlyKeys(written, '', [...TOP_KEYS, ...COMMAND_KEYS]);
  // A command sweep: its own keys checked and its pass-through keys set aside; the rest is validated as usual.
  const cmd = isCommandSpec(written) ? splitCommandSpec(p, written, opts.cwd ?? process.cwd()) : null;
  if (!cmd)
    for (const k of COMMAND_KEYS.filter((k) => k in written))
      p.add(k, 'only for a command sweep: add program or command');
  const raw = cmd ? cmd.rest : written;

  const name = typeof raw.name === 'string' ? raw.name.trim() : '';
  if (!name || name.length > 200)
    p.add('name', raw.name === undefined ? 'required' : 'expected a name of 1–200 characters');
  if (raw.description !== undefined && typeof raw.description !== 'string') p.add('description', 'expected text');
  const method = raw.method ?? 'grid';
  if (method !== 'grid' && method !== 'random') p.add('method', 'expected grid or random');
  if (raw.run_cap !== undefined && !int(raw.run_cap, 1)) p.add('run_cap', 'expected a whole number ≥ 1');
  if (raw.random_seed !== undefined && !int(raw.random_seed, 0)) p.add('random_seed', 'expected a whole number ≥ 0');

  const model = cmd && raw.model === undefined ? {} : checkModel(p, raw.model);
  const preset = model.preset;
  const data = checkData(p, raw.data ?? { preset: 'instruct' }, 'data');
  const rawTrain = raw.train ?? {};
  if (!isMapping(rawTrain)) p.add('train', 'expected a mapping of run-config keys');
  const train = isMapping(rawTrain) ? checkOverrides(p, rawTrain, 'train', TRAIN_KEYS, preset) : {};
  const pretrain = raw.pretrain == null ? null : checkPretrain(p, raw.pretrain, preset);
  if (pretrain && model.base) p.add('model.base', 'give either model.base or a pretrain stage, not both');
  if (pretrain && model.path) {
    p.add(
      'pretrain',
      "a model sweep fine-tunes the folder's weights: a pretrain stage would train a preset from scratch",
    );
  }
  const seeds = checkSeeds(p, raw.seeds ?? [1]);
  const baselines = checkBaselines(p, raw.baselines ?? [], preset);
  const passOnly = cmd && Object.keys(cmd.parameters).length > 0 && Object.keys(raw.parameters ?? {}).length === 0;
  const parameters = passOnly ? {} : checkParameters(p, raw.parameters, method === 'random', preset);
  if (cmd && parameters && baselines) mergePassThrough(cmd, written, train, parameters, baselines);
  const executor = raw.executor === undefined ? undefined : checkExecutor(p, raw.executor);

  if (parameters && baselines) checkHfKeys(p, !!model.path, data, train, parameters, baselines);
  // A command sweep's program reads its own data: no record count to check there.
  checkExclusive(p, cmd ? undefined : data, train, parameters, baselines, pretrain);
  if (parameters && seeds && baselines && (method === 'grid' || method === 'random')) {
    const runCap = int(raw.run_cap, 1) ? raw.run_cap : undefined;
    if (raw.run_cap === undefined || runCap !== undefined) {
      crossCheck(p, { method, run_cap: runCap, parameters, seeds, baselines });
    }
  }
  if (
    p.list.length > 0 ||
    (!preset && !model.path && !cmd) ||
    !data ||
    !parameters ||
    !seeds ||
    !baselines ||
    pretrain === undefined
  ) {
    return { ok: false, problems: p.list };
  }
  const spec: SweepSpec = {
    name,
    method: method as SweepSpec['method'],
    random_seed: (raw.random_seed as number | undefined) ?? 0,
    // A command sweep may name no preset: its runs are the program's; the planner still needs one to fill defaults.
    model: model.path
      ? { path: model.path }
      : { preset: preset ?? 'nano', ...(model.base ? { base: model.base } : {}) },
    data,
    pretrain,
    train,
    parameters,
    seeds,
    baselines,
    ...(typeof raw.description === 'string' ? { description: raw.description } : {}),
    ...(raw.run_cap !== undefined ? { run_cap: raw.run_cap as number } : {}),
    ...(cmd?.command ? { command: { ...cmd.command, ...(preset ? { preset: true } : {}) } } : {}),
    ...(executor ? { executor } : {}),
  };
  return { ok: true, spec };
}

/** Put a command sweep's pass-through keys back beside the checked ones; parameters keep their written order. */
function mergePassThrough(
  cmd: SplitCommandSpec,
  written: Record<string, unknown>,
  train: TrainOverrides,
  parameters: Record<string, ParameterSpec>,
  baselines: BaselineSpec[],
): void {
  inWrittenOrder(train as Record<string, unknown>, cmd.train, written.train);
  inWrittenOrder(parameters, cmd.parameters, written.parameters);
  baselines.forEach((b, i) => {
    const pass = cmd.baselines[i];
    const raw = Array.isArray(written.baselines) ? written.baselines[i] : undefined;
    if (!pass) return;
    inWrittenOrder(b.overrides as Record<string, unknown>, pass.fixed, raw);
    if (Object.keys(pass.grid).length) b.parameters = { ...b.parameters, ...pass.grid };
  });
}

/** Add `extra` to `target` (in place), all keys in the order `raw` wrote them (aliases by their canonical key). */
function inWrittenOrder(target: Record<string, unknown>, extra: Record<string, unknown>, raw: unknown): void {
  const merged: Record<string, unknown> = { ...target, ...extra };
  for (const k of Object.keys(target)) delete target[k];
  for (const k of isMapping(raw) ? Object.keys(raw) : []) {
    const key = k in merged ? k : (CONFIG_ALIASES[k] ?? k);
    if (key in merged && !(key in target)) target[key] = merged[key];
  }
  for (const [k, v] of Object.entries(merged)) if (!(k in target)) target[k] = v;
}

function checkPretrain(p: Problems, raw: unknown, preset?: Preset): PretrainSpec | undefined {
  if (!isMapping(raw)) return void p.add('pretrain', 'expected a mapping { steps, ... }');
  const { steps, seed, data, ...rest } = raw;
  const overrides = checkOverrides(p, rest, 'pretrain', PRETRAIN_KEYS, preset, (k) =>
    LISA_KEYS.includes(k) || LORA_KEYS.includes(k)
      ? 'not used by the pretrain stage (it trains all weights)'
      : undefined,
  );
  const s =
    steps === undefined ? void p.add('pretrain.steps', 'required') : checkValue(p, 'steps', steps, 'pretrain.steps');
  if (seed !== undefined && !int(seed, 0)) p.add('pretrain.seed', 'expected a whole number ≥ 0');
  const d = checkData(p, data ?? { preset: 'pretrain' }, 'pretrain.data');
  if (s === undefined || !d) return undefined;
  return { steps: s as number, seed: int(seed, 0) ? seed : 0, data: d, overrides };
}

/** `executor: { kind: local | slurm, ...Slurm options }` (lib/scheduler/slurm-options.ts). */
function checkExecutor(p: Problems, raw: unknown): ExecutorSpec | undefined {
  if (!isMapping(raw)) return void p.add('executor', 'expected a mapping { kind: slurm, partition, ... }');
  const problems = checkExecutorSpec(raw);
  for (const [key, message] of problems) p.add(join('executor', key), message);
  return problems.length === 0 ? ({ kind: 'local', ...raw } as ExecutorSpec) : undefined;
}

function checkSeeds(p: Problems, raw: unknown): number[] | undefined {
  if (!Array.isArray(raw) || raw.length === 0) return void p.add('seeds', 'expected a non-empty list of whole numbers');
  const before = p.list.length;
  raw.forEach((s, i) => {
    if (!int(s, 0)) p.add(join('seeds', i), 'expected a whole number ≥ 0');
    else if (raw.indexOf(s) !== i) p.add(join('seeds', i), `seed ${s} listed twice`);
  });
  return p.list.length === before ? (raw as number[]) : undefined;
}

function checkBaselines(p: Problems, raw: unknown, preset?: Preset): BaselineSpec[] | undefined {
  if (!Array.isArray(raw))
    return void p.add('baselines', 'expected a list, e.g. [{ method: full }, { method: lora, rank: 8 }]');
  const out: BaselineSpec[] = [];
  raw.forEach((b, i) => {
    const path = join('baselines', i);
    if (!isMapping(b)) return p.add(path, 'expected a mapping { method, ... }');
    const { method, name, rest, problem } = baselineMethod(b);
    if (problem) return p.add(path, problem);
    if (!METHODS.includes(method as Method))
      return p.add(join(path, 'method'), `expected one of ${METHODS.join(', ')}`);
    if (name !== undefined && typeof name !== 'string') p.add(join(path, 'name'), 'expected text');
    const refuse = (k: string) => (keyAppliesTo(k, method as Method) ? undefined : `not used by ${method} runs`);
    // `lr: { values: [...] }` is this baseline's own grid; plain values are fixed settings.
    const isGrid = (v: unknown) => isMapping(v) && 'values' in v;
    const fixed = Object.fromEntries(Object.entries(rest).filter(([, v]) => !isGrid(v)));
    const grid = Object.fromEntries(Object.entries(rest).filter(([, v]) => isGrid(v)));
    const overrides = checkOverrides(p, fixed, path, TRAIN_KEYS, preset, refuse);
    const parameters = checkBaselineGrid(p, grid, path, preset, refuse);
    out.push({
      method: method as Method,
      overrides,
      ...(typeof name === 'string' ? { name } : {}),
      ...(Object.keys(parameters).length ? { parameters } : {}),
    });
  });
  return out.length === raw.length ? out : undefined;
}

/** A baseline's method: `method`, or ms-swift's / LMFlow's switches (`sft_type: lora`, `use_lisa: 1`). */
function baselineMethod(b: Record<string, unknown>): {
  method?: unknown;
  name?: unknown;
  rest: Record<string, unknown>;
  problem?: string;
} {
  const { method, name, ...rest } = b;
  const switches = Object.fromEntries(METHOD_SWITCHES.filter((k) => k in rest).map((k) => [k, rest[k]]));
  if (Object.keys(switches).length === 0) return { method, name, rest };
  for (const k of Object.keys(switches)) delete rest[k];
  const raw: Record<string, unknown> = method === undefined ? {} : { method };
  const written: Record<string, string> = {};
  if (typeof rest.lisa_activated_layers === 'number') {
    raw.gamma = rest.lisa_activated_layers;
    written.gamma = 'lisa_activated_layers';
  }
  const { errors } = resolveDialect({ raw, written, switches, ignored: [] });
  if (errors.length) return { name, rest, problem: errors.join('; ') };
  if (written.gamma && raw.gamma === undefined) delete rest.lisa_activated_layers;
  return { method: raw.method, name, rest };
}

function checkBaselineGrid(
  p: Problems,
  raw: Record<string, unknown>,
  path: string,
  preset: Preset | undefined,
  refuse: (key: string) => string | undefined,
): Record<string, ParameterSpec> {
  const { value, written, clashes } = resolveAliases(raw);
  for (const [alias, canonical] of clashes) p.add(join(path, alias), `same setting as ${canonical}, given twice`);
  const out: Record<string, ParameterSpec> = {};
  for (const [key, spec] of Object.entries(value)) {
    const at = join(path, written[key] ?? key);
    if (key in STRUCTURAL_KEYS) p.add(at, `not allowed here: ${STRUCTURAL_KEYS[key]}`);
    else if (refuse(key)) p.add(at, refuse(key)!);
    else if (!TRAIN_KEYS.includes(key)) p.unknownKey(path, written[key] ?? key, TRAIN_KEYS);
    else {
      const parsed = checkParameter(p, key, spec, at, false, preset, written[key]);
      if (parsed) out[key] = parsed;
    }
  }
  return out;
}

function checkParameters(
  p: Problems,
  raw: unknown,
  random: boolean,
  preset?: Preset,
): Record<string, ParameterSpec> | undefined {
  if (raw == null || (isMapping(raw) && Object.keys(raw).length === 0)) {
    return void p.add('parameters', 'empty grid: give at least one parameter, e.g. gamma: { values: [1, 2] }');
  }
  if (!isMapping(raw)) return void p.add('parameters', 'expected a mapping like gamma: { values: [1, 2] }');
  const { value: params, written, clashes } = resolveAliases(raw);
  for (const [alias, canonical] of clashes)
    p.add(join('parameters', alias), `same parameter as ${canonical}, given twice`);
  const out: Record<string, ParameterSpec> = {};
  let structural = true;
  for (const [key, spec] of Object.entries(params)) {
    const path = join('parameters', written[key] ?? key);
    const parsed =
      key in STRUCTURAL_KEYS
        ? void p.add(path, `not a sweep parameter: ${STRUCTURAL_KEYS[key]}`)
        : !TRAIN_KEYS.includes(key)
          ? void p.unknownKey('parameters', written[key] ?? key, TRAIN_KEYS)
          : checkParameter(p, key, spec, path, random, preset, written[key]);
    if (parsed) out[key] = parsed;
    else structural = false;
  }
  return structural ? out : undefined;
}

function checkParameter(
  p: Problems,
  key: string,
  raw: unknown,
  path: string,
  random: boolean,
  preset?: Preset,
  written?: string,
): ParameterSpec | undefined {
  if (!isMapping(raw)) return void p.add(path, 'expected { values: [...] }, { value: v } or { min, max } (random)');
  const kinds = ['values', 'value', 'min'].filter((k) => k in raw);
  if (kinds.length !== 1) return void p.add(path, 'give exactly one of values, value, or min/max');
  if ('values' in raw) {
    if (!p.onlyKeys(raw, path, ['values'])) return undefined;
    if (!Array.isArray(raw.values) || raw.values.length === 0) {
      return void p.add(join(path, 'values'), 'expected a non-empty list (an empty list leaves the grid with no runs)');
    }
    const values = raw.values.map((v, i) => checkValue(p, key, v, join(join(path, 'values'), i), preset, written));
    // Invalid values are reported; the list still counts toward the grid size below.
    return { values: values.every((v) => v !== undefined) ? (values as ParamValue[]) : (raw.values as ParamValue[]) };
  }
  if ('value' in raw) {
    if (!p.onlyKeys(raw, path, ['value'])) return undefined;
    const v = checkValue(p, key, raw.value, join(path, 'value'), preset, written);
    return { value: v === undefined ? (raw.value as ParamValue) : v };
  }
  if (!p.onlyKeys(raw, path, ['min', 'max', 'distribution'])) return undefined;
  if (!random) return void p.add(path, 'a min/max range needs method: random (a grid takes values)');
  const distribution = (raw.distribution ?? 'uniform') as Distribution;
  if (!DISTRIBUTIONS.includes(distribution)) {
    return void p.add(join(path, 'distribution'), `expected one of ${DISTRIBUTIONS.join(', ')}`);
  }
  const min = checkValue(p, key, raw.min, join(path, 'min'), preset, written);
  const max = checkValue(p, key, raw.max, join(path, 'max'), preset, written);
  if (typeof min !== 'number' || typeof max !== 'number') {
    if (min !== undefined || max !== undefined) p.add(path, 'a range needs numeric min and max');
    return undefined;
  }
  if (min > max) return void p.add(path, `min ${min} is above max ${max}`);
  if (distribution === 'log_uniform_values' && min <= 0) {
    return void p.add(join(path, 'min'), 'log_uniform_values needs min > 0');
  }
  return { min, max, distribution };
}

function crossCheck(p: Problems, s: SpaceSpec): void {
  const loraBaselines = s.baselines.filter((b) => b.method === 'lora');
  for (const key of Object.keys(s.parameters).filter((k) => LORA_KEYS.includes(k))) {
    if (s.method === 'random') {
      p.add(join('parameters', key), `a random search varies LISA runs only; set ${key} on a LoRA baseline`);
    } else if (!loraBaselines.some((b) => !(key in b.overrides) && !(key in (b.parameters ?? {})))) {
      p.add(join('parameters', key), 'applies to LoRA runs only, and no LoRA baseline leaves it open');
    }
  }
  const n = countRuns(s);
  const breakdown = `${n.settings} LISA settings + ${n.baselineRuns} baseline runs, × ${n.seeds} seeds`;
  if (s.method === 'random') {
    if (s.run_cap === undefined) return p.add('run_cap', 'method random needs run_cap (how many runs to draw)');
    if (s.run_cap > MAX_RUNS) return p.add('run_cap', `${s.run_cap} is over the maximum of ${MAX_RUNS} runs per sweep`);
    if (n.settings === 0) {
      p.add(
        'run_cap',
        `${s.run_cap} leaves no room for random settings after ${n.baselineRuns} baselines × ${n.seeds} seeds`,
      );
    }
    return;
  }
  if (n.total > MAX_RUNS) {
    p.add('parameters', `grid has ${n.total} runs (${breakdown}), over the maximum of ${MAX_RUNS} per sweep`);
  } else if (s.run_cap !== undefined && n.total > s.run_cap) {
    p.add('run_cap', `grid has ${n.total} runs (${breakdown}), over run_cap ${s.run_cap}`);
  }
}

/**
 * `save_hf` writes a Hugging Face folder, so it needs `model.path`; in a sweep it is `true` (each run's `hf/`
 * folder), never a path every run would write over. `merge_lora` belongs on a LoRA baseline. `epochs` over text
 * needs the model's tokenizer to count windows, which the planner does not load: steps there. `template` is alpaca
 * or chat there (a template file belongs in the model folder's tokenizer_config.json).
 */
function checkHfKeys(
  p: Problems,
  hasModel: boolean,
  data: DataSpec | undefined,
  train: Record<string, unknown>,
  parameters: Record<string, ParameterSpec>,
  baselines: BaselineSpec[],
): void {
  const blocks: [string, Record<string, unknown>][] = [
    ['train', train],
    ['parameters', parameters],
    ...baselines.map((b, i): [string, Record<string, unknown>] => [
      join('baselines', i),
      { ...b.overrides, ...b.parameters },
    ]),
  ];
  for (const [at, block] of blocks) {
    if ('save_hf' in block) {
      const v = block.save_hf;
      if (at === 'parameters') p.add(join(at, 'save_hf'), 'not a sweep parameter: set save_hf: true under train');
      else if (!hasModel) p.add(join(at, 'save_hf'), 'writes a Hugging Face folder: it needs model.path');
      else if (typeof v !== 'boolean') {
        p.add(join(at, 'save_hf'), "in a sweep save_hf is true (into each run's folder, hf/) or false, not a path");
      }
    }
    const text = data && ('preset' in data ? data.preset === 'pretrain' : data.path.toLowerCase().endsWith('.txt'));
    if ('epochs' in block && hasModel && text) {
      p.add(
        join(at, 'epochs'),
        "over text a model's tokenizer decides how many windows there are, counted only when a run starts: give steps",
      );
    }
    if ('template' in block) {
      const v = block.template;
      if (!hasModel) p.add(join(at, 'template'), "formats records with a model's tokenizer: it needs model.path");
      else if (v !== 'alpaca' && v !== 'chat') {
        p.add(join(at, 'template'), "in a sweep template is alpaca or chat (the model folder's chat_template)");
      } else if (text) p.add(join(at, 'template'), 'formats .json / .jsonl records: the data is text');
    }
    if ('merge_lora' in block && !at.startsWith('baselines')) {
      p.add(join(at, 'merge_lora'), 'set merge_lora on the LoRA baseline: { method: lora, merge_lora: true }');
    }
  }
}

/** Keys one run's config may not hold together (the trainer refuses both). */
const EXCLUSIVE: [string, string][] = [
  ['steps', 'epochs'],
  ['warmup', 'warmup_ratio'],
];

/**
 * Each run's config merges `train` with the grid (LISA runs) or with one baseline: no such merge may hold both keys
 * of an EXCLUSIVE pair, nor `epochs` over the endless `instruct` preset.
 */
function checkExclusive(
  p: Problems,
  data: DataSpec | undefined,
  train: Record<string, unknown>,
  parameters: Record<string, ParameterSpec> | undefined,
  baselines: BaselineSpec[] | undefined,
  pretrain: PretrainSpec | null | undefined,
): void {
  type Block = [path: string, keys: string[]];
  const trainBlock: Block = ['train', Object.keys(train)];
  const scopes: Block[][] = [
    [trainBlock, ['parameters', Object.keys(parameters ?? {})]],
    ...(baselines ?? []).map((b, i): Block[] => [
      trainBlock,
      [join('baselines', i), [...Object.keys(b.overrides), ...Object.keys(b.parameters ?? {})]],
    ]),
  ];
  if (pretrain) scopes.push([['pretrain', ['steps', ...Object.keys(pretrain.overrides)]]]);
  const seen = new Set<string>();
  const add = (path: string, message: string) => {
    if (!seen.has(path)) p.add(path, message);
    seen.add(path);
  };
  for (const blocks of scopes) {
    const where = (key: string) => blocks.find(([, keys]) => keys.includes(key))?.[0];
    for (const [a, b] of EXCLUSIVE) {
      const [at, bt] = [where(a), where(b)];
      if (at && bt) add(join(bt, b), `give ${a} or ${b}, not both (${join(at, a)} is set)`);
    }
    const epochs = where('epochs');
    const fixedAt = where('fixed_blocks');
    if (fixedAt && blocks[1]?.[0] === 'parameters') {
      const axis = parameters?.sampling;
      const rules = axis && 'values' in axis ? axis.values : axis && 'value' in axis ? [axis.value] : [train.sampling];
      const i = rules.findIndex((r) => r !== 'fixed');
      const other = rules[i] ?? 'uniform';
      if (i >= 0)
        add(
          join(fixedAt, 'fixed_blocks'),
          `only sampling fixed uses fixed_blocks; runs with sampling ${other} would refuse it`,
        );
    }
    const d = blocks[0][0] === 'pretrain' ? pretrain?.data : data;
    if (epochs && d && 'preset' in d && d.preset === 'instruct') {
      add(
        join(epochs, 'epochs'),
        'epochs needs data of a known size: the instruct preset draws new records at every step; give steps',
      );
    }
  }
}
