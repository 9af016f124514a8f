/**
 * Command sweeps (docs/command-sweeps.md): a spec with `program` or `command` runs the researcher's own program,
 * one process per planned run, with the run's parameters rendered into its argument vector the way W&B's sweep
 * configuration does (`${env} ${interpreter} ${program} ${args}`, …) plus LayerLab's `${run_dir}` and `${seed}`.
 *
 * Here: the command keys' validation (unlike the rest of lib/sweep it looks at the disk: the program file and the
 * working folder must exist), the pass-through of keys that are not LayerLab run-config keys (the program owns its
 * flags), which parameters a run passes, and the rendering. Pure otherwise; the scheduler adds the environment.
 */
import fs from 'node:fs';
import path from 'node:path';
import { CONFIG_ALIASES } from '@/lib/protocol/config';
import { ARGS_FILE } from '../runs/layout';
import { CONFIG_KEYS } from './keys';
import { isMapping, join, type Problems } from './fields';
import type { ParamValue, ParameterSpec } from './types';

/** Top-level spec keys of a command sweep. */
export const COMMAND_KEYS = ['program', 'command', 'workdir', 'env', 'interpreter'] as const;

/** W&B's default command. */
export const DEFAULT_COMMAND = ['${env}', '${interpreter}', '${program}', '${args}'];

export const MACROS = [
  'env',
  'interpreter',
  'program',
  'args',
  'args_no_hyphens',
  'args_json',
  'args_json_file',
  'run_dir',
  'seed',
] as const;
/** Macros that expand to several arguments: each must be a list item of its own. */
const SPREAD_MACROS = ['args', 'args_no_hyphens'];

/** Debian's Python (with torch) when there is one; else whatever `python3` the PATH finds. */
export const SYSTEM_PYTHON = '/usr/bin/python3';

/** The validated command part of a spec (SweepSpec.command). */
export interface CommandSpec {
  /** As written; relative to `workdir` unless absolute. */
  program?: string;
  command: string[];
  /** Absolute: the processes' working folder, and what a relative `program` is resolved against. */
  workdir: string;
  /** `${interpreter}`; default: a Python for a .py program, nothing otherwise. */
  interpreter?: string;
  env: Record<string, string>;
  /** `model:` as free text (shown with the runs; not passed unless you pass it yourself). */
  model?: string;
  /** The spec named a LayerLab model preset (`model: { preset }`): its runs' configs record it. */
  preset?: boolean;
  /** Canonical run-config key → the alias the spec wrote (`gamma` → `lisa_activated_layers`). */
  spelling: Record<string, string>;
}

const MACRO = /\$\{([^}]*)\}/g;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Whether a parsed spec asks for a command sweep. */
export const isCommandSpec = (raw: Record<string, unknown>): boolean => 'program' in raw || 'command' in raw;

/** Not a LayerLab run-config key (nor an alias of one): a command sweep passes it through as written. */
export const isPassThroughKey = (key: string): boolean => !CONFIG_KEYS.includes(CONFIG_ALIASES[key] ?? key);

/** The interpreter `${interpreter}` gives a program, or '' for none. */
export function interpreterFor(spec: Pick<CommandSpec, 'program' | 'interpreter'>, hasSystemPython: boolean): string {
  if (spec.interpreter) return spec.interpreter;
  if (spec.program?.endsWith('.py')) return hasSystemPython ? SYSTEM_PYTHON : 'python3';
  return '';
}

const scalar = (v: unknown) =>
  typeof v === 'string' || typeof v === 'boolean' || (typeof v === 'number' && Number.isFinite(v));

/** A pass-through value: text, a finite number, a boolean, or a list of those. */
function checkPassValue(p: Problems, v: unknown, at: string): boolean {
  if (scalar(v) || (Array.isArray(v) && v.every(scalar))) return true;
  p.add(at, 'expected text, a number, true/false, or a list of those (passed to your program as written)');
  return false;
}

