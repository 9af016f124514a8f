/**
 * A pasted ms-swift or LMFlow command line (or several: the article's LISA, full and LoRA runs) → a sweep spec
 * draft the user then gives axes to (docs/sweep-spec.md, "From a pasted command"). Each command's flags mean what
 * `npm run train -- <its flags>` means (lib/protocol/flags.ts + dialects.ts), with the tool's own default for the
 * method switch it leaves out (ms-swift: sft_type lora). The first LISA command is the grid (γ and K as one-value
 * axes, its other settings in `train`); every other command is a baseline with the settings that differ.
 * Nothing is stored.
 */
import { stringify } from 'yaml';
import { AppError, type Problem } from '../errors';
import { MODEL_PRESETS, type Preset, PRESETS } from '../protocol/config';
import { type MethodSwitch, ignoredWarning, resolveDialect } from '../protocol/dialects';
import { FlagError, readFlags } from '../protocol/flags';
import { shellWords } from './shell-words';
import { validateSweepSpec } from './validate';

export type Tool = 'ms-swift' | 'lmflow';

export interface PastedRun {
  /** Line of the text where the command starts. */
  line: number;
  tool: Tool | null;
  method: string;
  /** The run-config keys the command sets (LayerLab names), the method included. */
  config: Record<string, unknown>;
}

export interface FromCommand {
  /** The sweep spec draft (JSON), and the same as YAML. */
  spec: Record<string, unknown>;
  yaml: string;
  runs: PastedRun[];
  /** At most one: the flags without meaning here, from every command. Then other warnings (seq capped, ...). */
  warnings: string[];
  /** What was read past (launchers, other commands, redirections). */
  notes: string[];
  /** What the draft still lacks to be a valid spec (e.g. model.preset), as POST /api/sweeps would list it. */
  problems: Problem[];
}

/** The tool a command belongs to, from its program or its flags. */
function toolOf(program: string, flags: readonly string[]): Tool | null {
  const names = new Set(flags.filter((f) => f.startsWith('--')).map((f) => f.slice(2).split('=')[0]));
  if (/(^|\/)(swift|\w*sft\.py)$/.test(program) || ['sft_type', 'lisa_step_interval'].some((n) => names.has(n)))
    return 'ms-swift';
  if (
    /finetune\w*\.(py|sh)$/.test(program) ||
    ['use_lisa', 'use_lora', 'lisa_interval_steps'].some((n) => names.has(n))
  )
    return 'lmflow';
  return null;
}

/** Where a command's flags start: after its script (`sft.py`, `swift sft`, `finetune.py`), or at its first flag. */
function programIndex(words: readonly string[]): number {
  const script = words.findIndex((w, i) => /\.py$/.test(w) || (w === 'sft' && /(^|\/)swift$/.test(words[i - 1] ?? '')));
  return script >= 0 ? script : words.findIndex((w) => w.startsWith('--')) - 1;
}

const GRID_KEYS = ['gamma', 'interval'];
const RUN_KEYS = ['method', 'preset', 'data', 'seed', 'out', 'base', 'stage'];

