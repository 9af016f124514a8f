/**
 * Command line → resolved TrainConfig. Flags override the --config JSON file; kebab-case flags map to
 * the schema's snake_case keys; LMFlow / ms-swift names are accepted as aliases; anything unknown is
 * an error. Every problem becomes a ConfigError with a one-line message (the CLI exits with code 2).
 */
import { existsSync, readFileSync } from 'node:fs';
import { CONFIG_ALIASES, trainConfigSchema, type TrainConfig } from '../lib/protocol/config';
import {
  ignoredWarning,
  METHOD_SWITCHES,
  NO_MEANING,
  resolveDialect,
  type MethodSwitch,
} from '../lib/protocol/dialects';

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

type FieldKind = 'number' | 'boolean' | 'array' | 'string';
const CLI_ONLY = new Set(['config', 'resume', 'help', 'force-backend', 'force_backend', 'dry-run', 'dry_run']);

function fieldKinds(): Map<string, FieldKind> {
  const kinds = new Map<string, FieldKind>();
  const shape = (
    trainConfigSchema as unknown as { shape: Record<string, { def: { type: string; innerType?: unknown } }> }
  ).shape;
  for (const [key, field] of Object.entries(shape)) {
    let t = field;
    while (t.def.type === 'default' || t.def.type === 'optional') t = t.def.innerType as typeof t;
    const type = t.def.type;
    kinds.set(
      key,
      type === 'number' ? 'number' : type === 'boolean' ? 'boolean' : type === 'array' ? 'array' : 'string',
    );
  }
  return kinds;
}

/**
 * `--lisa-interval-steps` / `lisa_interval_steps` / `optimizer-state` → the schema key, or null. An alias whose
 * key this trainer lacks gives `missing`.
 */
function canonicalKey(name: string, kinds = fieldKinds()): string | null | { missing: string } {
  const alias = CONFIG_ALIASES[name] ?? CONFIG_ALIASES[name.replace(/-/g, '_')];
  if (alias) return kinds.has(alias) ? alias : { missing: alias };
  const snake = name.replace(/-/g, '_');
  return kinds.has(snake) ? snake : null;
}

function coerce(_key: string, value: unknown, kind: FieldKind, where: string): unknown {
  if (typeof value !== 'string') return value; // from JSON: the schema checks the type
  if (kind === 'number') {
    const n = Number(value);
    if (value.trim() === '' || !Number.isFinite(n)) throw new ConfigError(`${where} expects a number, got '${value}'`);
    return n;
  }
  if (kind === 'boolean') {
    if (value === 'true' || value === '1') return true;
    if (value === 'false' || value === '0') return false;
    throw new ConfigError(`${where} expects true or false, got '${value}'`);
  }
  if (kind === 'array')
    return value
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
  return value;
}

export interface ParsedArgs {
  /** Schema keys given (file merged with flags, flags winning), not yet validated. */
  raw: Record<string, unknown>;
  /** Keys the user set explicitly (flags or file). */
  explicit: Set<string>;
  resume: boolean;
  /** `--force-backend`: a resume may run on another backend than the one the run started on. */
  forceBackend: boolean;
  help: boolean;
  /** `--dry-run`: print the resolved configuration and stop. */
  dryRun: boolean;
  /** The one warning listing ms-swift / LMFlow flags that mean nothing here. */
  warning?: string;
  /** Schema key → the ms-swift / LMFlow name it was given as (`seq` → `max_length`). */
  written: Record<string, string>;
}