/** A pass-through sweep parameter: `{ values }`, `{ value }` or a numeric `{ min, max, distribution? }`. */
function checkPassParameter(p: Problems, raw: unknown, at: string, random: boolean): ParameterSpec | undefined {
  if (!isMapping(raw)) return void p.add(at, 'expected { values: [...] }, { value: v } or { min, max } (random)');
  if ('values' in raw) {
    if (!Array.isArray(raw.values) || raw.values.length === 0)
      return void p.add(join(at, 'values'), 'expected a non-empty list');
    const ok = raw.values.map((v, i) => checkPassValue(p, v, join(join(at, 'values'), i))).every(Boolean);
    return ok ? { values: raw.values as ParamValue[] } : undefined;
  }
  if ('value' in raw)
    return checkPassValue(p, raw.value, join(at, 'value')) ? { value: raw.value as ParamValue } : undefined;
  if (!random) return void p.add(at, 'a min/max range needs method: random (a grid takes values)');
  const { min, max, distribution = 'uniform' } = raw;
  if (typeof min !== 'number' || typeof max !== 'number' || min > max)
    return void p.add(at, 'a range needs numeric min ≤ max');
  if (!['uniform', 'int_uniform', 'log_uniform_values'].includes(distribution as string))
    return void p.add(join(at, 'distribution'), 'expected uniform, int_uniform or log_uniform_values');
  return { min, max, distribution: distribution as 'uniform' };
}

/** Keys of a block that are pass-through, taken out of `block` (which is copied). */
function takePassThrough(block: Record<string, unknown>): [Record<string, unknown>, Record<string, unknown>] {
  const rest: Record<string, unknown> = {};
  const pass: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(block)) (isPassThroughKey(k) ? pass : rest)[k] = v;
  return [rest, pass];
}

export interface SplitCommandSpec {
  /** The spec without the command keys and pass-through keys, for the ordinary validation. */
  rest: Record<string, unknown>;
  /** Undefined when the command keys have problems. */
  command?: CommandSpec;
  /** Pass-through keys, checked, to merge back into the validated spec (in their written order). */
  train: Record<string, ParamValue>;
  parameters: Record<string, ParameterSpec>;
  baselines: { fixed: Record<string, ParamValue>; grid: Record<string, ParameterSpec> }[];
}

/**
 * Check a command spec's own keys and take its pass-through keys out. `cwd` is the default workdir (the server's
 * working folder). Problems go to `p`.
 */