export function specFromCommand(text: string): FromCommand {
  const shell = shellWords(text);
  const problems: Problem[] = shell.problems.map((message) => ({ path: 'command', message }));
  const notes = [...shell.notes];
  const runs: PastedRun[] = [];
  const ignored: string[] = [];
  const warnings: string[] = [];
  let preset: Preset | undefined;
  let data: unknown;
  let seed: unknown;
  for (const { words, line } of shell.commands) {
    const at = programIndex(words);
    if (at < 0 && !words.some((w) => w.startsWith('--'))) {
      notes.push(`line ${line}: not a training command, not read: ${words.join(' ').slice(0, 80)}`);
      continue;
    }
    if (at > 0) notes.push(`line ${line}: launcher words not read: ${words.slice(0, at).join(' ').slice(0, 80)}`);
    const flags = words.slice(at + 1);
    const tool = toolOf(words[at] ?? '', flags);
    let read: ReturnType<typeof readFlags>;
    try {
      read = readFlags(flags, { names: ['preset', 'data'], takesValue: ['preset', 'data'] });
    } catch (e) {
      if (!(e instanceof FlagError)) throw e;
      problems.push({ path: 'command', message: `line ${line}: ${e.message}` });
      continue;
    }
    const raw = read.values;
    const toolDefaults: Partial<Record<MethodSwitch, unknown>> = tool === 'ms-swift' ? { sft_type: 'lora' } : {};
    const dialect = resolveDialect({
      raw,
      written: read.written,
      switches: read.switches,
      ignored: read.ignored,
      toolDefaults,
    });
    for (const message of dialect.errors) problems.push({ path: 'command', message: `line ${line}: ${message}` });
    for (const i of dialect.ignored) if (!ignored.includes(i)) ignored.push(i);
    if (read.options.preset !== undefined) {
      const p = String(read.options.preset);
      if ((PRESETS as readonly string[]).includes(p)) preset = p as Preset;
      else
        problems.push({
          path: 'command',
          message: `line ${line}: --preset ${p}: expected one of ${PRESETS.join(', ')}`,
        });
    }
    if (read.options.data !== undefined) data = read.options.data;
    if (raw.seed !== undefined) seed = raw.seed;
    const toolSeq = read.written.seq;
    const ctx = preset ? MODEL_PRESETS[preset].ctx : undefined;
    if (toolSeq && ctx !== undefined && typeof raw.seq === 'number' && raw.seq > ctx) {
      warnings.push(`line ${line}: ${toolSeq} ${raw.seq} is over the context of preset ${preset}: seq ${ctx}`);
      raw.seq = ctx;
    }
    runs.push({ line, tool, method: String(raw.method ?? 'full'), config: { ...raw, method: raw.method ?? 'full' } });
  }
  if (problems.length)
    throw new AppError('invalid_spec', `the pasted command has ${problems.length} problem(s)`, problems);
  if (runs.length === 0) {
    throw new AppError('invalid_spec', 'no training command found', [
      { path: 'command', message: 'paste an ms-swift or LMFlow command line (sft.py …, finetune.py …)' },
    ]);
  }
  const spec = draft(runs, { preset, data, seed });
  const warning = ignoredWarning(ignored);
  const parsed = validateSweepSpec(spec);
  return {
    spec,
    yaml: stringify(spec),
    runs,
    warnings: [...(warning ? [warning] : []), ...warnings],
    notes,
    problems: parsed.ok ? [] : parsed.problems,
  };
}

function draft(runs: PastedRun[], s: { preset?: Preset; data?: unknown; seed?: unknown }): Record<string, unknown> {
  const grid = runs.find((r) => r.method === 'lisa') ?? runs[0];
  const shared = (r: PastedRun) =>
    Object.fromEntries(Object.entries(r.config).filter(([k]) => !RUN_KEYS.includes(k) && !GRID_KEYS.includes(k)));
  const train = shared(grid);
  const parameters: Record<string, unknown> = {};
  if (grid.method === 'lisa') {
    for (const k of GRID_KEYS) if (grid.config[k] !== undefined) parameters[k] = { values: [grid.config[k]] };
    if (!('gamma' in parameters)) parameters.gamma = { values: [2] };
  }
  const baselines = runs
    .filter((r) => r !== grid)
    .map((r) => {
      const own = Object.entries(
        r.method === 'lisa' ? { ...shared(r), gamma: r.config.gamma, interval: r.config.interval } : shared(r),
      );
      const differs = own.filter(([k, v]) => v !== undefined && JSON.stringify(train[k]) !== JSON.stringify(v));
      return { method: r.method, ...Object.fromEntries(differs) };
    });
  if (grid.method !== 'lisa') baselines.unshift({ method: grid.method });
  return {
    name: `pasted ${runs[0].tool ?? 'command'}`,
    ...(s.preset ? { model: { preset: s.preset } } : {}),
    ...(s.data !== undefined ? { data: s.data } : {}),
    train,
    parameters,
    ...(typeof s.seed === 'number' ? { seeds: [s.seed] } : {}),
    baselines,
  };
}