export function parseArgs(argv: string[]): ParsedArgs {
  const kinds = fieldKinds();
  const flags: Record<string, unknown> = {};
  const written: Record<string, string> = {};
  const switches: Partial<Record<MethodSwitch, unknown>> = {};
  const ignored: string[] = [];
  let configFile: string | undefined;
  let resume = false;
  let forceBackend = false;
  let help = false;
  let dryRun = false;
  /** The values after a flag up to the next option (ms-swift lists: `--lora_target_modules q_proj v_proj`). */
  const rest = (i: number) => {
    let j = i + 1;
    while (j < argv.length && !argv[j].startsWith('--')) j++;
    return argv.slice(i + 1, j);
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith('--')) throw new ConfigError(`unexpected argument '${arg}' (options look like --name value)`);
    const eq = arg.indexOf('=');
    const name = arg.slice(2, eq < 0 ? undefined : eq);
    const inline = eq < 0 ? undefined : arg.slice(eq + 1);
    const next = () => {
      if (inline !== undefined) return inline;
      const v = argv[i + 1];
      if (v === undefined || (v.startsWith('--') && !/^--?\d/.test(v)))
        throw new ConfigError(`option --${name} needs a value`);
      i++;
      return v;
    };
    if (name === 'force-backend' || name === 'force_backend') {
      forceBackend = inline === undefined ? true : (coerce(name, inline, 'boolean', `--${name}`) as boolean);
      continue;
    }
    if (name === 'resume' || name === 'help') {
      if (name === 'resume')
        resume = inline === undefined ? true : (coerce(name, inline, 'boolean', '--resume') as boolean);
      else help = true;
      continue;
    }
    if (name === 'config') {
      configFile = next();
      continue;
    }
    if (name === 'dry-run' || name === 'dry_run') {
      dryRun = true;
      continue;
    }
    if (name in NO_MEANING || (METHOD_SWITCHES as readonly string[]).includes(name)) {
      const values = inline !== undefined ? [inline] : rest(i);
      i += inline !== undefined ? 0 : values.length;
      if (name in NO_MEANING) ignored.push(name);
      else switches[name as MethodSwitch] = values.length ? values.join(' ') : true;
      continue;
    }
    const key = canonicalKey(name, kinds);
    if (!key) throw new ConfigError(`unknown option --${name} (run with --help for the list)`);
    if (typeof key === 'object') {
      i += inline !== undefined ? 0 : rest(i).length;
      ignored.push(`${name} (no counterpart in this trainer yet: ${key.missing})`);
      continue;
    }
    const snake = name.replace(/-/g, '_');
    const spelling = snake !== key && CONFIG_ALIASES[snake] !== undefined ? snake : key;
    if (key in flags && (written[key] ?? key) !== spelling) {
      throw new ConfigError(`--${written[key] ?? key} and --${name} are two spellings of one setting: give one`);
    }
    if (spelling !== key) written[key] = spelling;
    else delete written[key];
    const kind = kinds.get(key)!;
    if (kind === 'boolean' && inline === undefined && !['true', 'false'].includes(argv[i + 1] ?? '')) flags[key] = true;
    else if (kind === 'array' && inline === undefined) {
      const values = rest(i);
      if (values.length === 0) throw new ConfigError(`option --${name} needs a value`);
      i += values.length;
      flags[key] = coerce(key, values.join(','), kind, `--${name}`);
    } else flags[key] = coerce(key, next(), kind, `--${name}`);
  }
  const fromFile = configFile ? readConfigFile(configFile, kinds) : {};
  const raw = { ...fromFile, ...flags };
  const dialect = resolveDialect({ raw, written, switches, ignored });
  if (dialect.errors.length) throw new ConfigError(dialect.errors.join('; '));
  const warning = ignoredWarning(dialect.ignored);
  return { raw, explicit: new Set(Object.keys(raw)), resume, forceBackend, help, dryRun, warning, written };
}

function readConfigFile(file: string, kinds: Map<string, FieldKind>): Record<string, unknown> {
  if (!existsSync(file)) throw new ConfigError(`config file not found: ${file}`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new ConfigError(`config file ${file} is not valid JSON: ${(e as Error).message}`);
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed))
    throw new ConfigError(`config file ${file} must hold a JSON object`);
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(parsed)) {
    if (CLI_ONLY.has(name))
      throw new ConfigError(`key '${name}' in ${file} is a command-line option, not a config key`);
    const key = canonicalKey(name, kinds);
    if (!key || typeof key === 'object') throw new ConfigError(`unknown key '${name}' in config file ${file}`);
    out[key] = coerce(key, value, kinds.get(key)!, `key '${name}' in ${file}`);
  }
  return out;
}

/** Validate with the shared schema; the first problem becomes a one-line message naming the key. */
export function validate(raw: Record<string, unknown>): TrainConfig {
  const result = trainConfigSchema.safeParse(raw);
  if (result.success) return result.data;
  const messages = result.error.issues.map((issue) => {
    const key = issue.path.join('.') || '(config)';
    if (issue.code === 'too_small')
      return `${key} must be >= ${String(issue.minimum)}, got ${JSON.stringify(raw[key])}`;
    if (issue.code === 'unrecognized_keys') return `unknown key(s): ${issue.keys.join(', ')}`;
    return `${key}: ${issue.message}`;
  });
  throw new ConfigError(`invalid config: ${messages.join('; ')}`);
}

/** Checks that need more than one key. `layers` is the number of blocks of the model actually trained. */
export function checkConsistency(c: TrainConfig, layers: number, ctx: number): void {
  if (c.method === 'lisa' && c.gamma > layers) {
    throw new ConfigError(
      `gamma (γ = ${c.gamma}) exceeds the number of transformer blocks (${layers}) of preset ${c.preset}`,
    );
  }
  if (c.stage === 'pretrain' && c.method !== 'full') {
    throw new ConfigError(
      `stage pretrain trains a model from scratch with every weight: use --method full (got ${c.method})`,
    );
  }
  if (c.warmup_ratio !== undefined && c.warmup > 0) {
    throw new ConfigError(`give warmup (${c.warmup} steps) or warmup_ratio (${c.warmup_ratio} of the steps), not both`);
  }
  if (c.seq !== undefined && c.seq > ctx)
    throw new ConfigError(`seq ${c.seq} exceeds the context length ${ctx} of preset ${c.preset}`);
}