export function splitCommandSpec(p: Problems, raw: Record<string, unknown>, cwd: string): SplitCommandSpec {
  const { program, command, workdir, env, interpreter, model, pretrain, data, ...rest } = raw;
  const before = p.list.length;
  if (pretrain != null)
    p.add('pretrain', 'a command sweep runs your program only: pretrain in it, or pass a base model as a parameter');
  if (data !== undefined)
    p.add('data', "a command sweep does not read LayerLab's data: pass your data set as a parameter (train: …)");

  let wd: string | undefined = cwd;
  if (workdir !== undefined) {
    wd = undefined;
    if (typeof workdir !== 'string' || !path.isAbsolute(workdir)) p.add('workdir', 'expected an absolute folder path');
    else if (!isDir(workdir)) p.add('workdir', `no such folder: ${workdir}`);
    else wd = path.resolve(workdir);
  }
  let prog: string | undefined;
  if (program !== undefined) {
    if (typeof program !== 'string' || !program.trim() || program.includes('\0'))
      p.add('program', 'expected a file path (relative to workdir, or absolute)');
    else {
      prog = program;
      const abs = wd === undefined ? null : path.resolve(wd, program);
      if (abs && !isFile(abs))
        p.add('program', `no such file: ${abs}${path.isAbsolute(program) ? '' : ` (relative to ${wd})`}`);
    }
  }
  let interp: string | undefined;
  if (interpreter !== undefined) {
    if (typeof interpreter !== 'string' || !interpreter.trim()) p.add('interpreter', 'expected a program name or path');
    else interp = interpreter;
  }
  const cmd = command === undefined ? DEFAULT_COMMAND : command;
  if (!Array.isArray(cmd) || cmd.length === 0) {
    p.add(
      'command',
      typeof cmd === 'string'
        ? 'expected a list of strings (an argument vector, never a shell line), e.g. ' +
            '[${env}, ${interpreter}, ${program}, ${args}]'
        : 'expected a non-empty list of strings, e.g. [${env}, ${interpreter}, ${program}, ${args}]',
    );
  } else {
    cmd.forEach((item, i) => {
      const at = join('command', i);
      if (typeof item !== 'string') return p.add(at, 'expected text');
      for (const m of item.matchAll(MACRO)) {
        const name = m[1];
        if (!(MACROS as readonly string[]).includes(name))
          p.add(at, `unknown macro \${${name}} (known: ${MACROS.map((x) => `\${${x}}`).join(', ')})`);
        else if (SPREAD_MACROS.includes(name) && item !== m[0])
          p.add(at, `\${${name}} expands to several arguments: give it as a list item of its own`);
        else if (name === 'program' && program === undefined)
          p.add(at, '${program} is used but the spec has no program');
        else if (name === 'interpreter' && program === undefined && interpreter === undefined)
          p.add(at, '${interpreter} is used but the spec has neither program nor interpreter');
      }
    });
    if (cmd[0] === '') p.add(join('command', 0), 'the program to run is empty');
  }
  const envOut: Record<string, string> = {};
  if (env !== undefined) {
    if (!isMapping(env)) p.add('env', 'expected a mapping of variable names to text');
    else
      for (const [k, v] of Object.entries(env)) {
        const at = join('env', k);
        if (!ENV_NAME.test(k)) p.add(at, 'not a variable name');
        else if (k.startsWith('LAYERLAB_')) p.add(at, 'LAYERLAB_* variables are set by the server');
        else if (typeof v !== 'string') p.add(at, `expected text (quote it: "${String(v)}")`);
        else envOut[k] = v;
      }
  }
  let modelText: string | undefined;
  if (model !== undefined) {
    if (typeof model === 'string' && model.trim()) modelText = model;
    else if (isMapping(model)) {
      if (model.base !== undefined)
        p.add('model.base', 'a command sweep does not hand a checkpoint to your program: pass it as a parameter');
      rest.model = { ...model, base: undefined };
    } else p.add('model', 'expected a name (free text) or { preset }');
  }

  // Pass-through keys out of train, parameters and baselines; aliases' spellings kept for ${args}.
  const spelling: Record<string, string> = {};
  const spell = (block: Record<string, unknown>) => {
    for (const k of Object.keys(block)) if (CONFIG_ALIASES[k]) spelling[CONFIG_ALIASES[k]] = k;
  };
  const random = (raw.method ?? 'grid') === 'random';
  const train: Record<string, ParamValue> = {};
  if (isMapping(rest.train)) {
    spell(rest.train);
    const [known, pass] = takePassThrough(rest.train);
    rest.train = known;
    for (const [k, v] of Object.entries(pass)) if (checkPassValue(p, v, join('train', k))) train[k] = v as ParamValue;
  }
  const parameters: Record<string, ParameterSpec> = {};
  if (isMapping(rest.parameters)) {
    spell(rest.parameters);
    const [known, pass] = takePassThrough(rest.parameters);
    rest.parameters = known;
    for (const [k, v] of Object.entries(pass)) {
      const s = checkPassParameter(p, v, join('parameters', k), random);
      if (s) parameters[k] = s;
    }
  }
  const baselines: SplitCommandSpec['baselines'] = [];
  if (Array.isArray(rest.baselines)) {
    rest.baselines = rest.baselines.map((b, i) => {
      const out = { fixed: {} as Record<string, ParamValue>, grid: {} as Record<string, ParameterSpec> };
      baselines.push(out);
      if (!isMapping(b)) return b;
      spell(b);
      const [known, pass] = takePassThrough(b);
      for (const [k, v] of Object.entries(pass)) {
        const at = join(join('baselines', i), k);
        if (isMapping(v) && 'values' in v) {
          const s = checkPassParameter(p, v, at, false);
          if (s) out.grid[k] = s;
        } else if (checkPassValue(p, v, at)) out.fixed[k] = v as ParamValue;
      }
      return known;
    });
  }
  const spec: CommandSpec = {
    command: cmd as string[],
    workdir: wd ?? cwd,
    env: envOut,
    spelling,
    ...(prog !== undefined ? { program: prog } : {}),
    ...(interp !== undefined ? { interpreter: interp } : {}),
    ...(modelText !== undefined ? { model: modelText } : {}),
  };
  return { rest, command: p.list.length > before ? undefined : spec, train, parameters, baselines };
}

function isDir(p: string): boolean {
  try {
    return fs.statSync(p).isDirectory();
  } catch {
    return false;
  }
}

function isFile(p: string): boolean {
  try {
    return fs.statSync(p).isFile();
  } catch {
    return false;
  }
}

/** How one value is written into an argument: numbers and text as is, booleans true/false, lists as JSON. */
export function formatArg(v: ParamValue | unknown): string {
  if (Array.isArray(v)) return JSON.stringify(v);
  return String(v);
}

export interface RenderInput {
  spec: CommandSpec;
  /** The run's parameters in order, canonical keys (spelled with `spec.spelling`). */
  args: Record<string, unknown>;
  /** The run folder (a placeholder in a dry run). */
  runDir: string;
  seed: number;
  /** Whether /usr/bin/python3 exists (the default interpreter of .py programs). */
  hasSystemPython?: boolean;
}

/** The run's parameters under the names the spec wrote them with. */
export function spelledArgs(args: Record<string, unknown>, spelling: Record<string, string>): [string, unknown][] {
  return Object.entries(args).map(([k, v]) => [spelling[k] ?? k, v]);
}

/** The argument vector of one run. Never joined into a shell line: each item is one argument. */
export function renderCommand(input: RenderInput): string[] {
  const { spec } = input;
  const pairs = spelledArgs(input.args, spec.spelling);
  const hasPython = input.hasSystemPython ?? fs.existsSync(SYSTEM_PYTHON);
  const json = JSON.stringify(Object.fromEntries(pairs));
  const one: Record<string, string> = {
    env: '/usr/bin/env',
    interpreter: interpreterFor(spec, hasPython),
    program: spec.program ?? '',
    args_json: json,
    args_json_file: path.join(input.runDir, ARGS_FILE),
    run_dir: input.runDir,
    seed: String(input.seed),
  };
  const out: string[] = [];
  for (const item of spec.command) {
    if (item === '${args}') out.push(...pairs.map(([k, v]) => `--${k}=${formatArg(v)}`));
    else if (item === '${args_no_hyphens}') out.push(...pairs.map(([k, v]) => `${k}=${formatArg(v)}`));
    else if (item === '${interpreter}' && one.interpreter === '') continue;
    else out.push(item.replace(MACRO, (_, name: string) => one[name] ?? ''));
  }
  return out;
}

/** The parameters as one JSON object, for `${args_json_file}` (written into the run folder at each launch). */
export function argsJson(args: Record<string, unknown>, spelling: Record<string, string>): string {
  return `${JSON.stringify(Object.fromEntries(spelledArgs(args, spelling)), null, 2)}\n`;
}

/** An argument vector shown as one line (dry runs, the run page): quoted where a shell would need it. */
export function displayCommand(argv: string[]): string {
  return argv.map((a) => (/^[A-Za-z0-9_@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`)).join(' ');
}

/**
 * What `npm run sweep` sends for a spec file: a command sweep without `workdir` gets the file's folder (absolute),
 * so `program: train.py` beside the spec just works; any other spec, or one that does not parse, goes as written
 * (the server names its problems).
 */
export function withDefaultWorkdir(
  text: string,
  folder: string,
  parse: (text: string) => unknown,
): { body: string; contentType: 'application/json' } | null {
  let raw: unknown;
  try {
    raw = parse(text);
  } catch {
    return null;
  }
  if (!isMapping(raw) || !isCommandSpec(raw) || 'workdir' in raw) return null;
  return { body: JSON.stringify({ ...raw, workdir: path.resolve(folder) }), contentType: 'application/json' };
}
